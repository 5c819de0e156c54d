/**
 * The test server against CockroachDB's source, one behaviour per test; each names the file and
 * function it follows (details in docs/cockroachdb-behaviour.md).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import { PROFILES, type CockroachProfileName } from "./profiles";
import { connect, rejects, waitFor } from "./testHelpers";

const SINK = "webhook-https://127.0.0.1:1/defaultdb/public";

async function withServer(
    options: Parameters<typeof startCockroachTestServer>[0],
    body: (server: CockroachTestServer, db: Client & { tags: string[] }) => Promise<void>,
): Promise<void> {
    const server = await startCockroachTestServer(options);
    const db = await connect(server.url);
    try {
        await body(server, db);
    } finally {
        await db.end();
        await server.stop();
    }
}

describe("CockroachDB test server follows CockroachDB's source", () => {
    let server: CockroachTestServer;
    let db: Client & { tags: string[] };
    const status = async (id: string) =>
        (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0]?.status as string;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer({ profile: "v25.4" });
        db = await connect(server.url);
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        await db.query(
            'CREATE TABLE a (id INT PRIMARY KEY); CREATE TABLE "Orders" (id INT PRIMARY KEY); CREATE TABLE "select" (id INT PRIMARY KEY)',
        );
    });
    after(async () => {
        await db?.end();
        await server?.stop();
    });

    it("changefeed_stmt.go validateSettings: rangefeeds off refuses CREATE before any job exists", async () => {
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = false");
        try {
            await rejects(
                db.query(`CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH updated`),
                "XXUUU",
                "rangefeeds require the kv.rangefeed.enabled setting. See https://www.cockroachlabs.com/docs/v25.4/create-and-configure-changefeeds.html#enable-rangefeeds",
            );
            assert.equal(server.jobs().length, 0);
            // initial_scan = 'only' does not need rangefeeds.
            await db.query(
                `CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH initial_scan = 'only'`,
            );
        } finally {
            await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        }
    });

    it("alter_changefeed_stmt.go alterChangefeedPlanHook: ALTER checks the rangefeed setting too", async () => {
        const id = (await db.query(`CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH updated`))
            .rows[0].job_id as string;
        await db.query(`PAUSE JOB ${id}`);
        await waitFor(async () => (await status(id)) === "paused");
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = false");
        try {
            await rejects(
                db.query(`ALTER CHANGEFEED ${id} SET resolved = '5s'`),
                "XXUUU",
                /^rangefeeds require the kv.rangefeed.enabled setting/,
            );
        } finally {
            await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        }
        await rejects(
            db.query(`ALTER CHANGEFEED 42 SET resolved = '5s'`),
            "XXUUU",
            "could not load job with job id 42: job with ID 42 does not exist",
        );
    });

    it("changefeed_stmt.go changefeedPlanHook: validation order initial scan → rangefeed → cursor → targets → privileges → options → sink", async () => {
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = false");
        try {
            // Initial-scan conflicts come before the rangefeed setting.
            await rejects(
                db.query(
                    `CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH initial_scan = 'yes', no_initial_scan`,
                ),
                "XXUUU",
                "cannot specify both initial_scan and no_initial_scan",
            );
            // The rangefeed setting comes before a bad cursor, a missing table, bad values.
            await rejects(
                db.query(
                    `CREATE CHANGEFEED FOR TABLE nosuch INTO '${SINK}' WITH cursor = 'soon', resolved = '-1s'`,
                ),
                "XXUUU",
                /^rangefeeds require/,
            );
        } finally {
            await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        }
        // The cursor comes before the targets.
        await rejects(
            db.query(
                `CREATE CHANGEFEED FOR TABLE nosuch INTO '${SINK}' WITH cursor = 'soon', resolved = '-1s'`,
            ),
            "XXUUU",
            "AS OF SYSTEM TIME: value is neither timestamp, decimal, nor interval",
        );
        // Targets come before option values.
        await rejects(
            db.query(`CREATE CHANGEFEED FOR TABLE nosuch INTO '${SINK}' WITH resolved = '-1s'`),
            "XXUUU",
            /^failed to resolve targets in the CHANGEFEED stmt/,
        );
        // Option values (ValidateForCreateChangefeed, wrapped as 22023) come before the sink.
        await rejects(
            db.query(`CREATE CHANGEFEED FOR TABLE a INTO 'kafka://h:9092' WITH resolved = '-1s'`),
            "22023",
            "negative durations are not accepted: resolved='-1s'",
        );
        await rejects(
            db.query(`CREATE CHANGEFEED FOR TABLE a INTO 'kafka://h:9092' WITH resolved = '1s'`),
            "XXUUU",
            "unsupported sink: kafka",
        );
    });

    it("changefeed_stmt.go getTargetDescriptors + rowFnLogErrors: an old cursor fails the descriptor read, before privileges", async () => {
        await db.query("CREATE USER IF NOT EXISTS nopriv");
        const old = `${BigInt(Date.now() - 5 * 3_600_000) * 1_000_000n}.0000000000`;
        const url = server.urlFor("nopriv");
        const other = await connect(url);
        try {
            await assert.rejects(
                other.query(`CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH cursor = '${old}'`),
                (err: Error & { code?: string; hint?: string }) => {
                    assert.equal(err.code, "XXUUU");
                    assert.match(
                        err.message,
                        /^could not create changefeed: cursor \d+\.0000000000 is older than the GC threshold \d+: batch timestamp \d+\.\d{9},0 must be after replica GC threshold \d+\.\d{9},0$/,
                    );
                    assert.equal(err.hint, "use a more recent cursor");
                    return true;
                },
            );
        } finally {
            await other.end();
        }
    });

    it("kvfeed catch-up scan: a job whose data under its start was collected fails", async () => {
        await withServer({ gcThresholdSeconds: 2 }, async (gcServer, gcDb) => {
            await gcDb.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
            await gcDb.query("CREATE TABLE t (id INT PRIMARY KEY)");
            const id = (
                await gcDb.query(`CREATE CHANGEFEED FOR TABLE t INTO '${SINK}' WITH updated`)
            ).rows[0].job_id as string;
            await gcDb.query(`PAUSE JOB ${id}`);
            const jobStatus = async () =>
                (await gcDb.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0]?.status as string;
            await waitFor(async () => (await jobStatus()) === "paused");
            await new Promise((resolve) => setTimeout(resolve, 2_500));
            await gcDb.query(`RESUME JOB ${id}`);
            await waitFor(async () => (await jobStatus()) === "failed");
            assert.match(
                gcServer.jobs()[0]?.error ?? "",
                /^batch timestamp \d+\.\d{9},\d+ must be after replica GC threshold \d+\.\d{9},0$/,
            );
        });
    });

    it("delegate/show_changefeed_jobs.go: full_table_names are raw names joined with dots", async () => {
        const id = (
            await db.query(
                `CREATE CHANGEFEED FOR TABLE "Orders", "select" INTO '${SINK}' WITH updated`,
            )
        ).rows[0].job_id as string;
        const row = (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0];
        assert.deepEqual(row.full_table_names, [
            "defaultdb.public.Orders",
            "defaultdb.public.select",
        ]);
    });

    it("delegate: SELECT … FROM [SHOW CHANGEFEED JOBS] is a statement source", async () => {
        const id = (await db.query(`CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH updated`))
            .rows[0].job_id as string;
        const rows = (
            await db.query(
                "SELECT job_id, status, full_table_names FROM [SHOW CHANGEFEED JOBS] WHERE job_id = $1",
                [id],
            )
        ).rows;
        assert.deepEqual(rows, [
            { job_id: id, status: "running", full_table_names: ["defaultdb.public.a"] },
        ]);
        const one = (await db.query(`SELECT status FROM [SHOW CHANGEFEED JOB ${id}]`)).rows;
        assert.deepEqual(one, [{ status: "running" }]);
    });

    it("changefeedbase.RedactUserFromURI: user info in the sink becomes `redacted`", async () => {
        const id = (
            await db.query(
                `CREATE CHANGEFEED FOR TABLE a INTO 'webhook-https://alice:s3cret@127.0.0.1:1/defaultdb/public' WITH updated`,
            )
        ).rows[0].job_id as string;
        const row = (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0];
        assert.equal(row.sink_uri, "webhook-https://redacted@127.0.0.1:1/defaultdb/public");
        assert.ok(!String(row.description).includes("s3cret"));
        assert.ok(!String(row.description).includes("alice"));
    });

    it("alter_changefeed_stmt.go: the rebuilt description leaves out initial_scan", async () => {
        const id = (
            await db.query(
                `CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH updated, initial_scan = 'no'`,
            )
        ).rows[0].job_id as string;
        assert.match(
            (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0].description as string,
            /initial_scan = 'no'/,
        );
        await db.query(`PAUSE JOB ${id}`);
        await waitFor(async () => (await status(id)) === "paused");
        const altered = await db.query(`ALTER CHANGEFEED ${id} SET resolved = '5s'`);
        assert.equal(
            altered.rows[0].job_description,
            `CREATE CHANGEFEED FOR TABLE defaultdb.public.a INTO '${SINK}' WITH OPTIONS (resolved = '5s', updated)`,
        );
    });

    it("changefeed_processors.go runStatusUpdateFrequency: running_status changes at most once a minute", async () => {
        const { startWebhookReceiver } = await import("./feed/webhookReceiver");
        const { createTestCertificates } = await import("./feed/testCerts");
        const certs = await createTestCertificates();
        const receiver = await startWebhookReceiver(certs.server, certs.ca.certPem);
        try {
            const caParam = encodeURIComponent(Buffer.from(certs.ca.certPem).toString("base64"));
            const sink = `webhook-https://127.0.0.1:${receiver.port}/defaultdb/public?ca_cert=${caParam}`;
            const id = (
                await db.query(
                    `CREATE CHANGEFEED FOR TABLE a INTO '${sink}' WITH updated, resolved = '100ms', min_checkpoint_frequency = '100ms'`,
                )
            ).rows[0].job_id as string;
            const runningStatus = async () =>
                (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0]?.running_status as
                    string | null;
            await waitFor(async () => ((await runningStatus()) ?? "").startsWith("running"));
            const first = await runningStatus();
            const highWater = () => server.jobs().find((j) => j.jobId === id)?.highWater ?? "";
            const before = highWater();
            await waitFor(async () => highWater() > before);
            await new Promise((resolve) => setTimeout(resolve, 600));
            assert.notEqual(highWater(), before, "the high-water advances");
            assert.equal(await runningStatus(), first, "running_status is not refreshed yet");
        } finally {
            await receiver.close();
        }
    });
});

describe("CockroachDB test server: version profiles", () => {
    before(async () => requireService("PostgreSQL", POSTGRES_ADMIN_URL));

    for (const name of Object.keys(PROFILES) as CockroachProfileName[]) {
        it(`${name}: version(), node_executable_version() and SHOW CLUSTER SETTING version`, async () => {
            await withServer({ profile: name }, async (server, db) => {
                assert.equal(server.profile, name);
                const v = (
                    await db.query("SELECT version(), crdb_internal.node_executable_version()")
                ).rows[0];
                assert.ok(String(v.version).startsWith(`CockroachDB CCL ${name}.`));
                assert.equal(v["crdb_internal.node_executable_version"], name.slice(1));
                const setting = (await db.query("SHOW CLUSTER SETTING version")).rows[0];
                assert.equal(setting.version, name.slice(1));
            });
        });
    }

    it("options that only v25.4 takes are invalid on v24.3 (changefeedbase/options.go ChangefeedOptionExpectValues)", async () => {
        await withServer({ profile: "v24.3" }, async (_server, db) => {
            await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
            await db.query("CREATE TABLE a (id INT PRIMARY KEY)");
            for (const option of [
                `extra_headers = '{"X-A":"1"}'`,
                "headers_json_column_name = 'h'",
                "enriched_properties = 'source'",
            ]) {
                await rejects(
                    db.query(`CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH ${option}`),
                    "XXUUU",
                    `invalid option "${option.split(" ")[0]}"`,
                );
            }
            await rejects(
                db.query(`CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH format = 'protobuf'`),
                "22023",
                /^unknown format: protobuf, valid values are /,
            );
            await rejects(
                db.query(
                    `CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH gc_protect_expires_after = '0s'`,
                ),
                "22023",
                "option gc_protect_expires_after must be a duration greater than 0",
            );
        });
        await withServer({ profile: "v25.4" }, async (_server, db) => {
            await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
            await db.query("CREATE TABLE a (id INT PRIMARY KEY)");
            await db.query(
                `CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH extra_headers = '{"X-A":"1"}', gc_protect_expires_after = '0s'`,
            );
            const notices: string[] = [];
            db.on("notice", (n) => notices.push(n.message ?? ""));
            await db.query(
                `CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH protect_data_from_gc_on_pause`,
            );
            assert.ok(notices.includes("protect_data_from_gc_on_pause option is no longer needed"));
        });
    });
});
