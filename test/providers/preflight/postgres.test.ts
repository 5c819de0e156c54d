/**
 * Preflight against the real PostgreSQL server with the CockroachDB test server: a drifted
 * schema fails with every problem listed and nothing created; a compatible one passes; an
 * ignored column passes; the command's report lists the same problems.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { pgq, urlWith, withPg } from "../../support/grants/fixtures";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { preflightReport } from "../../../src/cli/preflight";
import {
    COMPATIBLE,
    DRIFTED,
    create,
    inputs,
    startCockroach,
    writes,
    type CockroachFixture,
} from "./harness";

const database = uniqueName("pf_pg");
const grantee = uniqueName("pf_repl");
const targetUrl = urlWith(POSTGRES_ADMIN_URL, database);

const TARGET_DDL = [
    "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(20), amount numeric(12,2), placed_at timestamptz, paid boolean)",
    "CREATE TABLE accounts (id bigint PRIMARY KEY, name text)",
    "CREATE TABLE customers (id bigint PRIMARY KEY, name text)",
    "CREATE TABLE payments (id bigint PRIMARY KEY, region text NOT NULL, amount integer)",
    "CREATE TABLE shipments (id bigint PRIMARY KEY, note text, carrier text NOT NULL)",
];

describe("Preflight on PostgreSQL", () => {
    let crdb: CockroachFixture;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        crdb = await startCockroach();
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${pgq(database)}`);
            await c.query(`CREATE ROLE ${pgq(grantee)} LOGIN`);
        });
        await withPg(targetUrl, async (c) => {
            for (const statement of TARGET_DDL) await c.query(statement);
            await c.query(`GRANT USAGE ON SCHEMA public TO ${pgq(grantee)}`);
            await c.query(
                `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${pgq(grantee)}`,
            );
        });
    });

    after(async () => {
        await crdb?.stop();
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${pgq(grantee)}`);
        });
    });

    it("passes a compatible schema, read-only", async () => {
        const from = crdb.server.statements.length;
        const result = await create(inputs(crdb.server, targetUrl, "public", grantee, COMPATIBLE));
        assert.ok(result.ok, result.ok ? "" : result.message);
        assert.deepEqual(result.outs.checkedTables, ["public.orders"]);
        assert.deepEqual(writes(crdb.server, from), []);
    });

    it("fails a drifted schema with every problem listed, each with its object and fix, and creates nothing", async () => {
        // The compatible table's zone keeps rows long enough for the old cursor; the others inherit
        // the default GC TTL and are reported.
        const cockroach = new Client({ connectionString: crdb.server.url });
        await cockroach.connect();
        try {
            await cockroach.query(
                "ALTER TABLE defaultdb.public.orders CONFIGURE ZONE USING gc.ttlseconds = 2000000000",
            );
        } finally {
            await cockroach.end();
        }
        const from = crdb.server.statements.length;
        const result = await create(
            inputs(crdb.server, targetUrl, "public", grantee, [...COMPATIBLE, ...DRIFTED], {
                rangefeedManaged: false,
                cursor: "1700000000000000000.0000000000",
            }),
        );
        assert.equal(result.ok, false);
        const message = result.ok ? "" : result.message;
        const expected = [
            /ERROR \[columns\] CockroachDB column defaultdb\.public\.customers\.email: .*unexpected columns: email.*Fix: add the column/,
            /ERROR \[primaryKey\] target table public\.payments: primary key \(id\) differs from CockroachDB's \(region, id\)/,
            /ERROR \[types\] column public\.payments\.amount: INT8 → integer: narrowing/,
            /ERROR \[notNull\] column public\.shipments\.carrier: is NOT NULL without a default/,
            /ERROR \[tables\] target table public\.invoices: does not exist/,
            /ERROR \[cluster\] cluster setting kv\.rangefeed\.enabled: is false/,
            /ERROR \[gcTtl\] CockroachDB table defaultdb\.public\.customers: gc\.ttlseconds is 14400, but the cursor is \d+ s old .*Fix: ALTER TABLE "defaultdb"\."public"\."customers" CONFIGURE ZONE USING gc\.ttlseconds = \d+/,
        ];
        for (const pattern of expected) assert.match(message, pattern);
        assert.match(
            message,
            /failed: 10 problem\(s\)/,
            "six drifts and the GC TTL of the four tables whose zone inherits the default",
        );
        assert.ok(
            !message.split("\n").some((l) => /^\s+(ERROR|WARNING)/.test(l) && l.includes("orders")),
            "the compatible table has no problem",
        );
        assert.deepEqual(writes(crdb.server, from), [], "only reads ran on CockroachDB");
        assert.deepEqual(crdb.server.jobs(), [], "no changefeed exists");
        assert.ok(!message.includes(POSTGRES_ADMIN_URL), "no connection string in the report");
    });

    it("passes a table whose extra CockroachDB column is ignored, and reports it when it is not", async () => {
        const ignored = await create(
            inputs(crdb.server, targetUrl, "public", grantee, ["accounts"], {
                ignoreColumns: { accounts: ["internal_note"] },
            }),
        );
        assert.ok(ignored.ok, ignored.ok ? "" : ignored.message);
        const notIgnored = await create(
            inputs(crdb.server, targetUrl, "public", grantee, ["accounts"]),
        );
        assert.equal(notIgnored.ok, false);
        assert.match(notIgnored.ok ? "" : notIgnored.message, /accounts\.internal_note/);
    });

    it("reports a grantee without the apply privileges unless TargetGrants manages them", async () => {
        await withPg(targetUrl, (c) => c.query(`REVOKE DELETE ON orders FROM ${pgq(grantee)}`));
        try {
            const missing = await create(
                inputs(crdb.server, targetUrl, "public", grantee, COMPATIBLE),
            );
            assert.match(
                missing.ok ? "" : missing.message,
                /ERROR \[targetPrivileges\] target table public\.orders: .* lacks DELETE.*Fix: GRANT DELETE ON "public"\."orders"/,
            );
            const managed = await create(
                inputs(crdb.server, targetUrl, "public", grantee, COMPATIBLE, {
                    grantsManaged: true,
                }),
            );
            assert.ok(managed.ok);
        } finally {
            await withPg(targetUrl, (c) => c.query(`GRANT DELETE ON orders TO ${pgq(grantee)}`));
        }
    });

    it("the command's report on the same configuration lists the same problems", async () => {
        const preflight = inputs(
            crdb.server,
            targetUrl,
            "public",
            grantee,
            [...COMPATIBLE, ...DRIFTED],
            {
                rangefeedManaged: false,
                cursor: "1700000000000000000.0000000000",
            },
        );
        const viaProvider = await create(preflight);
        const viaCommand = await preflightReport(preflight);
        assert.equal(viaCommand.code, 1);
        // The cursor's age (in the GC TTL fix) grows between the two runs.
        const lines = (text: string) =>
            text
                .split("\n")
                .filter((l) => /^\s+(ERROR|WARNING|NOT CHECKED)/.test(l))
                .map((l) =>
                    l
                        .replace(/at least \d+/, "at least N")
                        .replace(/is \d+ s old/, "is N s old")
                        .replace(/gc\.ttlseconds = \d+/, "gc.ttlseconds = N"),
                );
        assert.deepEqual(
            lines(viaCommand.report),
            lines(viaProvider.ok ? "" : viaProvider.message),
        );
        assert.ok(lines(viaCommand.report).length >= 7);
    });

    it("the crdb-failback-preflight command, given the stack configuration, prints the same problems and exits 1", async () => {
        const dir = mkdtempSync(join(tmpdir(), "preflight-"));
        const file = join(dir, "config.json");
        const tables = [...COMPATIBLE, ...DRIFTED].join(",");
        writeFileSync(
            file,
            JSON.stringify({
                "crdb-failback:dialect": { value: "postgres" },
                "crdb-failback:cockroachConnection": { value: crdb.server.url, secret: true },
                "crdb-failback:targetAdminConnection": { value: targetUrl, secret: true },
                "crdb-failback:schema": { value: "public" },
                "crdb-failback:tables": { value: tables },
                "crdb-failback:grantee": { value: grantee },
                "crdb-failback:stagingSchema": { value: "defaultdb._replicator" },
                "crdb-failback:manageClusterSettings": { value: "false" },
            }),
        );
        const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
            execFile(
                process.execPath,
                ["dist/cli/preflightMain.js", "--config", file],
                (err, stdout) =>
                    resolve({
                        code: err ? Number((err as { code?: number }).code ?? 1) : 0,
                        stdout,
                    }),
            );
        });
        assert.equal(run.code, 1, run.stdout);
        const viaProvider = await create(
            inputs(crdb.server, targetUrl, "public", grantee, [...COMPATIBLE, ...DRIFTED], {
                rangefeedManaged: false,
                grantsManaged: true,
                stagingCreateSchema: false,
            }),
        );
        const lines = (text: string) =>
            text.split("\n").filter((l) => /^\s+(ERROR|WARNING|NOT CHECKED)/.test(l));
        assert.deepEqual(lines(run.stdout), lines(viaProvider.ok ? "" : viaProvider.message));
        assert.equal(lines(run.stdout).length, 6);
        assert.ok(!run.stdout.includes(crdb.server.url) && !run.stdout.includes(targetUrl));
    });

    it("reports what a CockroachDB user who is not an admin lacks, with the GRANT that fixes it", async () => {
        const admin = new Client({ connectionString: crdb.server.url });
        await admin.connect();
        try {
            await admin.query("CREATE USER pf_feeder");
        } finally {
            await admin.end();
        }
        const result = await create({
            ...inputs(crdb.server, targetUrl, "public", grantee, COMPATIBLE),
            cockroachConnection: crdb.server.urlFor("pf_feeder"),
        });
        const message = result.ok ? "" : result.message;
        assert.match(
            message,
            /ERROR \[cockroachPrivileges\] CockroachDB table defaultdb\.public\.orders: user pf_feeder lacks CHANGEFEED on it\. Fix: GRANT CHANGEFEED ON TABLE "orders" TO "pf_feeder";/,
        );
        assert.match(
            message,
            /ERROR \[cockroachPrivileges\] CockroachDB user pf_feeder: lacks VIEWJOB.*GRANT SYSTEM VIEWJOB TO "pf_feeder";/,
        );
    });
});
