/** Pure planning: what to grant/revoke and what to record (table-driven). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    coveredTables,
    desiredGrants,
    missingGrants,
    planChange,
} from "../../../src/providers/targetGrants/plan";
import { reconcile } from "../../../src/providers/targetGrants/reconcile";
import type { GrantScopeConfig } from "../../../src/providers/targetGrants/types";
import { type Dialect, requireDialect } from "../../../src/providers/targets";
import type { CatalogSnapshot, GrantPair } from "../../../src/providers/targets/types";

/** A grant scope from plain values (the dialect by name). */
type ConfigValues = Omit<GrantScopeConfig, "dialect"> & { dialect: Dialect; connection?: string };
const scopeOf = (values: ConfigValues): GrantScopeConfig => ({
    ...values,
    dialect: requireDialect(values.dialect),
});

const p = (object: string, privilege: string, kind: GrantPair["kind"] = "table"): GrantPair => ({
    kind,
    object,
    privilege,
});
const keys = (list: GrantPair[]) => list.map((x) => `${x.kind}:${x.object}:${x.privilege}`);

describe("planChange", () => {
    const CASES: {
        name: string;
        previous: GrantPair[];
        desired: GrantPair[];
        held: GrantPair[];
        grant: string[];
        revoke: string[];
        granted: string[];
        preexisting: string[];
    }[] = [
        {
            name: "create grants only what is missing; what is held is pre-existing",
            previous: [],
            desired: [p("a", "SELECT"), p("a", "DELETE")],
            held: [p("a", "SELECT")],
            grant: ["table:a:DELETE"],
            revoke: [],
            granted: ["table:a:DELETE"],
            preexisting: ["table:a:SELECT"],
        },
        {
            name: "update revokes only what this resource granted and no longer wants",
            previous: [p("a", "DELETE"), p("b", "DELETE")],
            desired: [p("a", "SELECT"), p("a", "DELETE")],
            held: [p("a", "SELECT"), p("a", "DELETE"), p("b", "DELETE"), p("c", "DELETE")],
            grant: [],
            revoke: ["table:b:DELETE"],
            granted: ["table:a:DELETE"],
            preexisting: ["table:a:SELECT"],
        },
        {
            name: "a pair of ours revoked by hand is granted again",
            previous: [p("a", "DELETE")],
            desired: [p("a", "DELETE")],
            held: [],
            grant: ["table:a:DELETE"],
            revoke: [],
            granted: ["table:a:DELETE"],
            preexisting: [],
        },
    ];
    for (const c of CASES) {
        it(c.name, () => {
            const change = planChange(c.previous, c.desired, c.held);
            assert.deepEqual(keys(change.toGrant), c.grant);
            assert.deepEqual(keys(change.toRevoke), c.revoke);
            assert.deepEqual(keys(change.granted), c.granted);
            assert.deepEqual(keys(change.preexisting), c.preexisting);
        });
    }
});

describe("reconcile", () => {
    it("drops what is no longer held and adopts tables created by owners our default privileges cover", () => {
        const snapshot: CatalogSnapshot = {
            schemaExists: true,
            granteeExists: true,
            currentUser: "admin",
            tables: [
                { name: "old", owner: "admin", baseTable: true },
                { name: "new", owner: "admin", baseTable: true },
                { name: "foreign", owner: "someone", baseTable: true },
            ],
            held: [
                p("admin", "SELECT", "defaultTables"),
                p("old", "SELECT"),
                p("new", "SELECT"),
                p("new", "DELETE"),
                p("foreign", "SELECT"),
            ],
        };
        const result = reconcile(
            {
                granted: [
                    p("admin", "SELECT", "defaultTables"),
                    p("old", "SELECT"),
                    p("old", "DELETE"),
                ],
                preexisting: [],
            },
            snapshot,
        );
        assert.deepEqual(keys(result.granted), [
            "table:new:SELECT",
            "table:old:SELECT",
            "defaultTables:admin:SELECT",
        ]);
    });
});

describe("reconcile with pending pairs and duplicate rows", () => {
    it("counts a pending pair now held as granted, once, and keeps pre-existing pairs apart", () => {
        const snapshot: CatalogSnapshot = {
            schemaExists: true,
            granteeExists: true,
            currentUser: "admin",
            tables: [{ name: "a", owner: "admin", baseTable: true }],
            // aclexplode can return a privilege twice (two grantors).
            held: [p("a", "SELECT"), p("a", "SELECT"), p("a", "INSERT"), p("a", "UPDATE")],
        };
        const result = reconcile(
            {
                granted: [p("a", "INSERT"), p("a", "DELETE")],
                preexisting: [p("a", "SELECT")],
                pending: [p("a", "UPDATE"), p("a", "INSERT"), p("a", "TRUNCATE")],
            },
            snapshot,
        );
        assert.deepEqual(keys(result.granted), ["table:a:INSERT", "table:a:UPDATE"]);
        assert.deepEqual(keys(result.preexisting), ["table:a:SELECT"]);
        assert.equal(result.pending, undefined);
    });
});

describe("desiredGrants and coveredTables", () => {
    const config = (over: Partial<ConfigValues>): GrantScopeConfig =>
        scopeOf({
            connection: "mysql://root@127.0.0.1:3306/",
            dialect: "mysql",
            grantee: "app",
            granteeHost: "%",
            schema: "db",
            tables: null,
            privileges: ["UPDATE", "SELECT"],
            defaultPrivileges: false,
            defaultPrivilegesFor: null,
            ...over,
        });
    const snapshot = (held: GrantPair[]): CatalogSnapshot => ({
        schemaExists: true,
        granteeExists: true,
        currentUser: "root",
        tables: [
            { name: "b", owner: null, baseTable: true },
            { name: "a", owner: null, baseTable: true },
            { name: "v", owner: null, baseTable: false },
        ],
        held,
    });

    it("lists desired pairs sorted by object then privilege", () => {
        const desired = desiredGrants(config({ tables: ["b", "a"] }), snapshot([]));
        assert.deepEqual(keys(desired.pairs), [
            "table:a:SELECT",
            "table:a:UPDATE",
            "table:b:SELECT",
            "table:b:UPDATE",
        ]);
    });

    it("combines the db.* grant with table grants, per privilege, over base tables only", () => {
        const held = [
            p("db", "SELECT", "database"),
            p("b", "UPDATE"),
            p("v", "UPDATE"),
            p("other", "SELECT", "database"),
        ];
        assert.deepEqual(coveredTables(config({}), snapshot(held)), ["b"]);
        assert.deepEqual(coveredTables(config({ dialect: "postgres" }), snapshot(held)), []);
        const all = [...held, p("db", "UPDATE", "database")];
        assert.deepEqual(coveredTables(config({}), snapshot(all)), ["a", "b"]);
    });

    it("missingGrants is exactly the desired pairs not held (any grantor or scope), in order", () => {
        const helds: GrantPair[][] = [
            [],
            [p("db", "SELECT", "database"), p("b", "UPDATE"), p("v", "UPDATE")],
            [p("a", "SELECT"), p("a", "UPDATE"), p("b", "SELECT"), p("db", "USAGE", "schema")],
            [{ ...p("root", "SELECT", "defaultTables"), scope: "database" }, p("a", "SELECT")],
        ];
        const configs = [
            config({}),
            config({ tables: ["b", "a", "gone"] }),
            config({ dialect: "postgres", defaultPrivileges: true }),
            config({ dialect: "postgres", tables: ["a"], defaultPrivileges: true }),
            config({ dialect: "postgres", defaultPrivileges: true, defaultPrivilegesFor: ["x"] }),
        ];
        for (const c of configs) {
            for (const held of helds) {
                const snap = snapshot(held);
                const heldKeys = new Set(keys(held));
                assert.deepEqual(
                    missingGrants(c, snap),
                    desiredGrants(c, snap).pairs.filter((d) => !heldKeys.has(keys([d])[0]!)),
                );
            }
        }
    });
});
