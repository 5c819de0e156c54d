/**
 * PostgreSQL revoke statements as the recorded grantor, column privileges restored after a
 * table-level REVOKE, the in-transaction catalog read's literals, and which errors count as a
 * server answer.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GrantScopeConfig } from "../../../src/providers/targetGrants/types";
import { type Dialect, requireDialect } from "../../../src/providers/targets";
import { columnsToRestore } from "../../../src/providers/targetGrants/reconcile";
import { renderChange } from "../../../src/providers/targetGrants/plan";
import type { CatalogSnapshot } from "../../../src/providers/targets/types";
import {
    PG_CATALOG_QUERY,
    pgCatalogQueryFor,
    pgLiteral,
} from "../../../src/providers/targets/postgresCatalog";
import { pgRetriable, pgServerAnswered } from "../../../src/providers/targets/postgresCodes";

/** A grant scope from plain values (the dialect by name). */
type ConfigValues = Omit<GrantScopeConfig, "dialect"> & { dialect: Dialect; connection?: string };
const scopeOf = (values: ConfigValues): GrantScopeConfig => ({
    ...values,
    dialect: requireDialect(values.dialect),
});

const config = scopeOf({
    connection: "postgres://admin@db/app",
    dialect: "postgres",
    grantee: "replicator",
    granteeHost: undefined,
    schema: "s",
    tables: ["t"],
    privileges: ["SELECT"],
    defaultPrivileges: false,
    defaultPrivilegesFor: null,
});

const snapshot = (over: Partial<CatalogSnapshot>): CatalogSnapshot => ({
    schemaExists: true,
    granteeExists: true,
    currentUser: "postgres",
    superuser: true,
    actsAsOwners: ["postgres"],
    schemaOwner: "postgres",
    tables: [{ name: "t", owner: "postgres", baseTable: true }],
    held: [],
    columns: [],
    ...over,
});

describe("TargetGrants PostgreSQL grantors and column privileges", () => {
    it("revokes as a non-owner grantor inside SET ROLE, and grants the wiped column privileges back as their grantor", () => {
        const snap = snapshot({
            columns: [
                {
                    table: "t",
                    column: "id",
                    privilege: "SELECT",
                    grantor: "admin_a",
                    grantable: false,
                },
                {
                    table: "t",
                    column: "pub",
                    privilege: "SELECT",
                    grantor: "postgres",
                    grantable: true,
                },
            ],
        });
        const pair = {
            kind: "table" as const,
            object: "t",
            privilege: "SELECT",
            grantor: "admin_a",
        };
        const restore = columnsToRestore([pair], [], snap, []);
        assert.deepEqual(
            restore.map((c) => c.column),
            ["id"],
            "only the same grantor's column grants are removed by its REVOKE",
        );
        const { revokes } = renderChange(
            config,
            { toGrant: [], toRevoke: [pair] },
            {
                partialRevokes: false,
                snapshot: snap,
                restoreColumns: restore,
            },
        );
        assert.deepEqual(revokes, [
            'SET ROLE "admin_a"',
            'REVOKE SELECT ON TABLE "s"."t" FROM "replicator"',
            "RESET ROLE",
            'SET ROLE "admin_a"',
            'GRANT SELECT ("id") ON TABLE "s"."t" TO "replicator"',
            "RESET ROLE",
        ]);
    });

    it("a superuser revoking the owner's grant needs no SET ROLE", () => {
        const pair = {
            kind: "table" as const,
            object: "t",
            privilege: "SELECT",
            grantor: "postgres",
        };
        const { revokes } = renderChange(
            config,
            { toGrant: [], toRevoke: [pair] },
            {
                partialRevokes: false,
                snapshot: snapshot({ currentUser: "dba", actsAsOwners: [] }),
            },
        );
        assert.deepEqual(revokes, ['REVOKE SELECT ON TABLE "s"."t" FROM "replicator"']);
    });

    it("writes the catalog read's parameters as E'' literals, never re-reading a placeholder inside a name", () => {
        assert.equal(pgLiteral("a'b\\c"), "E'a''b\\\\c'");
        const sql = pgCatalogQueryFor({ schema: "x$2 '; DROP", grantee: "$1$&" });
        assert.ok(sql.includes("nspname = E'x$2 ''; DROP'"));
        assert.ok(sql.includes("rolname = E'$1$&'"));
        const outsideLiterals = sql.replace(/E'(?:[^']|'')*'/g, "");
        assert.doesNotMatch(outsideLiterals, /\$[12]\b/, "every placeholder was replaced");
        assert.ok(PG_CATALOG_QUERY.includes("$1") && PG_CATALOG_QUERY.includes("$2"));
    });

    it("only a SQLSTATE is a server answer; races are retriable", () => {
        assert.equal(pgServerAnswered("XX000"), true);
        assert.equal(pgServerAnswered("42501"), true);
        for (const code of ["EPIPE", "ECONNRESET", "ETIMEDOUT", undefined]) {
            assert.equal(pgServerAnswered(code), false, String(code));
        }
        assert.equal(pgRetriable("XX000", "… tuple concurrently updated"), true);
        assert.equal(pgRetriable("40001", ""), true);
        assert.equal(pgRetriable("XX000", "cache lookup failed"), false);
    });
});
