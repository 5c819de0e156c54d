import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import { JobRegistry } from "./jobs";
import type { FeedEvents, FeedSpec } from "./feedTypes";
import type { Hlc, HybridClock } from "./hlc";
import { connect, rejects, waitFor } from "./testHelpers";

const SINK = "webhook-https://127.0.0.1:1/db/public";

describe("CockroachDB test server: job state machine and ALTER CHANGEFEED (§6.5–§6.7)", () => {
    let server: CockroachTestServer;
    let db: Client & { tags: string[] };
    const status = async (id: string) =>
        (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0]?.status as string;
    const newJob = async (extra = "") =>
        (
            await db.query(
                `CREATE CHANGEFEED FOR TABLE a INTO '${SINK}' WITH updated, resolved = '1s'${extra}`,
            )
        ).rows[0].job_id as string;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer();
        db = await connect(server.url);
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        await db.query("CREATE TABLE a (id INT PRIMARY KEY); CREATE TABLE b (id INT PRIMARY KEY)");
    });
    after(async () => {
        await db?.end();
        await server?.stop();
    });

    it("SHOW CHANGEFEED JOB has the v25 columns in order with their types", async () => {
        const id = await newJob();
        const result = await db.query(`SHOW CHANGEFEED JOB ${id}`);
        assert.deepEqual(
            result.fields.map((f) => `${f.name}:${f.dataTypeID}`),
            [
                "job_id:20",
                "description:25",
                "user_name:25",
                "status:25",
                "running_status:25",
                "created:1184",
                "started:1184",
                "finished:1184",
                "modified:1184",
                "high_water_timestamp:1700",
                "readable_high_water_timestamptz:1184",
                "error:25",
                "sink_uri:25",
                "full_table_names:1009",
                "topics:25",
                "format:25",
            ],
        );
        const row = result.rows[0];
        assert.equal(row.status, "running");
        assert.equal(row.user_name, "root");
        assert.equal(row.error, "");
        assert.equal(row.finished, null);
        assert.equal(row.topics, null);
    });

    it("pauses, resumes and cancels asynchronously with CockroachDB's tags and no-ops", async () => {
        const id = await newJob();
        await db.query(`PAUSE JOB ${id}`);
        assert.equal(db.tags.at(-1), "PAUSE JOBS 1");
        assert.equal(await status(id), "pause-requested");
        await db.query(`PAUSE JOB ${id}`);
        await waitFor(async () => (await status(id)) === "paused");
        await db.query("RESUME JOB $1", [id]);
        assert.equal(db.tags.at(-1), "RESUME JOBS 1");
        assert.equal(await status(id), "running");
        await db.query(`RESUME JOB ${id}`);
        await db.query(`CANCEL JOB ${id}`);
        assert.equal(await status(id), "cancel-requested");
        await waitFor(async () => (await status(id)) === "canceled");
        await db.query(`CANCEL JOB ${id}`);
        const row = (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0];
        assert.ok(row.finished instanceof Date);
    });

    it("rejects transitions CockroachDB rejects", async () => {
        const id = await newJob();
        await rejects(db.query("PAUSE JOB 42"), "XXUUU", "job with ID 42 does not exist");
        await rejects(
            db.query("PAUSE JOB 'abc'"),
            "22P02",
            'could not parse "abc" as type int: strconv.ParseInt: parsing "abc": invalid syntax',
        );
        await db.query(`PAUSE JOB ${id}`);
        await rejects(
            db.query(`RESUME JOB ${id}`),
            "XXUUU",
            "job with state pause-requested cannot be resumed",
        );
        await rejects(
            db.query(`CANCEL JOB ${id}`),
            "XXUUU",
            "job with state pause-requested cannot be requested to be canceled",
        );
        await waitFor(async () => (await status(id)) === "paused");
        await db.query(`CANCEL JOB ${id}`);
        await waitFor(async () => (await status(id)) === "canceled");
        await rejects(
            db.query(`RESUME JOB ${id}`),
            "XXUUU",
            "job with state canceled cannot be resumed",
        );
        await rejects(
            db.query(`PAUSE JOB ${id}`),
            "XXUUU",
            "job with state canceled cannot be requested to be paused",
        );
        await rejects(
            db.query("PAUSE JOBS FOR SCHEDULES 1"),
            "0A000",
            /not supported by the CockroachDB test server/,
        );
    });

    it("failJob moves a running job to failed with its error; on_error=pause pauses instead", async () => {
        const failing = await newJob();
        server.failJob(failing, "boom: non-retryable");
        const row = (await db.query(`SHOW CHANGEFEED JOB ${failing}`)).rows[0];
        assert.deepEqual([row.status, row.error], ["failed", "boom: non-retryable"]);
        assert.deepEqual(
            server.jobs().find((j) => j.jobId === failing)?.error,
            "boom: non-retryable",
        );
        await rejects(
            db.query(`RESUME JOB ${failing}`),
            "XXUUU",
            "job with state failed cannot be resumed",
        );
        // handleChangefeedError (changefeed_stmt.go): on_error=pause requests a pause.
        const pausing = await newJob(", on_error = 'pause'");
        server.failJob(pausing, "boom");
        assert.equal(await status(pausing), "pause-requested");
        await waitFor(async () => (await status(pausing)) === "paused");
        const paused = (await db.query(`SHOW CHANGEFEED JOB ${pausing}`)).rows[0];
        assert.equal(paused.status, "paused");
        assert.equal(
            paused.running_status,
            "job failed (boom) but is being paused because of on_error=pause",
        );
    });

    it("ALTER CHANGEFEED changes targets, options and sink of a paused job", async () => {
        const id = await newJob(", webhook_auth_header = 'Bearer x'");
        await rejects(db.query(`ALTER CHANGEFEED ${id} ADD b`), "XXUUU", `job ${id} is not paused`);
        await db.query(`PAUSE JOB ${id}`);
        await waitFor(async () => (await status(id)) === "paused");
        const result = await db
            .query(
                `ALTER CHANGEFEED ${id} ADD b WITH initial_scan = 'yes' SET resolved = '2s', sink = $1 UNSET updated`,
                ["webhook-https://127.0.0.1:2/db/public?client_key=c2VjcmV0"],
            )
            .catch((err: Error) => err);
        assert.ok(
            result instanceof Error &&
                result.message ===
                    "failed to alter changefeed: client_key requires client_cert to be set",
        );
        const altered = await db.query(
            `ALTER CHANGEFEED ${id} ADD b WITH initial_scan = 'yes' SET resolved = '2s', sink = $1 UNSET updated`,
            ["webhook-https://127.0.0.1:2/db/public"],
        );
        assert.deepEqual(
            altered.fields.map((f) => `${f.name}:${f.dataTypeID}`),
            ["job_id:20", "job_description:25"],
        );
        assert.equal(
            altered.rows[0].job_description,
            "CREATE CHANGEFEED FOR TABLE defaultdb.public.a, TABLE defaultdb.public.b INTO 'webhook-https://127.0.0.1:2/db/public' " +
                "WITH OPTIONS (resolved = '2s', webhook_auth_header = 'redacted')",
        );
        assert.equal(db.tags.at(-1), "ALTER CHANGEFEED 1");
        await db.query(`ALTER CHANGEFEED ${id} DROP a`);
        await db.query(`RESUME JOB ${id}`);
        assert.equal(await status(id), "running");
    });

    it("rejects ALTER CHANGEFEED forms CockroachDB rejects", async () => {
        const id = await newJob();
        await db.query(`PAUSE JOB ${id}`);
        await waitFor(async () => (await status(id)) === "paused");
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} SET cursor = '1'`),
            "22023",
            'cannot alter option "cursor"',
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} SET initial_scan = 'yes'`),
            "22023",
            'cannot alter option "initial_scan"',
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} UNSET sink`),
            "22023",
            'cannot unset option "sink"',
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} UNSET bogus`),
            "22023",
            'invalid option "bogus"',
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} DROP a`),
            "22023",
            "cannot drop all targets",
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} DROP b`),
            "22023",
            'target "b" already not watched by changefeed',
        );
        // alter_changefeed_stmt.go before 26.2: adding a watched table again is not an error.
        await db.query(`ALTER CHANGEFEED ${id} ADD a`);
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} ADD nosuch`),
            "22023",
            'target "nosuch" does not exist',
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} SET sink = 'kafka://h:9092'`),
            "22023",
            'New sink type "kafka" does not match original sink type "webhook-https". Altering the sink type of a changefeed is disallowed, consider creating a new changefeed instead.',
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id} ADD b WITH initial_scan = 'maybe'`),
            "22023",
            'cannot set "initial_scan" to "maybe". possible values for initial_scan are "yes", "no", "only", or no value',
        );
        await rejects(
            db.query(`ALTER CHANGEFEED 'abc' SET resolved`),
            "42804",
            "changefeed ID must be an INT value",
        );
        await rejects(
            db.query(`ALTER CHANGEFEED ${id}`),
            "42601",
            'at or near "EOF": syntax error',
        );
    });

    it("a job resumed while rangefeeds are disabled fails (its rangefeeds are refused)", async () => {
        const id = await newJob();
        await db.query(`PAUSE JOB ${id}`);
        await waitFor(async () => (await status(id)) === "paused");
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = false");
        try {
            await db.query(`RESUME JOB ${id}`);
            await waitFor(async () => (await status(id)) === "failed");
            const row = (await db.query(`SHOW CHANGEFEED JOB ${id}`)).rows[0];
            assert.match(
                row.error as string,
                /^rangefeeds require the kv.rangefeed.enabled setting/,
            );
        } finally {
            await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        }
    });
});

describe("JobRegistry: feed wiring and the 12 h rule (§6.4, §6.7)", () => {
    class ManualClock {
        wallNanos = 1_759_246_920_563_173_000n;
        now(): Hlc {
            return { wallNanos: this.wallNanos, logical: 0 };
        }
    }
    const starts: Array<{ spec: FeedSpec; events: FeedEvents }> = [];
    let stops = 0;
    const clock = new ManualClock();
    const registry = new JobRegistry({
        startFeed: async (spec, _url, _clock, events) => {
            starts.push({ spec, events });
            return { stop: async () => void stops++ };
        },
        backingDatabaseUrl: "postgres://unused",
        clock: clock as unknown as HybridClock,
        rangefeedsEnabled: () => true,
        gcThreshold: () => ({ wallNanos: 0n, logical: 0 }),
        runningStatusIntervalMs: 0,
        docsVersion: "25.4",
    });
    const definition = {
        targetNames: ["t"],
        tables: [{ database: "defaultdb", schema: "public", table: "t" }],
        sinkUri: "webhook-https://h:1/x?client_key=c2VjcmV0",
        options: { updated: null, resolved: "1s" },
    };
    after(() => registry.close());

    it("starts at the cursor, records checkpoints, and resumes after ALTER from the high-water", async () => {
        const cursor = { wallNanos: 1_759_246_000_000_000_000n, logical: 0 };
        const job = registry.create("root", true, definition, cursor, false);
        assert.equal(starts.length, 1);
        assert.deepEqual(starts[0]?.spec.startAfter, cursor);
        assert.equal(starts[0]?.spec.sinkUri, definition.sinkUri);
        assert.equal(starts[0]?.spec.initialScanTables, undefined);
        const highWater = { wallNanos: 1_759_246_100_000_000_000n, logical: 3 };
        starts[0]?.events.checkpoint(highWater);
        starts[0]?.events.runningStatus("running: resolved=1759246100.000000000,3");
        assert.deepEqual(job.highWater, highWater);
        registry.pause(job);
        await waitFor(() => job.status === "paused");
        assert.equal(stops, 1);
        starts[0]?.events.checkpoint({ wallNanos: highWater.wallNanos + 1n, logical: 0 });
        assert.deepEqual(job.highWater, highWater, "a stopped feed's checkpoints are ignored");
        registry.alter(
            job,
            {
                ...definition,
                tables: [
                    ...definition.tables,
                    { database: "defaultdb", schema: "public", table: "u" },
                ],
            },
            "d",
            ["public.u"],
        );
        registry.resume(job);
        await waitFor(() => starts.length === 2);
        assert.deepEqual(starts[1]?.spec.startAfter, highWater);
        assert.deepEqual(starts[1]?.spec.initialScanTables, ["public.u"]);
        starts[1]?.events.failed("fatal");
        assert.deepEqual([job.status, job.error], ["failed", "fatal"]);
    });

    it("SHOW CHANGEFEED JOBS hides jobs finished more than 12 h ago, running first", async () => {
        const running = registry.create("root", true, definition, clock.now(), false);
        const old = registry.create("root", true, definition, clock.now(), false);
        registry.fail(old, "old failure");
        clock.wallNanos += 13n * 3600n * 1_000_000_000n;
        const recent = registry.create("root", true, definition, clock.now(), false);
        registry.fail(recent, "recent failure");
        clock.wallNanos += 1_000_000_000n;
        const ids = registry.show(registry.all(), true).rows.map((r) => r[0]);
        assert.ok(ids.includes(running.id) && ids.includes(recent.id));
        assert.ok(!ids.includes(old.id));
        assert.ok(ids.indexOf(running.id) < ids.indexOf(recent.id));
        assert.equal(registry.show([old], false).rows.length, 1, "by id there is no age filter");
    });
});

describe("JobRegistry: running_status throttles (changefeed_processors.go, changefeed_stmt.go)", () => {
    it("a published transient error stays visible for a full interval after the flow restarts", async () => {
        // changefeedResumer.setJobStatusMessage publishes the first transient error of a resume
        // at once; changeFrontier.Start finds the status set and waits a full
        // runStatusUpdateFrequency before `running: resolved=…` may replace it.
        const intervalMs = 300;
        let events: FeedEvents | undefined;
        const registry = new JobRegistry({
            startFeed: async (_spec, _url, _clock, feedEvents) => {
                events = feedEvents;
                return { stop: async () => undefined };
            },
            backingDatabaseUrl: "postgres://unused",
            clock: {
                now: () => ({ wallNanos: 1_759_246_920_563_173_000n, logical: 0 }),
            } as unknown as HybridClock,
            rangefeedsEnabled: () => true,
            gcThreshold: () => ({ wallNanos: 0n, logical: 0 }),
            runningStatusIntervalMs: intervalMs,
            docsVersion: "25.4",
        });
        try {
            const job = registry.create(
                "root",
                true,
                {
                    targetNames: ["t"],
                    tables: [{ database: "defaultdb", schema: "public", table: "t" }],
                    sinkUri: "webhook-https://h:1/x",
                    options: { resolved: "1s" },
                },
                { wallNanos: 1_759_246_000_000_000_000n, logical: 0 },
                false,
            );
            await waitFor(() => events !== undefined);
            events?.runningStatus("transient error: 401 Unauthorized: unauthorized");
            assert.equal(job.runningStatus, "transient error: 401 Unauthorized: unauthorized");
            events?.runningStatus("running: resolved=1759246100.000000000,0");
            assert.match(
                String(job.runningStatus),
                /^transient error: 401/,
                "kept after the restart",
            );
            await new Promise((resolve) => setTimeout(resolve, intervalMs + 50));
            events?.runningStatus("running: resolved=1759246101.000000000,0");
            assert.equal(job.runningStatus, "running: resolved=1759246101.000000000,0");
        } finally {
            await registry.close();
        }
    });
});
