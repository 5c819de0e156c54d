import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import { createTestCertificates } from "./feed/testCerts";
import { acceptedBodies, startWebhookReceiver, type WebhookReceiver } from "./feed/webhookReceiver";
import { connect, encodeParam, rejects, waitFor } from "./testHelpers";

describe("CockroachDB test server: pgwire, delegation and transactions", () => {
    let server: CockroachTestServer;
    let db: Client & { tags: string[] };
    const parameters = new Map<string, string>();
    const clusterId = "2c8a3c8e-5f4e-4a1e-9d55-6a3e2d5c1b7f";

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer({ clusterId });
        const client = new Client({ connectionString: server.url });
        const connection = (
            client as unknown as {
                connection: {
                    on(
                        e: string,
                        f: (m: { parameterName: string; parameterValue: string }) => void,
                    ): void;
                };
            }
        ).connection;
        connection.on("parameterStatus", (m) => parameters.set(m.parameterName, m.parameterValue));
        await client.connect();
        await client.end();
        db = await connect(server.url);
    });
    after(async () => {
        await db?.end();
        await server?.stop();
    });

    it("answers startup like CockroachDB and exposes its identity", async () => {
        assert.equal(
            server.url,
            `postgres://root@127.0.0.1:${server.port}/defaultdb?sslmode=disable`,
        );
        assert.equal(parameters.get("server_version"), "13.0.0");
        assert.equal(parameters.get("client_encoding"), "UTF8");
        assert.match(parameters.get("crdb_version") ?? "", /^CockroachDB CCL v25\.4\./);
        const id = await db.query("SELECT crdb_internal.cluster_id()");
        assert.deepEqual(
            [id.fields[0]?.name, id.fields[0]?.dataTypeID, id.rows[0]["crdb_internal.cluster_id"]],
            ["crdb_internal.cluster_id", 2950, clusterId],
        );
        const version = await db.query("SELECT version()");
        assert.match(version.rows[0].version as string, /^CockroachDB CCL v25\.4\.\d+ \(/);
        const ts = await db.query("SELECT cluster_logical_timestamp()");
        assert.equal(ts.fields[0]?.dataTypeID, 1700);
        assert.match(ts.rows[0].cluster_logical_timestamp as string, /^\d{19}\.\d{10}$/);
        await rejects(
            connect(server.url.replace("/defaultdb", "/otherdb")),
            "3D000",
            'database "otherdb" does not exist',
        );
    });

    it("delegates plain SQL with placeholders (extended protocol), CockroachDB names and types", async () => {
        await db.query(
            "CREATE TABLE defaultdb.public.people (id INT PRIMARY KEY, name STRING, photo BYTES)",
        );
        assert.equal(db.tags.at(-1), "CREATE TABLE");
        await db.query("INSERT INTO people (id, name) VALUES ($1, $2), ($3, $4)", [
            1,
            "ada",
            2,
            "bob",
        ]);
        assert.equal(db.tags.at(-1), "INSERT 0 2");
        const selected = await db.query(
            "SELECT id, name FROM defaultdb.public.people WHERE id = $1",
            [2],
        );
        assert.deepEqual(
            selected.fields.map((f) => `${f.name}:${f.dataTypeID}`),
            ["id:20", "name:25"],
        );
        assert.deepEqual(selected.rows, [{ id: "2", name: "bob" }]);
        assert.equal(db.tags.at(-1), "SELECT 1");
        await db.query("UPDATE people SET name = $1 WHERE id = $2", ["ann", 1]);
        assert.equal(db.tags.at(-1), "UPDATE 1");
        await db.query(
            "CREATE SCHEMA _replicator; CREATE TABLE defaultdb._replicator.checkpoints (k STRING PRIMARY KEY)",
        );
        await db.query("INSERT INTO _replicator.checkpoints VALUES ('x')");
        assert.equal(
            (await db.query("SELECT count(*) AS n FROM defaultdb._replicator.checkpoints")).rows[0]
                .n,
            "1",
        );
    });

    it("runs simple multi-statement queries and keeps transactions consistent", async () => {
        const results = (await db.query("SELECT 1 AS a; SELECT current_user")) as unknown as Array<{
            rows: unknown[];
        }>;
        assert.deepEqual(
            results.map((r) => r.rows),
            [[{ a: 1 }], [{ current_user: "root" }]],
        );
        await db.query("BEGIN");
        await db.query("INSERT INTO people (id, name) VALUES (3, 'cy')");
        await db.query("ROLLBACK");
        await db.query("BEGIN; INSERT INTO people (id, name) VALUES (4, 'di'); COMMIT");
        await rejects(
            db.query("INSERT INTO people (id, name) VALUES (5, 'ed'); SELECT 1/0"),
            "22012",
            "division by zero",
        );
        const ids = (await db.query("SELECT id FROM people ORDER BY id")).rows.map((r) => r.id);
        assert.deepEqual(
            ids,
            ["1", "2", "4"],
            "3 rolled back, 5 undone with its failed implicit transaction",
        );
    });

    it("rejects what is neither CockroachDB grammar nor plain SQL with a CockroachDB syntax error", async () => {
        await rejects(
            db.query("FROBNICATE everything"),
            "42601",
            'at or near "frobnicate": syntax error',
        );
        await rejects(db.query("SHOW CHANGEFEED JOBZ"), "42601", 'at or near "jobz": syntax error');
        await rejects(db.query("PAUSE JOB"), "42601", 'at or near "EOF": syntax error');
        await rejects(
            db.query("GRANT CHANGEFEED ON TABLE people"),
            "42601",
            'at or near "EOF": syntax error',
        );
    });

    it("records every statement it received, in order", () => {
        const log = server.statements;
        const create = log.indexOf(
            "CREATE TABLE defaultdb.public.people (id INT PRIMARY KEY, name STRING, photo BYTES)",
        );
        const insert = log.indexOf("INSERT INTO people (id, name) VALUES ($1, $2), ($3, $4)");
        assert.ok(create >= 0 && insert > create);
        assert.ok(log.includes("SELECT 1 AS a") && log.includes("SELECT current_user"));
    });
});

describe("CockroachDB test server: a changefeed delivers through the feed engine", () => {
    let server: CockroachTestServer;
    let db: Client;
    let receiver: WebhookReceiver;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        const certs = await createTestCertificates();
        receiver = await startWebhookReceiver(certs.server);
        server = await startCockroachTestServer();
        db = await connect(server.url);
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        await db.query("CREATE TABLE accounts (id INT PRIMARY KEY, balance INT)");
        const cursor = (await db.query("SELECT cluster_logical_timestamp()")).rows[0]
            .cluster_logical_timestamp as string;
        await db.query("INSERT INTO accounts VALUES (1, 100)");
        const sink = `webhook-https://127.0.0.1:${receiver.port}/defaultdb/public?ca_cert=${encodeParam(certs.ca.certPem)}`;
        await db.query(
            "CREATE CHANGEFEED FOR TABLE accounts INTO $1 WITH updated, resolved = '100ms', min_checkpoint_frequency = '100ms', cursor = $2, initial_scan = 'no'",
            [sink, cursor],
        );
    });
    after(async () => {
        await db?.end();
        await server?.stop();
        await receiver?.close();
    });

    it("records the feed's checkpoints as high_water_timestamp and running_status", async () => {
        await waitFor(
            () => acceptedBodies(receiver).some((b) => JSON.stringify(b).includes('"balance":100')),
            10_000,
        );
        await waitFor(async () => {
            const row = (await db.query("SHOW CHANGEFEED JOBS")).rows[0];
            return (
                row?.high_water_timestamp !== null &&
                /^running: resolved=\d+\.\d{9},\d+$/.test(row?.running_status ?? "")
            );
        }, 10_000);
        const row = (await db.query("SHOW CHANGEFEED JOBS")).rows[0];
        assert.match(row.high_water_timestamp as string, /^\d{19}\.\d{10}$/);
        assert.ok(row.readable_high_water_timestamptz instanceof Date);
        const job = server.jobs()[0];
        assert.equal(job?.highWater, row.high_water_timestamp);
    });
});
