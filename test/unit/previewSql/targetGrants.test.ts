import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { UNKNOWN } from "../../../src/providers/kernel/unknown";
import type { GrantPair } from "../../../src/providers/targets/types";
import {
    logCreatePreview,
    logDiffPreview,
    plannedCreateSql,
    plannedUpdateSql,
    type TargetGrantsPreviewState,
} from "../../../src/providers/targetGrants/preview";

const PASSWORD = "Tg-Adm1n-Secret";
const PG = `postgres://admin:${PASSWORD}@pg.example:5432/app`;
const MYSQL = `mysql://root:${PASSWORD}@my.example:3306/`;
const ORACLE = `oracle://system:${PASSWORD}@ora.example:1521/FREEPDB1`;

const sqlOf = (statements: { sql: string }[]) =>
    statements.filter((s) => !s.sql.startsWith("--")).map((s) => s.sql);

const table = (object: string, privilege: string): GrantPair => ({
    kind: "table",
    object,
    privilege,
});

describe("TargetGrants planned SQL: create", () => {
    it("PostgreSQL, every table: USAGE, the schema's tables and default privileges resolved at apply", () => {
        const planned = plannedCreateSql({ connection: PG, grantee: "repl", schema: "app" });
        assert.deepEqual(sqlOf(planned), [
            'GRANT USAGE ON SCHEMA "app" TO "repl"',
            'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE <every table in "app", resolved at apply> TO "repl"',
            "ALTER DEFAULT PRIVILEGES FOR ROLE <the connecting role and every owner of a table in the schema, resolved at apply> " +
                'IN SCHEMA "app" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "repl"',
        ]);
        assert.match(planned[0]!.sql, /^-- one catalog query/);
        assert.match(planned[1]!.note ?? "", /already holds are skipped \(resolved at apply\)/);
    });

    it("PostgreSQL, listed tables with quotes in names, named default-privilege owners", () => {
        const planned = plannedCreateSql({
            connection: PG,
            grantee: "repl",
            schema: 'my "schema"',
            tables: ["orders", 'odd"name'],
            defaultPrivilegesFor: ["owner1"],
        });
        assert.deepEqual(sqlOf(planned), [
            'GRANT USAGE ON SCHEMA "my ""schema""" TO "repl"',
            'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "my ""schema"""."odd""name", "my ""schema"""."orders" TO "repl"',
            'ALTER DEFAULT PRIVILEGES FOR ROLE "owner1" IN SCHEMA "my ""schema""" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "repl"',
        ]);
    });

    it("MySQL: db.* for every table (with the wildcard note), or one GRANT per table", () => {
        const all = plannedCreateSql({ connection: MYSQL, grantee: "repl", schema: "app_db" });
        assert.deepEqual(sqlOf(all), [
            "GRANT SELECT, INSERT, UPDATE, DELETE ON `app\\_db`.* TO 'repl'@'%'",
        ]);
        assert.match(all[1]!.note ?? "", /partial_revokes/);
        const listed = plannedCreateSql({
            connection: MYSQL,
            grantee: "repl",
            granteeHost: "10.0.%",
            schema: "app",
            tables: ["t1", "t`2"],
        });
        assert.deepEqual(sqlOf(listed), [
            "GRANT SELECT, INSERT, UPDATE, DELETE ON `app`.`t1` TO 'repl'@'10.0.%'",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON `app`.`t``2` TO 'repl'@'10.0.%'",
        ]);
    });

    it("Oracle: one PL/SQL block with a GRANT per table", () => {
        const planned = plannedCreateSql({
            connection: ORACLE,
            grantee: "REPL",
            schema: "APP",
            tables: ["T1", "T2"],
        });
        assert.deepEqual(sqlOf(planned), [
            [
                "BEGIN",
                `  EXECUTE IMMEDIATE 'GRANT SELECT, INSERT, UPDATE, DELETE, FLASHBACK ON "APP"."T1" TO "REPL"';`,
                `  EXECUTE IMMEDIATE 'GRANT SELECT, INSERT, UPDATE, DELETE, FLASHBACK ON "APP"."T2" TO "REPL"';`,
                "END;",
            ].join("\n"),
        ]);
    });

    it("unknown values render as unknown until apply; an unknown dialect says so", () => {
        const logged: string[] = [];
        logCreatePreview(
            {},
            {
                connection: UNKNOWN,
                dialect: "postgres",
                grantee: UNKNOWN,
                schema: "app",
                tables: UNKNOWN,
            },
            (t) => logged.push(t),
        );
        logCreatePreview({}, { connection: UNKNOWN, grantee: "repl", schema: "app" }, (t) =>
            logged.push(t),
        );
        assert.equal(logged.length, 2);
        assert.match(logged[0]!, /GRANT USAGE ON SCHEMA "app" TO <unknown until apply>;/);
        assert.match(logged[0]!, /ON TABLE "app"\.<unknown until apply> TO <unknown until apply>;/);
        assert.match(logged[1]!, /dialect of the connection \(<unknown until apply>\)/);
        for (const text of logged) assert.ok(!text.includes(UNKNOWN));
    });
});

describe("TargetGrants planned SQL: update", () => {
    const pgState = (
        overrides: Partial<TargetGrantsPreviewState> = {},
    ): TargetGrantsPreviewState => ({
        connection: PG,
        dialect: "postgres",
        grantee: "repl",
        granteeHost: null,
        schema: "app",
        tables: ["a", "b"],
        server: "postgres://pg.example:5432/app",
        defaultPrivilegeOwners: [],
        granted: [
            { kind: "schema", object: "app", privilege: "USAGE" },
            ...["a", "b"].flatMap((t) =>
                ["SELECT", "INSERT", "UPDATE", "DELETE"].map((p) => table(t, p)),
            ),
        ],
        preexisting: [],
        ...overrides,
    });

    it("revokes what this stack granted and is no longer wanted, grants what is new", () => {
        const planned = plannedUpdateSql(pgState(), {
            connection: PG,
            grantee: "repl",
            schema: "app",
            tables: ["a", "c"],
        });
        assert.deepEqual(sqlOf(planned), [
            'REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLE "app"."b" FROM "repl"',
            'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "app"."c" TO "repl"',
        ]);
        assert.match(planned[1]!.note ?? "", /granted by this stack and no longer wanted/);
    });

    it("never revokes pre-existing privileges and plans nothing when the grants do not change", () => {
        const state = pgState({ preexisting: [table("a", "TRUNCATE")] });
        assert.deepEqual(
            plannedUpdateSql(state, {
                connection: PG,
                grantee: "repl",
                schema: "app",
                tables: ["b", "a"],
            }),
            [],
        );
        const fewer = plannedUpdateSql(state, {
            connection: PG,
            grantee: "repl",
            schema: "app",
            tables: ["a", "b"],
            privileges: ["SELECT", "INSERT", "UPDATE"],
        });
        assert.deepEqual(sqlOf(fewer), ['REVOKE DELETE ON TABLE "app"."a", "app"."b" FROM "repl"']);
    });

    it("every table: judged from the tables and default-privilege owners recorded in state", () => {
        const state = pgState({
            tables: null,
            defaultPrivilegeOwners: ["admin"],
            granted: [
                { kind: "schema", object: "app", privilege: "USAGE" },
                ...["SELECT", "INSERT", "UPDATE", "DELETE"].flatMap((p): GrantPair[] => [
                    table("a", p),
                    { kind: "defaultTables", object: "admin", privilege: p },
                ]),
            ],
            coveredTables: ["a"],
        });
        const news = { connection: PG, grantee: "repl", schema: "app" };
        assert.deepEqual(plannedUpdateSql(state, news), []);
        const planned = plannedUpdateSql(state, {
            ...news,
            privileges: ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"],
        });
        assert.deepEqual(sqlOf(planned), [
            'GRANT TRUNCATE ON TABLE "app"."a" TO "repl"',
            'ALTER DEFAULT PRIVILEGES FOR ROLE "admin" IN SCHEMA "app" GRANT TRUNCATE ON TABLES TO "repl"',
        ]);
        assert.ok(planned.some((s) => /tables created since the last refresh/.test(s.sql)));
    });

    it("Oracle: the delta in one PL/SQL block, REVOKEs tolerant of objects already gone", () => {
        const state: TargetGrantsPreviewState = {
            connection: ORACLE,
            dialect: "oracle",
            grantee: "REPL",
            granteeHost: null,
            schema: "APP",
            tables: ["T1"],
            granted: ["SELECT", "INSERT", "UPDATE", "DELETE", "FLASHBACK"].map((p) =>
                table("T1", p),
            ),
            preexisting: [],
        };
        const planned = plannedUpdateSql(state, {
            connection: ORACLE,
            grantee: "REPL",
            schema: "APP",
            tables: ["T2"],
        });
        const [block] = sqlOf(planned);
        assert.match(
            block!,
            /^BEGIN\n {2}BEGIN EXECUTE IMMEDIATE 'REVOKE SELECT, INSERT, UPDATE, DELETE, FLASHBACK ON "APP"\."T1" FROM "REPL"'; EXCEPTION/,
        );
        assert.match(
            block!,
            /EXECUTE IMMEDIATE 'GRANT SELECT, INSERT, UPDATE, DELETE, FLASHBACK ON "APP"\."T2" TO "REPL"';\nEND;$/,
        );
    });

    it("MySQL: from per-table grants to db.*", () => {
        const state: TargetGrantsPreviewState = {
            connection: MYSQL,
            dialect: "mysql",
            grantee: "repl",
            granteeHost: "%",
            schema: "app",
            tables: ["t1"],
            granted: ["SELECT", "INSERT", "UPDATE", "DELETE"].map((p) => table("t1", p)),
            preexisting: [],
        };
        const planned = plannedUpdateSql(state, {
            connection: MYSQL,
            grantee: "repl",
            schema: "app",
        });
        assert.deepEqual(sqlOf(planned), [
            "REVOKE SELECT, INSERT, UPDATE, DELETE ON `app`.`t1` FROM 'repl'@'%'",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON `app`.* TO 'repl'@'%'",
        ]);
    });

    it("the logged preview never shows the admin connection or its password", () => {
        const logged: string[] = [];
        for (const connection of [PG, MYSQL]) {
            logCreatePreview({}, { connection, grantee: "repl", schema: "app" }, (t) =>
                logged.push(t),
            );
        }
        logDiffPreview(
            pgState(),
            {
                connection: PG.replace(PASSWORD, "N3w-Secret-Pw"),
                grantee: "repl",
                schema: "app",
                tables: ["a"],
            },
            { changes: true },
            (t) => logged.push(t),
        );
        logDiffPreview(
            pgState(),
            { connection: PG, grantee: "other", schema: "app" },
            { changes: true, replaces: ["grantee"] },
            (t) => logged.push(t),
        );
        assert.equal(logged.length, 4);
        for (const text of logged) {
            assert.ok(!text.includes(PASSWORD));
            assert.ok(!text.includes("N3w-Secret-Pw"));
            assert.ok(!text.includes("admin:"));
        }
        assert.match(
            logged[0]!,
            /^planned SQL \(TargetGrants postgres:\/\/pg\.example:5432\/app\):/,
        );
        assert.match(logged[1]!, /^planned SQL \(TargetGrants mysql:\/\/my\.example:3306\):/);
        assert.match(
            logged[2]!,
            /REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLE "app"\."b" FROM "repl";/,
        );
        assert.match(logged[3]!, /replacement/);
    });
});
