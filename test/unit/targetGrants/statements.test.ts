/** Statement text per dialect (table-driven) and quoting of hostile names. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GrantScopeConfig } from "../../../src/providers/targetGrants/types";
import { type Dialect, requireDialect } from "../../../src/providers/targets";
import { renderChange } from "../../../src/providers/targetGrants/plan";
import type { GrantPair } from "../../../src/providers/targets/types";
import { quotePgIdent } from "../../../src/providers/targets/postgres";
import {
    mysqlAccount,
    mysqlDatabasePattern,
    quoteMysqlString,
} from "../../../src/providers/targets/mysql";
import { quoteMysqlIdent } from "../../../src/providers/targets/mysqlCatalog";
import { oracleChangeBlock, plsqlString } from "../../../src/providers/targets/oracleCatalog";
import { quoteOracleIdent } from "../../../src/providers/targets/oracle";

/** A grant scope from plain values (the dialect by name). */
type ConfigValues = Omit<GrantScopeConfig, "dialect"> & { dialect: Dialect; connection?: string };
const scopeOf = (values: ConfigValues): GrantScopeConfig => ({
    ...values,
    dialect: requireDialect(values.dialect),
});

const t = (object: string, privilege: string): GrantPair => ({ kind: "table", object, privilege });
const config = (over: Partial<ConfigValues>): GrantScopeConfig =>
    scopeOf({
        connection: "postgres://admin@db/app",
        dialect: "postgres",
        grantee: "replicator",
        granteeHost: undefined,
        schema: "public",
        tables: null,
        privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
        defaultPrivileges: true,
        defaultPrivilegesFor: null,
        ...over,
    });
const all = (object: string) => ["SELECT", "INSERT", "UPDATE", "DELETE"].map((p) => t(object, p));

const CASES: {
    name: string;
    config: Partial<ConfigValues>;
    toGrant: GrantPair[];
    toRevoke?: GrantPair[];
    grants: string[];
    revokes?: string[];
}[] = [
    {
        name: "PostgreSQL: schema USAGE, one GRANT for tables with the same privileges, default privileges per owner",
        config: {},
        toGrant: [
            { kind: "schema", object: "public", privilege: "USAGE" },
            ...all("a"),
            ...all("b"),
            t("c", "SELECT"),
            { kind: "defaultTables", object: "owner", privilege: "SELECT" },
            { kind: "defaultTables", object: "owner", privilege: "DELETE" },
        ],
        grants: [
            'GRANT USAGE ON SCHEMA "public" TO "replicator"',
            'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "public"."a", "public"."b" TO "replicator"',
            'GRANT SELECT ON TABLE "public"."c" TO "replicator"',
            'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" GRANT SELECT, DELETE ON TABLES TO "replicator"',
        ],
    },
    {
        name: "PostgreSQL: revokes in reverse order",
        config: {},
        toGrant: [],
        toRevoke: [
            { kind: "schema", object: "public", privilege: "USAGE" },
            t("a", "DELETE"),
            { kind: "defaultTables", object: "owner", privilege: "DELETE" },
        ],
        grants: [],
        revokes: [
            'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" REVOKE DELETE ON TABLES FROM "replicator"',
            'REVOKE DELETE ON TABLE "public"."a" FROM "replicator"',
            'REVOKE USAGE ON SCHEMA "public" FROM "replicator"',
        ],
    },
    {
        name: "MySQL: db.* with wildcards escaped, account as string literals",
        config: { dialect: "mysql", schema: "app_db", grantee: "repl", granteeHost: "%" },
        toGrant: ["SELECT", "INSERT", "UPDATE", "DELETE"].map((p) => ({
            kind: "database" as const,
            object: "app_db",
            privilege: p,
        })),
        grants: ["GRANT SELECT, INSERT, UPDATE, DELETE ON `app\\_db`.* TO 'repl'@'%'"],
    },
    {
        name: "MySQL: one statement per table",
        config: { dialect: "mysql", schema: "app", grantee: "repl", granteeHost: "10.0.0.%" },
        toGrant: [...all("a"), t("b", "SELECT")],
        toRevoke: [t("c", "DELETE")],
        grants: [
            "GRANT SELECT, INSERT, UPDATE, DELETE ON `app`.`a` TO 'repl'@'10.0.0.%'",
            "GRANT SELECT ON `app`.`b` TO 'repl'@'10.0.0.%'",
        ],
        revokes: ["REVOKE DELETE ON `app`.`c` FROM 'repl'@'10.0.0.%'"],
    },
    {
        name: "Oracle: one statement per table, exact-case quoted names",
        config: {
            dialect: "oracle",
            schema: "APP",
            grantee: "REPLICATOR",
            privileges: ["SELECT", "INSERT", "UPDATE", "DELETE", "FLASHBACK"],
        },
        toGrant: [...all("ORDERS"), t("ORDERS", "FLASHBACK"), t("Mixed", "SELECT")],
        grants: [
            'GRANT SELECT, INSERT, UPDATE, DELETE, FLASHBACK ON "APP"."ORDERS" TO "REPLICATOR"',
            'GRANT SELECT ON "APP"."Mixed" TO "REPLICATOR"',
        ],
    },
];

describe("TargetGrants statement text", () => {
    for (const c of CASES) {
        it(c.name, () => {
            const out = renderChange(config(c.config), {
                toGrant: c.toGrant,
                toRevoke: c.toRevoke ?? [],
            });
            assert.deepEqual(out.grants, c.grants);
            assert.deepEqual(out.revokes, c.revokes ?? []);
        });
    }

    it("MySQL 8 with partial_revokes takes database names literally", () => {
        assert.equal(mysqlDatabasePattern("a_b%c\\d", false), "a\\_b\\%c\\\\d");
        assert.equal(mysqlDatabasePattern("a_b%c", true), "a_b%c");
    });

    it("PostgreSQL names up to 500 tables per GRANT", () => {
        const tables = Array.from({ length: 1001 }, (_, i) => `t${i}`);
        const out = renderChange(config({}), { toGrant: tables.flatMap(all), toRevoke: [] });
        assert.equal(out.grants.length, 3);
    });

    it("Oracle: every statement of a change in one anonymous block, revokes tolerant of 'gone'", () => {
        const block = oracleChangeBlock(
            ['REVOKE DELETE ON "APP"."T" FROM "R"'],
            ['GRANT SELECT ON "APP"."it\'s" TO "R"'],
        );
        assert.equal(
            block,
            "BEGIN\n" +
                '  BEGIN EXECUTE IMMEDIATE \'REVOKE DELETE ON "APP"."T" FROM "R"\'; EXCEPTION WHEN OTHERS THEN ' +
                "IF SQLCODE NOT IN (-942, -1917, -1918, -1919) THEN RAISE; END IF; END;\n" +
                '  EXECUTE IMMEDIATE \'GRANT SELECT ON "APP"."it\'\'s" TO "R"\';\n' +
                "END;",
        );
    });
});

describe("quoting hostile names", () => {
    const HOSTILE: [string, string, string, string][] = [
        // name, PostgreSQL, MySQL identifier, MySQL string
        ["Order Items", '"Order Items"', "`Order Items`", "'Order Items'"],
        ['we"ird', '"we""ird"', '`we"ird`', "'we\"ird'"],
        [
            "x; DROP TABLE t; --",
            '"x; DROP TABLE t; --"',
            "`x; DROP TABLE t; --`",
            "'x; DROP TABLE t; --'",
        ],
        ["MixedCase", '"MixedCase"', "`MixedCase`", "'MixedCase'"],
        ["Ünïcödé 表", '"Ünïcödé 表"', "`Ünïcödé 表`", "'Ünïcödé 表'"],
        ["back`tick", '"back`tick"', "`back``tick`", "'back`tick'"],
        ["o'brien\\", '"o\'brien\\"', "`o'brien\\`", "'o''brien\\\\'"],
    ];
    for (const [name, pg, myIdent, myString] of HOSTILE) {
        it(`quotes ${JSON.stringify(name)}`, () => {
            assert.equal(quotePgIdent(name), pg);
            assert.equal(quoteMysqlIdent(name), myIdent);
            assert.equal(quoteMysqlString(name), myString);
        });
    }

    it("MySQL account", () => {
        assert.equal(mysqlAccount("a'b", "%"), "'a''b'@'%'");
    });

    it("Oracle: quoted exactly; a double quote or NUL cannot be an Oracle name", () => {
        assert.equal(quoteOracleIdent("Order Items"), '"Order Items"');
        assert.equal(quoteOracleIdent("x; DROP TABLE t; --"), '"x; DROP TABLE t; --"');
        assert.equal(
            plsqlString(`GRANT SELECT ON "A"."it's" TO "R"`),
            `'GRANT SELECT ON "A"."it''s" TO "R"'`,
        );
        assert.throws(() => quoteOracleIdent('we"ird'), /must not contain a double quote/);
        assert.throws(() => quoteOracleIdent("a\0b"), /NUL/);
    });

    it("rejects names PostgreSQL would truncate or cannot store", () => {
        assert.throws(
            () => quotePgIdent("x".repeat(64)),
            /is 64 bytes long; PostgreSQL truncates names to 63 bytes/,
        );
        assert.throws(() => quotePgIdent(""), /must not be empty/);
        assert.throws(() => quoteMysqlIdent("a\0"), /NUL/);
    });
});
