import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import {
    connect,
    encodeParam,
    makeCertificates,
    rejects,
    type TestCertificates,
} from "./testHelpers";

describe("CockroachDB test server: CREATE CHANGEFEED (§6.1, §6.2)", () => {
    let server: CockroachTestServer;
    let db: Client & { tags: string[] };
    let certs: TestCertificates;
    let sink: string;
    const now = async () =>
        (await db.query("SELECT cluster_logical_timestamp()")).rows[0]
            .cluster_logical_timestamp as string;
    const create = (sinkUri: string, withClause: string, params: unknown[] = []) =>
        db.query(`CREATE CHANGEFEED FOR TABLE orders INTO $1 ${withClause}`, [sinkUri, ...params]);

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        certs = makeCertificates();
        server = await startCockroachTestServer({ gcThresholdSeconds: 3600 });
        db = await connect(server.url);
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        await db.query("CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL)");
        await db.query("CREATE SCHEMA sales; CREATE TABLE sales.payments (id INT PRIMARY KEY)");
        sink =
            `webhook-https://127.0.0.1:30004/migration_db/public?ca_cert=${encodeParam(certs.caCertPem)}` +
            `&client_cert=${encodeParam(certs.clientCertPem)}&client_key=${encodeParam(certs.clientKeyPem)}`;
    });
    after(async () => {
        await db?.end();
        await server?.stop();
    });

    it("creates the MOLT failback changefeed and returns job_id INT8", async () => {
        const cursor = await now();
        const result = await db.query(
            `CREATE CHANGEFEED FOR TABLE orders, defaultdb.sales.payments INTO $1 WITH updated, resolved = '250ms', ` +
                `min_checkpoint_frequency = '250ms', initial_scan = 'no', cursor = $2, ` +
                `webhook_sink_config = '{"Flush":{"Bytes":1048576,"Frequency":"1s"}}', webhook_client_timeout = '10s', ` +
                `webhook_auth_header = $3`,
            [sink, cursor, "Bearer secret-token"],
        );
        assert.deepEqual(
            result.fields.map((f) => [f.name, f.dataTypeID]),
            [["job_id", 20]],
        );
        const jobId = result.rows[0].job_id as string;
        assert.match(jobId, /^\d{18,19}$/);
        assert.equal(db.tags.at(-1), "CREATE CHANGEFEED 1");
        const job = (await db.query("SHOW CHANGEFEED JOB " + jobId)).rows[0];
        assert.equal(
            job.description,
            "CREATE CHANGEFEED FOR TABLE orders, TABLE defaultdb.sales.payments INTO " +
                "'webhook-https://127.0.0.1:30004/migration_db/public?ca_cert=redacted&client_cert=redacted&client_key=redacted' " +
                `WITH OPTIONS (cursor = '${cursor}', initial_scan = 'no', min_checkpoint_frequency = '250ms', resolved = '250ms', updated, ` +
                `webhook_auth_header = 'redacted', webhook_client_timeout = '10s', ` +
                `webhook_sink_config = '{"Flush":{"Bytes":1048576,"Frequency":"1s"}}')`,
        );
        assert.equal(
            job.sink_uri,
            "webhook-https://127.0.0.1:30004/migration_db/public?ca_cert=redacted&client_cert=redacted&client_key=redacted",
        );
        assert.deepEqual(job.full_table_names, [
            "defaultdb.public.orders",
            "defaultdb.sales.payments",
        ]);
        assert.ok(!JSON.stringify(job).includes("secret-token"));
        assert.ok(!JSON.stringify(job).includes(encodeParam(certs.clientKeyPem).slice(0, 40)));
    });

    it("accepts string literals, bare words, WITH OPTIONS (...) and flags", async () => {
        const plain =
            "webhook-https://user:pw@127.0.0.1:30004/db?insecure_tls_skip_verify=true&access_token=abc";
        const result = await db.query(
            `CREATE CHANGEFEED FOR orders INTO '${plain}' WITH OPTIONS (envelope = wrapped, format = 'JSON', diff, resolved)`,
        );
        const job = (await db.query("SHOW CHANGEFEED JOB $1", [result.rows[0].job_id])).rows[0];
        assert.equal(
            job.description,
            "CREATE CHANGEFEED FOR TABLE orders INTO 'webhook-https://redacted@127.0.0.1:30004/db?access_token=abc&insecure_tls_skip_verify=true' " +
                "WITH OPTIONS (diff, envelope = 'wrapped', format = 'json', resolved)",
        );
        assert.equal(job.format, "json");
    });

    it("rejects bad sinks like CockroachDB", async () => {
        await rejects(
            db.query("CREATE CHANGEFEED FOR orders INTO ''"),
            "XXUUU",
            "omit the SINK clause for inline results",
        );
        await rejects(create("", ""), "XXUUU", "omit the SINK clause for inline results");
        await rejects(
            create("webhook-http://127.0.0.1:1/x", ""),
            "XXUUU",
            "this sink requires webhook-https",
        );
        await rejects(
            create("webhook-https://127.0.0.1:1/x?ca_cert=not*base64", ""),
            "XXUUU",
            /^param ca_cert must be base 64 encoded/,
        );
        await rejects(
            create(
                `webhook-https://127.0.0.1:1/x?client_cert=${encodeParam(certs.clientCertPem)}`,
                "",
            ),
            "XXUUU",
            "client_cert requires client_key to be set",
        );
        await rejects(
            create(
                `webhook-https://127.0.0.1:1/x?client_key=${encodeParam(certs.clientKeyPem)}`,
                "",
            ),
            "XXUUU",
            "client_key requires client_cert to be set",
        );
        await rejects(
            create("webhook-https://127.0.0.1:1/x", "WITH kafka_sink_config = '{}'"),
            "XXUUU",
            "this sink is incompatible with option kafka_sink_config",
        );
        await rejects(
            db.query(
                "CREATE CHANGEFEED FOR orders INTO 'webhook-https://h:1/x' WITH resolved = 10s",
            ),
            "42601",
            'at or near "10": syntax error',
        );
    });

    it("rejects bad options like CockroachDB", async () => {
        const url = "webhook-https://127.0.0.1:1/x";
        await rejects(create(url, "WITH nonsense"), "XXUUU", 'invalid option "nonsense"');
        await rejects(
            create(url, "WITH updated = 'yes'"),
            "XXUUU",
            'option "updated" does not take a value',
        );
        await rejects(create(url, "WITH cursor"), "XXUUU", 'option "cursor" requires a value');
        await rejects(
            create(url, "WITH resolved = '-1s'"),
            "22023",
            "negative durations are not accepted: resolved='-1s'",
        );
        await rejects(
            create(url, "WITH resolved = 'soon'"),
            "22023",
            'problem parsing option resolved: time: invalid duration "soon"',
        );
        await rejects(
            create(url, "WITH webhook_client_timeout = '0s'"),
            "22023",
            "option webhook_client_timeout must be a duration greater than 0",
        );
        await rejects(
            create(url, "WITH initial_scan = 'maybe'"),
            "XXUUU",
            "unknown initial_scan: maybe, valid values are 'yes', 'no',  and 'only'",
        );
        await rejects(
            create(url, "WITH initial_scan = 'yes', no_initial_scan"),
            "XXUUU",
            "cannot specify both initial_scan and no_initial_scan",
        );
        await rejects(
            create(url, "WITH envelope = 'nope'"),
            "22023",
            /^unknown envelope: nope, valid values are /,
        );
        await rejects(
            create(url, `WITH webhook_sink_config = '{"Flush":{"Messages":10}}'`),
            "XXUUU",
            "invalid sink config, Flush.Frequency is not set, messages may never be sent",
        );
        await rejects(
            create(url, `WITH webhook_sink_config = '{"Flush":{"Bytes":-1,"Frequency":"1s"}}'`),
            "XXUUU",
            "invalid sink config, all values must be non-negative",
        );
        await rejects(
            create(url, `WITH webhook_sink_config = 'not json'`),
            "XXUUU",
            /^error unmarshalling json/,
        );
    });

    it("rejects bad cursors like CockroachDB", async () => {
        const url = "webhook-https://127.0.0.1:1/x";
        const future = `${BigInt(Date.now() + 3_600_000) * 1_000_000n}.0000000000`;
        await rejects(
            create(url, "WITH cursor = $2", [future]),
            "XXUUU",
            /^AS OF SYSTEM TIME: cannot specify timestamp in the future/,
        );
        await rejects(
            create(url, "WITH cursor = '0'"),
            "XXUUU",
            "AS OF SYSTEM TIME: zero timestamp is invalid",
        );
        await rejects(
            create(url, "WITH cursor = 'yesterday-ish'"),
            "XXUUU",
            "AS OF SYSTEM TIME: value is neither timestamp, decimal, nor interval",
        );
        const old = `${BigInt(Date.now() - 2 * 3_600_000) * 1_000_000n}.0000000000`;
        await assert.rejects(
            create(url, "WITH cursor = $2", [old]),
            (err: Error & { code?: string; hint?: string }) => {
                assert.equal(err.code, "XXUUU");
                assert.ok(
                    err.message.startsWith(
                        `could not create changefeed: cursor ${old} is older than the GC threshold `,
                    ),
                );
                assert.equal(err.hint, "use a more recent cursor");
                return true;
            },
        );
        const recent = await db.query(
            `CREATE CHANGEFEED FOR orders INTO '${url}' WITH cursor = '-10m'`,
        );
        assert.equal(recent.rows.length, 1);
    });

    it("rejects missing tables with CockroachDB's text, and anything that is not the grammar", async () => {
        await rejects(
            db.query("CREATE CHANGEFEED FOR TABLE nosuch INTO 'webhook-https://h:1/x'"),
            "XXUUU",
            'failed to resolve targets in the CHANGEFEED stmt: table "nosuch" does not exist',
        );
        await rejects(
            db.query("CREATE CHANGEFEED FOR TABLE orders INTO"),
            "42601",
            'at or near "EOF": syntax error',
        );
        await rejects(db.query("CREATE CHANGEFEED TABLE orders INTO 'x'"), "0A000", /CDC query/);
        assert.ok(
            server.statements.includes(
                "CREATE CHANGEFEED FOR TABLE nosuch INTO 'webhook-https://h:1/x'",
            ),
        );
    });
});
