/**
 * Preflight against the real MariaDB server with the CockroachDB test server (a MySQL "schema"
 * is a database): drifted schema, compatible schema, ignored column, MySQL-specific types.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MARIADB_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { myq, withMysql } from "../../support/grants/fixtures";
import {
    COMPATIBLE,
    DRIFTED,
    create,
    inputs,
    startCockroach,
    writes,
    type CockroachFixture,
} from "./harness";

const database = uniqueName("pf_my");
const grantee = uniqueName("pf_repl");
const account = `'${grantee}'@'%'`;

const TARGET_DDL = [
    "CREATE TABLE orders (id BIGINT PRIMARY KEY, code VARCHAR(20), amount DECIMAL(12,2), placed_at DATETIME(6), paid TINYINT(1))",
    "CREATE TABLE accounts (id BIGINT PRIMARY KEY, name TEXT)",
    "CREATE TABLE customers (id BIGINT PRIMARY KEY, name LONGTEXT)",
    "CREATE TABLE payments (id BIGINT PRIMARY KEY, region VARCHAR(10) NOT NULL, amount INT)",
    "CREATE TABLE shipments (id BIGINT PRIMARY KEY, note LONGTEXT, carrier VARCHAR(20) NOT NULL)",
];

describe("Preflight on MariaDB", () => {
    let crdb: CockroachFixture;

    before(async () => {
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        crdb = await startCockroach();
        await withMysql(MARIADB_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${myq(database)}`);
            for (const statement of TARGET_DDL)
                await c.query(statement.replace("CREATE TABLE ", `CREATE TABLE ${myq(database)}.`));
            await c.query(`CREATE USER ${account} IDENTIFIED BY 'pw'`);
            await c.query(
                `GRANT SELECT, INSERT, UPDATE, DELETE ON ${myq(database)}.* TO ${account}`,
            );
        });
    });

    after(async () => {
        await crdb?.stop();
        await withMysql(MARIADB_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${myq(database)}`);
            await c.query(`DROP USER IF EXISTS ${account}`);
        });
    });

    it("passes a compatible schema (database-wide grant, TINYINT(1) for BOOL, DATETIME(6) for TIMESTAMPTZ)", async () => {
        const result = await create(
            inputs(crdb.server, MARIADB_ADMIN_URL, database, grantee, COMPATIBLE),
        );
        assert.ok(result.ok, result.ok ? "" : result.message);
        assert.deepEqual(result.outs.warnings, []);
    });

    it("fails a drifted schema with every problem listed and creates nothing", async () => {
        const from = crdb.server.statements.length;
        const result = await create(
            inputs(crdb.server, MARIADB_ADMIN_URL, database, grantee, [...COMPATIBLE, ...DRIFTED]),
        );
        assert.equal(result.ok, false);
        const message = result.ok ? "" : result.message;
        for (const pattern of [
            /ERROR \[columns\] CockroachDB column defaultdb\.public\.customers\.email: .*unexpected columns: email/,
            /ERROR \[primaryKey\] target table [^ ]+\.payments: primary key \(id\) differs from CockroachDB's \(region, id\)/,
            /ERROR \[types\] column [^ ]+\.payments\.amount: INT8 → int\(11\): narrowing/,
            /WARNING \[types\] column [^ ]+\.payments\.region: STRING → varchar\(10\): STRING has no length limit/,
            /ERROR \[notNull\] column [^ ]+\.shipments\.carrier: is NOT NULL without a default/,
            /ERROR \[tables\] target table [^ ]+\.invoices: does not exist/,
        ]) {
            assert.match(message, pattern);
        }
        assert.match(message, /failed: 5 problem\(s\), 1 warning\(s\)/);
        assert.deepEqual(writes(crdb.server, from), []);
        assert.deepEqual(crdb.server.jobs(), []);
    });

    it("passes an ignored column; reports a missing grant per table", async () => {
        const ignored = await create(
            inputs(crdb.server, MARIADB_ADMIN_URL, database, grantee, ["accounts"], {
                ignoreColumns: { accounts: ["internal_note"] },
            }),
        );
        assert.ok(ignored.ok, ignored.ok ? "" : ignored.message);
        const other = uniqueName("pf_none");
        const missing = await create(
            inputs(crdb.server, MARIADB_ADMIN_URL, database, other, COMPATIBLE),
        );
        assert.match(
            missing.ok ? "" : missing.message,
            /\[targetPrivileges\] target table [^ ]+\.orders: .* lacks SELECT, INSERT, UPDATE, DELETE/,
        );
    });
});
