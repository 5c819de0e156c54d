/** TargetGrants `check` (offline, every problem at once, exact messages) and `diff`. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    makeTargetGrantsProvider,
    type TargetGrantsOutputs,
} from "../../../src/providers/targetGrants/provider";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

const provider = makeTargetGrantsProvider();
const PG = "postgres://admin:s3cret-pass@db.internal:5432/app";

async function failures(inputs: Record<string, unknown>) {
    const result = await provider.check({}, inputs);
    return result.failures ?? [];
}

describe("TargetGrants check", () => {
    it("accepts minimal inputs for each dialect", async () => {
        assert.deepEqual(await failures({ connection: PG, grantee: "r", schema: "s" }), []);
        assert.deepEqual(
            await failures({ connection: "mysql://root:pw@h/", grantee: "r", schema: "s" }),
            [],
        );
        assert.deepEqual(
            await failures({
                connection: "oracle://a:pw@h:1521/FREEPDB1",
                grantee: "R",
                schema: "S",
                tables: ["T"],
            }),
            [],
        );
    });

    it("reports every problem at once, naming the property", async () => {
        const got = await failures({
            connection: "mysql://root:pw@h/",
            dialect: "postgres",
            grantee: "",
            granteeHost: "%",
            schema: "s",
            tables: ["a", "a", ""],
            privileges: ["select", "usage", "SELECT"],
            defaultPrivileges: true,
            defaultPrivilegesFor: ["x", "x"],
        });
        assert.deepEqual(got, [
            {
                property: "dialect",
                reason: 'is "postgres" but connection is a mysql URL; remove dialect (it is inferred from the URL scheme) or make the two agree',
            },
            {
                property: "grantee",
                reason: "is required: the role/user the replicator connects as",
            },
            {
                property: "granteeHost",
                reason: 'only applies to MySQL/MariaDB accounts (dialect is "postgres"); remove it',
            },
            { property: "tables", reason: 'lists "a" more than once' },
            { property: "tables", reason: "entry 2 must be a non-empty table name" },
            {
                property: "privileges",
                reason: '"usage" is not a PostgreSQL table privilege; allowed: SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER; on servers new enough for them, also MAINTAIN',
            },
            { property: "privileges", reason: "lists SELECT more than once" },
            { property: "defaultPrivilegesFor", reason: 'lists "x" more than once' },
        ]);
    });

    it("connection problems never echo the URL (empty property, property named in the reason)", async () => {
        const cases: [string, string][] = [
            [
                "http://admin:s3cret-pass@h/db",
                'connection: has the unsupported scheme "http://"; use postgres://, postgresql://, mysql:// or oracle://',
            ],
            [
                "not a url s3cret-pass",
                "connection: is not a valid URL; expected postgres://user:password@host:5432/database, mysql://user:password@host:3306/ or oracle://user:password@host:1521/SERVICE",
            ],
            [
                "oracle://a:s3cret-pass@h:1521",
                "connection: needs the Oracle service name as its path, e.g. oracle://user:password@host:1521/FREEPDB1",
            ],
        ];
        for (const [connection, reason] of cases) {
            const got = await failures({ connection, grantee: "R", schema: "S", tables: ["T"] });
            assert.deepEqual(got, [{ property: "", reason }]);
            assert.ok(!JSON.stringify(got).includes("s3cret-pass"));
        }
        assert.deepEqual(await failures({ grantee: "r", schema: "s" }), [
            {
                property: "",
                reason: "connection: is required: the admin connection URL of the target database (postgres://user:password@host:5432/database, mysql://user:password@host:3306/ or oracle://user:password@host:1521/SERVICE)",
            },
        ]);
    });

    it("refuses connection query parameters that could redirect the session (property and fix named, value never shown)", async () => {
        const cases = [
            `${PG}?port=6543`,
            `${PG}?host=evil.example`,
            `${PG}?user=someone`,
            `${PG}?options=-c%20role%3Dsomeone`,
            "mysql://root:s3cret-pass@h:3306/?socketPath=%2Ftmp%2Fother.sock",
            "mysql://root:s3cret-pass@h:3306/?port=3307",
            "oracle://a:s3cret-pass@h:1521/SVC?host=other",
        ];
        for (const connection of cases) {
            const name = new URL(connection).searchParams.keys().next().value as string;
            const got = await failures({ connection, grantee: "R", schema: "S", tables: ["T"] });
            assert.equal(got.length, 1, JSON.stringify(got));
            assert.equal(got[0]!.property, "");
            assert.match(
                got[0]!.reason,
                new RegExp(`^connection: has the query parameter "${name}", which is not accepted`),
            );
            assert.match(got[0]!.reason, /Put host, port, user and database in the URL itself/);
            assert.ok(!JSON.stringify(got).includes("s3cret-pass"));
            assert.ok(
                !/evil|someone|other\.sock|6543|3307/.test(JSON.stringify(got)),
                "values never shown",
            );
        }
        // TLS settings stay accepted.
        assert.deepEqual(
            await failures({ connection: `${PG}?sslmode=verify-full`, grantee: "r", schema: "s" }),
            [],
        );
        assert.deepEqual(
            await failures({
                connection: 'mysql://r:p@h/?ssl={"rejectUnauthorized":true}',
                grantee: "r",
                schema: "s",
            }),
            [],
        );
    });

    it("per-dialect rules", async () => {
        assert.deepEqual(
            await failures({
                connection: "oracle://a:p@h/SVC",
                grantee: "R",
                schema: "S",
                defaultPrivileges: true,
            }),
            [
                {
                    property: "tables",
                    reason: "is required for Oracle: list the tables to grant on (Oracle has no schema-wide object grant); give each name in its stored case, usually upper case",
                },
                {
                    property: "defaultPrivileges",
                    reason: 'only applies to PostgreSQL (dialect is "oracle"); remove it',
                },
            ],
        );
        assert.deepEqual(
            await failures({
                connection: "oracle://a:p@h/SVC",
                grantee: 'we"ird',
                schema: "S",
                tables: ["T"],
                privileges: ["TRUNCATE"],
            }),
            [
                {
                    property: "grantee",
                    reason: '"we\\"ird" must not contain a double quote (Oracle identifiers cannot)',
                },
                {
                    property: "privileges",
                    reason: '"TRUNCATE" is not a Oracle table privilege; allowed: SELECT, INSERT, UPDATE, DELETE, FLASHBACK, READ, ALTER, INDEX, REFERENCES',
                },
            ],
        );
        assert.deepEqual(
            await failures({
                connection: "mysql://r@h/",
                grantee: "r",
                schema: "s",
                defaultPrivileges: false,
                granteeHost: "",
            }),
            [
                {
                    property: "granteeHost",
                    reason: 'must be a non-empty string; use "%" for any host',
                },
                {
                    property: "defaultPrivileges",
                    reason: 'only applies to PostgreSQL (dialect is "mysql"); remove it (with tables omitted, the db.* grant already covers tables created later)',
                },
            ],
        );
        assert.deepEqual(
            await failures({
                connection: PG,
                dialect: "sqlite",
                grantee: "r",
                schema: "s",
                tables: [],
                privileges: [],
            }),
            [
                {
                    property: "dialect",
                    reason: 'must be "postgres", "mysql" or "oracle"; got "sqlite"',
                },
                {
                    property: "tables",
                    reason: "must not be empty; omit tables to grant on every table in the schema",
                },
                {
                    property: "privileges",
                    reason: "must not be empty; omit privileges for the defaults (SELECT, INSERT, UPDATE, DELETE)",
                },
            ],
        );
        assert.deepEqual(
            await failures({
                connection: PG,
                grantee: "r",
                schema: "x".repeat(64),
                defaultPrivileges: false,
                defaultPrivilegesFor: ["o"],
            }),
            [
                {
                    property: "schema",
                    reason: `"${"x".repeat(64)}" is 64 bytes long; PostgreSQL truncates names to 63 bytes`,
                },
                {
                    property: "defaultPrivilegesFor",
                    reason: "is set but defaultPrivileges is false; remove defaultPrivilegesFor or set defaultPrivileges to true",
                },
            ],
        );
    });

    it("copes with unknown values during preview", async () => {
        assert.deepEqual(
            await failures({
                connection: UNKNOWN,
                grantee: UNKNOWN,
                schema: "s",
                tables: [UNKNOWN],
            }),
            [],
        );
        assert.deepEqual(
            await failures({ connection: UNKNOWN, dialect: "oracle", grantee: "R", schema: "S" }),
            [
                {
                    property: "tables",
                    reason: "is required for Oracle: list the tables to grant on (Oracle has no schema-wide object grant); give each name in its stored case, usually upper case",
                },
            ],
        );
    });
});

describe("TargetGrants diff", () => {
    const olds: TargetGrantsOutputs = {
        connection: PG,
        dialect: "postgres",
        grantee: "r",
        granteeHost: null,
        schema: "s",
        tables: null,
        privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
        defaultPrivileges: true,
        defaultPrivilegesFor: null,
        server: "postgres://db.internal:5432/app",
        defaultPrivilegeOwners: ["admin"],
        granted: [],
        preexisting: [],
        missing: [],
        coveredTables: [],
        stateVersion: 1,
    };
    const news = { connection: PG, grantee: "r", schema: "s" };
    const diff = (n: Record<string, unknown>, o: Partial<TargetGrantsOutputs> = {}) =>
        provider.diff("id", { ...olds, ...o }, { ...news, ...n });

    it("no change", async () => {
        assert.deepEqual(await diff({}), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        assert.deepEqual(await diff({ privileges: ["delete", "select", "insert", "update"] }), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("a rotated password or another admin user is an in-place update", async () => {
        assert.deepEqual(
            await diff({ connection: "postgresql://other:new-pass@DB.internal/app" }),
            {
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            },
        );
    });

    it("replaces (delete first) on another server, database, grantee, schema or dialect", async () => {
        const cases: [Record<string, unknown>, string[]][] = [
            [{ connection: "postgres://admin:p@db.internal:5433/app" }, ["connection"]],
            [{ connection: "postgres://admin:p@db.internal:5432/other" }, ["connection"]],
            [{ connection: UNKNOWN }, ["dialect", "connection"]],
            [{ grantee: "r2" }, ["grantee"]],
            [{ schema: "t" }, ["schema"]],
            [{ connection: "mysql://root@db.internal/" }, ["dialect", "connection"]],
        ];
        for (const [change, replaces] of cases) {
            assert.deepEqual(
                await diff(change),
                { changes: true, replaces, deleteBeforeReplace: true },
                JSON.stringify(change),
            );
        }
        assert.deepEqual(
            await diff(
                { connection: "mysql://root@db/", granteeHost: "10.%" },
                {
                    connection: "mysql://root@db/",
                    dialect: "mysql",
                    granteeHost: "%",
                    server: "mysql://db:3306",
                    defaultPrivileges: false,
                },
            ),
            { changes: true, replaces: ["granteeHost"], deleteBeforeReplace: true },
        );
    });

    it("tables, privileges, default privileges and drift are in-place", async () => {
        for (const change of [
            { tables: ["a"] },
            { privileges: ["SELECT"] },
            { defaultPrivileges: false },
            { defaultPrivilegesFor: ["owner"] },
            { tables: UNKNOWN },
        ]) {
            assert.deepEqual(
                await diff(change),
                { changes: true, replaces: [], deleteBeforeReplace: false },
                JSON.stringify(change),
            );
        }
        assert.deepEqual(
            await diff({}, { missing: [{ kind: "table", object: "t", privilege: "DELETE" }] }),
            {
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            },
        );
    });
});
