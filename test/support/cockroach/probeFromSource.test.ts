/**
 * Statements taken from CockroachDB's own source and tests, each with the answer CockroachDB
 * gives, run against the test server on every version profile. `source` names the file (and
 * test or function) the statement and its expected answer come from, in repository
 * `cockroachdb/cockroach`; docs/cockroachdb-behaviour.md describes the behaviours.
 *
 * Expected messages from CockroachDB's tests are regular expressions there
 * (`sqlDB.ExpectErrWithTimeout`), so a RegExp here is the same check; a string is the exact
 * text the source builds.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import { PROFILES, type CockroachProfileName } from "./profiles";
import { connect, rejects, waitFor } from "./testHelpers";

/** What a probe learns as it goes (a job created by one probe and used by the next). */
interface ProbeState {
    profile: CockroachProfileName;
    jobId: string;
    now: string;
}

type Expectation =
    | { code: string; message: string | RegExp }
    | { rows: (rows: Record<string, unknown>[], state: ProbeState) => void };

interface Probe {
    source: string;
    sql: string | ((state: ProbeState) => string);
    /** Profiles the probe holds for; default every profile. */
    profiles?: readonly CockroachProfileName[];
    expect: Expectation | ((state: ProbeState) => Expectation);
    /** Runs after the statement (waits for an asynchronous state change). */
    then?: (db: Client, state: ProbeState) => Promise<void>;
}

const CF_TEST = "pkg/ccl/changefeedccl/changefeed_test.go TestChangefeedErrors";
const HOST = "webhook-https://fake-host";
const err = (code: string, message: string | RegExp): Expectation => ({ code, message });
const create = (sink: string, withClause = "") =>
    `CREATE CHANGEFEED FOR foo INTO '${sink}'${withClause ? ` WITH ${withClause}` : ""}`;

const jobStatus = async (db: Client, id: string) =>
    (await db.query(`SELECT status FROM [SHOW CHANGEFEED JOB ${id}]`)).rows[0]?.status as string;
const waitForStatus = (status: string) => async (db: Client, state: ProbeState) =>
    waitFor(async () => (await jobStatus(db, state.jobId)) === status);

const PROBES: Probe[] = [
    // --- Sink URI and its query parameters (webhook sink) ---
    {
        source: `${CF_TEST}: "Check that sink URLs have valid scheme"; sink.go getSink`,
        sql: create("kafka%3A%2F%2Fnope%0A"),
        expect: err("XXUUU", 'no scheme found for sink URL "kafka%3A%2F%2Fnope%0A"'),
    },
    {
        source: `${CF_TEST}: "Sanity check webhook sink options"`,
        sql: create(`${HOST}?insecure_tls_skip_verify=foo`),
        expect: err("XXUUU", /param insecure_tls_skip_verify must be a bool/),
    },
    {
        source: CF_TEST,
        sql: create(`${HOST}?ca_cert=?`),
        expect: err("XXUUU", /param ca_cert must be base 64 encoded/),
    },
    {
        source: CF_TEST,
        sql: create(`${HOST}?ca_cert=Zm9v`),
        expect: err("XXUUU", /failed to parse certificate data/),
    },
    {
        source: `${CF_TEST}; sink_webhook_v2.go validateWebhookOpts`,
        sql: create("webhook-http://fake-host"),
        expect: err("XXUUU", "this sink requires webhook-https"),
    },
    {
        source: CF_TEST,
        sql: create(`${HOST}?client_cert=Zm9v`),
        expect: err("XXUUU", /client_cert requires client_key to be set/),
    },
    {
        source: CF_TEST,
        sql: create(`${HOST}?client_key=Zm9v`),
        expect: err("XXUUU", /client_key requires client_cert to be set/),
    },
    {
        source: `${CF_TEST}; sink_webhook_v2.go makeWebhookSink (sink config read before the scheme check)`,
        sql: create(
            "webhook-http://fake-host",
            `webhook_sink_config='{"Flush": {"Messages": 100}}'`,
        ),
        expect: err(
            "XXUUU",
            "invalid sink config, Flush.Frequency is not set, messages may never be sent",
        ),
    },
    // --- Options the webhook sink takes and refuses ---
    {
        source: CF_TEST,
        sql: create(HOST, "webhook_client_timeout='not_an_integer'"),
        expect: err(
            "22023",
            'problem parsing option webhook_client_timeout: time: invalid duration "not_an_integer"',
        ),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "webhook_client_timeout='0s'"),
        expect: err("22023", "option webhook_client_timeout must be a duration greater than 0"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "webhook_client_timeout='-500s'"),
        expect: err("22023", "negative durations are not accepted: webhook_client_timeout='-500s'"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "webhook_client_timeout='0.5'"),
        expect: err(
            "22023",
            /problem parsing option webhook_client_timeout: time: missing unit in duration/,
        ),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "envelope='key_only'"),
        expect: err("XXUUU", "this sink is incompatible with envelope=key_only"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "envelope='row'"),
        expect: err("XXUUU", "this sink is incompatible with envelope=row"),
    },
    {
        source: `${CF_TEST}; sink.go getSinkConfigFromJson`,
        sql: create(HOST, `webhook_sink_config='{"Flush": {"Messages": -100, "Frequency": "1s"}}'`),
        expect: err("XXUUU", "invalid sink config, all values must be non-negative"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, `webhook_sink_config='{"Flush": {"Messages": 100, "Frequency": "-1s"}}'`),
        expect: err("XXUUU", "invalid sink config, all values must be non-negative"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, `webhook_sink_config='{"Flush": {"Messages": 100}}'`),
        expect: err(
            "XXUUU",
            "invalid sink config, Flush.Frequency is not set, messages may never be sent",
        ),
    },
    {
        source: CF_TEST,
        sql: create(HOST, `webhook_sink_config='{"Flush": {"Frequency": "Zm9v"}}'`),
        expect: err("XXUUU", 'error unmarshalling json: time: invalid duration "Zm9v"'),
    },
    {
        source: `${CF_TEST}; Go encoding/json scanner`,
        sql: create(HOST, "webhook_sink_config='not json'"),
        expect: err(
            "XXUUU",
            "error unmarshalling json: invalid character 'o' in literal null (expecting 'u')",
        ),
    },
    {
        source: `${CF_TEST}; sink.go jsonMaxRetries.UnmarshalJSON`,
        sql: create(HOST, `webhook_sink_config='{"Retry": {"Max": "not valid"}}'`),
        expect: err(
            "XXUUU",
            "error unmarshalling json: Retry.Max must be either a positive int or 'inf' for infinite retries.",
        ),
    },
    {
        source: CF_TEST,
        sql: create(HOST, `webhook_sink_config='{"Retry": {"Max": 0}}'`),
        expect: err(
            "XXUUU",
            "error unmarshalling json: Retry.Max must be a positive integer. use 'inf' for infinite retries.",
        ),
    },
    {
        source: CF_TEST,
        sql: create(HOST, `webhook_sink_config='{"Retry": {"Max": -1}}'`),
        expect: err(
            "XXUUU",
            /Retry.Max must be a positive integer. use 'inf' for infinite retries./,
        ),
    },
    {
        source: `${CF_TEST}: Retry.Max "inf" is accepted`,
        sql: create(HOST, `updated, webhook_sink_config='{"Retry":{"Max":"inf"}}'`),
        expect: { rows: (rows) => assert.match(String(rows[0]?.job_id), /^\d+$/) },
    },
    {
        source: `${CF_TEST}: "compression" on a webhook sink`,
        sql: create(HOST, "compression='invalid'"),
        expect: err("22023", "unknown compression: invalid, valid values are 'gzip' and 'zstd'"),
    },
    // --- WITH options in general ---
    {
        source: `${CF_TEST}: "Sanity check on_error option"`,
        sql: create(HOST, "on_error"),
        expect: err("XXUUU", 'option "on_error" requires a value'),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "on_error='not_valid'"),
        expect: err("22023", "unknown on_error: not_valid, valid values are 'pause' and 'fail'"),
    },
    {
        source: `${CF_TEST}: "The topics option should not be exposed to users"`,
        sql: create(HOST, "topics='foo,bar'"),
        expect: err("XXUUU", 'invalid option "topics"'),
    },
    {
        source: `${CF_TEST}: "WITH key_in_value requires envelope=wrapped"`,
        sql: create(HOST, "key_in_value, envelope='row'"),
        expect: err("XXUUU", "key_in_value is only usable with envelope=wrapped"),
    },
    {
        source: `${CF_TEST}: "WITH topic_in_value requires envelope=wrapped"`,
        sql: create(HOST, "topic_in_value, envelope='row'"),
        expect: err("XXUUU", "topic_in_value is only usable with envelope=wrapped"),
    },
    {
        source: `${CF_TEST}: "WITH initial_scan and no_initial_scan disallowed"`,
        sql: create(HOST, "no_initial_scan, initial_scan"),
        expect: err("XXUUU", "cannot specify both initial_scan and no_initial_scan"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "no_initial_scan, initial_scan_only"),
        expect: err("XXUUU", "cannot specify both initial_scan='only' and no_initial_scan"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "initial_scan, initial_scan_only"),
        expect: err("XXUUU", "cannot specify both initial_scan and initial_scan_only"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "end_time = '1', initial_scan_only"),
        expect: err("22023", "cannot specify both initial_scan='only' and end_time"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "resolved, initial_scan = 'only'"),
        expect: err("22023", "cannot specify both initial_scan='only' and resolved"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "diff, initial_scan = 'only'"),
        expect: err("22023", "cannot specify both initial_scan='only' and diff"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "mvcc_timestamp, initial_scan = 'only'"),
        expect: err("22023", "cannot specify both initial_scan='only' and mvcc_timestamp"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "updated, initial_scan = 'only'"),
        expect: err("22023", "cannot specify both initial_scan='only' and updated"),
    },
    {
        source: `${CF_TEST}; changefeedbase/options.go GetInitialScanType → getEnumValue`,
        sql: create(HOST, "initial_scan = 'foo'"),
        expect: err(
            "XXUUU",
            "unknown initial_scan: foo, valid values are 'yes', 'no',  and 'only'",
        ),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "initial_scan = 'yes', no_initial_scan"),
        expect: err("XXUUU", "cannot specify both initial_scan and no_initial_scan"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "initial_scan = 'no', initial_scan_only"),
        expect: err("XXUUU", "cannot specify both initial_scan and initial_scan_only"),
    },
    {
        source: CF_TEST,
        sql: create(HOST, "format = csv"),
        expect: err("22023", "format=csv is only usable with initial_scan_only"),
    },
    {
        source: `${CF_TEST}: end time before the cursor`,
        sql: (s) => create(HOST, `cursor = '${s.now}', end_time = '1.0000000000'`),
        expect: (s) =>
            err(
                "XXUUU",
                `specified end time 1.0000000000 cannot be less than statement time ${s.now}`,
            ),
    },
    {
        source: "changefeed_stmt.go validateDetailsAndOptions: a valid end_time (deliberately not modelled)",
        sql: create(HOST, "end_time = '99999999999999999999.0000000000'"),
        expect: err("0A000", "end_time is not supported by the CockroachDB test server"),
    },
    {
        source: `${CF_TEST}: enriched_properties without envelope=enriched (v25.x option)`,
        profiles: ["v25.4"],
        sql: create(HOST, "enriched_properties='schema'"),
        expect: err("XXUUU", "enriched_properties is only usable with envelope=enriched"),
    },
    {
        source: `${CF_TEST}: an unknown enriched property`,
        profiles: ["v25.4"],
        sql: create(HOST, "enriched_properties='schema,potato'"),
        expect: err(
            "22023",
            "unknown enriched_properties: potato, valid values are: source, schema",
        ),
    },
    {
        source: `${CF_TEST}: envelope=enriched with csv`,
        profiles: ["v25.4"],
        sql: create(HOST, "envelope=enriched, format=csv, initial_scan='only'"),
        expect: err("XXUUU", "envelope=enriched is only usable with format=json/avro"),
    },
    {
        source: "changefeedbase/options.go ChangefeedOptionExpectValues (no enriched_properties before 25.x)",
        profiles: ["v24.3"],
        sql: create(HOST, "enriched_properties='schema'"),
        expect: err("XXUUU", 'invalid option "enriched_properties"'),
    },
    // --- Targets ---
    {
        source: "changefeed_stmt.go getTargetDescriptors: an unknown table",
        sql: "CREATE CHANGEFEED FOR nosuch INTO 'webhook-https://fake-host'",
        expect: err(
            "XXUUU",
            'failed to resolve targets in the CHANGEFEED stmt: table "nosuch" does not exist',
        ),
    },
    // --- The job description and SHOW CHANGEFEED JOB ---
    {
        source: "changefeed_test.go TestChangefeedDescription; tree.CreateChangefeed.Format",
        sql: "CREATE CHANGEFEED FOR foo INTO 'webhook-https://root@fake-host/d' WITH updated, envelope = 'wrapped'",
        expect: { rows: () => undefined },
        then: async (db, state) => {
            const rows = (
                await db.query(
                    `SELECT job_id FROM [SHOW CHANGEFEED JOBS] ORDER BY created DESC LIMIT 1`,
                )
            ).rows;
            state.jobId = String(rows[0]?.job_id);
            const description = (
                await db.query(`SELECT description FROM [SHOW CHANGEFEED JOB ${state.jobId}]`)
            ).rows[0]?.description;
            assert.equal(
                description,
                "CREATE CHANGEFEED FOR TABLE foo INTO 'webhook-https://redacted@fake-host/d' WITH OPTIONS (envelope = 'wrapped', updated)",
            );
        },
    },
    {
        source: "pkg/sql/delegate/show_changefeed_jobs.go: the columns of SHOW CHANGEFEED JOB",
        sql: (s) => `SHOW CHANGEFEED JOB ${s.jobId}`,
        expect: {
            rows: (rows, s) => {
                assert.deepEqual(Object.keys(rows[0] ?? {}), [
                    "job_id",
                    "description",
                    "user_name",
                    "status",
                    "running_status",
                    "created",
                    "started",
                    "finished",
                    "modified",
                    "high_water_timestamp",
                    "readable_high_water_timestamptz",
                    "error",
                    "sink_uri",
                    "full_table_names",
                    "topics",
                    "format",
                ]);
                assert.equal(String(rows[0]?.job_id), s.jobId);
                assert.equal(rows[0]?.user_name, "root");
                assert.equal(rows[0]?.sink_uri, "webhook-https://redacted@fake-host/d");
                assert.deepEqual(rows[0]?.full_table_names, ["defaultdb.public.foo"]);
                assert.equal(rows[0]?.format, "json");
                assert.equal(rows[0]?.topics, null);
            },
        },
    },
    // --- ALTER CHANGEFEED and job control ---
    {
        source: "alter_changefeed_stmt.go alterChangefeedPlanHook: the job must be paused",
        sql: (s) => `ALTER CHANGEFEED ${s.jobId} SET resolved = '5s'`,
        expect: (s) => err("XXUUU", `job ${s.jobId} is not paused`),
    },
    {
        source: "alter_changefeed_stmt.go: an unknown job (jobs.JobNotFoundError)",
        sql: "ALTER CHANGEFEED 123 ADD foo",
        expect: err("XXUUU", "could not load job with job id 123: job with ID 123 does not exist"),
    },
    {
        source: "pkg/sql/control_jobs.go; pkg/jobs: PAUSE JOB of an unknown job",
        sql: "PAUSE JOB 123",
        expect: err("XXUUU", "job with ID 123 does not exist"),
    },
    {
        source: "pkg/jobs update.go PauseRequested: pause-requested, then paused",
        sql: (s) => `PAUSE JOB ${s.jobId}`,
        expect: { rows: () => undefined },
        then: waitForStatus("paused"),
    },
    {
        source: "pkg/jobs PauseRequested: pausing a paused job is a no-op",
        sql: (s) => `PAUSE JOB ${s.jobId}`,
        expect: { rows: (rows) => assert.deepEqual(rows, []) },
    },
    {
        source: 'changefeed_test.go TestChangefeedErrors "enriched alters"; ALTER on a paused job',
        sql: (s) => `ALTER CHANGEFEED ${s.jobId} SET resolved = '5s'`,
        expect: {
            rows: (rows, s) => {
                assert.equal(String(rows[0]?.job_id), s.jobId);
                assert.equal(
                    rows[0]?.job_description,
                    "CREATE CHANGEFEED FOR TABLE defaultdb.public.foo INTO 'webhook-https://redacted@fake-host/d' WITH OPTIONS (envelope = 'wrapped', resolved = '5s', updated)",
                );
            },
        },
    },
    {
        source: "alter_changefeed_stmt.go generateAndValidateNewTargets (before 26.2): re-adding a watched table is taken silently",
        sql: (s) => `ALTER CHANGEFEED ${s.jobId} ADD foo`,
        expect: {
            rows: (rows) =>
                assert.match(
                    String(rows[0]?.job_description),
                    /^CREATE CHANGEFEED FOR TABLE (defaultdb\.public\.)?foo INTO /,
                ),
        },
    },
    {
        source: "alter_changefeed_stmt.go generateAndValidateNewTargets: dropping a table not watched",
        sql: (s) => `ALTER CHANGEFEED ${s.jobId} DROP nosuchtable`,
        expect: err("22023", 'target "nosuchtable" does not exist'),
    },
    {
        source: "alter_changefeed_test.go TestAlterChangefeedDropAllTargetsError; validateNewTargets",
        sql: (s) => `ALTER CHANGEFEED ${s.jobId} DROP foo`,
        expect: err("22023", /^cannot drop all targets/),
    },
    {
        source: "alter_changefeed_stmt.go generateNewOpts: the sink cannot be unset",
        sql: (s) => `ALTER CHANGEFEED ${s.jobId} UNSET sink`,
        expect: err("22023", 'cannot unset option "sink"'),
    },
    {
        source: "pkg/jobs CancelRequested: a paused job can be canceled",
        sql: (s) => `CANCEL JOB ${s.jobId}`,
        expect: { rows: () => undefined },
        then: waitForStatus("canceled"),
    },
    {
        source: "pkg/jobs CancelRequested: canceling a canceled job is a no-op",
        sql: (s) => `CANCEL JOB ${s.jobId}`,
        expect: { rows: (rows) => assert.deepEqual(rows, []) },
    },
    {
        source: "pkg/jobs update.go PauseRequested: a finished job cannot be paused",
        sql: (s) => `PAUSE JOB ${s.jobId}`,
        expect: err("XXUUU", "job with state canceled cannot be requested to be paused"),
    },
    {
        source: "pkg/jobs update.go Unpaused: a finished job cannot be resumed",
        sql: (s) => `RESUME JOB ${s.jobId}`,
        expect: err("XXUUU", "job with state canceled cannot be resumed"),
    },
    // --- Built-ins ---
    {
        source: "pkg/sql/sem/builtins cluster_logical_timestamp: a DECIMAL, wall nanos . 10-digit logical",
        sql: "SELECT cluster_logical_timestamp()",
        expect: {
            rows: (rows) =>
                assert.match(String(rows[0]?.cluster_logical_timestamp), /^\d{19}\.\d{10}$/),
        },
    },
    {
        source: "pkg/sql/sem/builtins crdb_internal.cluster_id: a UUID",
        sql: "SELECT crdb_internal.cluster_id()",
        expect: {
            rows: (rows) =>
                assert.match(
                    String(rows[0]?.["crdb_internal.cluster_id"]),
                    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
                ),
        },
    },
    {
        source: "pkg/sql/sem/builtins crdb_internal.node_executable_version",
        sql: "SELECT crdb_internal.node_executable_version() AS v",
        expect: {
            rows: (rows, s) => assert.equal(rows[0]?.v, PROFILES[s.profile].clusterVersion),
        },
    },
];

for (const profile of Object.keys(PROFILES) as CockroachProfileName[]) {
    describe(`statements from CockroachDB's source against the test server (${profile})`, () => {
        let server: CockroachTestServer;
        let db: Client & { tags: string[] };
        const state: ProbeState = { profile, jobId: "", now: "" };

        before(async () => {
            await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
            server = await startCockroachTestServer({ profile });
            db = await connect(server.url);
            await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
            await db.query("CREATE TABLE foo (a INT PRIMARY KEY, b STRING)");
        });
        after(async () => {
            await db?.end();
            await server?.stop();
        });

        PROBES.filter((p) => !p.profiles || p.profiles.includes(profile)).forEach((probe, i) => {
            it(`#${i + 1} ${probe.source}`, async () => {
                state.now = String(
                    (await db.query("SELECT cluster_logical_timestamp() AS t")).rows[0]?.t,
                );
                const sql = typeof probe.sql === "function" ? probe.sql(state) : probe.sql;
                const expectation =
                    typeof probe.expect === "function" ? probe.expect(state) : probe.expect;
                if ("code" in expectation) {
                    await rejects(db.query(sql), expectation.code, expectation.message);
                } else {
                    expectation.rows((await db.query(sql)).rows, state);
                }
                await probe.then?.(db, state);
            });
        });
    });
}
