import assert from "node:assert/strict";
import * as net from "node:net";
import { afterEach, before, describe, it } from "node:test";

import type { PartialStateError } from "../../../src/providers/kernel/partialState";
import { provider } from "../../../src/providers/changefeed/provider";
import { buildSinkUri, encodeSinkParam } from "../../../src/providers/changefeed/sink";
import type { ChangefeedOutputs } from "../../../src/providers/changefeed/types";
import { startTcpProxy, type TcpProxy } from "../../support/faults/tcpProxy";
import { POSTGRES_ADMIN_URL, requireService } from "../../support/services";
import {
    type Environment,
    eventually,
    startEnvironment,
    startWriter,
    TOKEN,
    waitCaughtUp,
} from "../../support/changefeed/environment";

const environments: Environment[] = [];
const proxies: TcpProxy[] = [];

async function environment(
    serverOptions: Parameters<typeof startEnvironment>[0] = {},
): Promise<Environment> {
    const env = await startEnvironment(serverOptions);
    environments.push(env);
    await env.sql(
        "CREATE TABLE t1 (id INT PRIMARY KEY, v TEXT)",
        "CREATE TABLE t2 (id INT PRIMARY KEY, v TEXT)",
    );
    return env;
}

async function create(inputs: object): Promise<{ id: string; outs: ChangefeedOutputs }> {
    const result = await provider.create(inputs);
    return { id: result.id, outs: result.outs as ChangefeedOutputs };
}

/** Every secret a test feed carries: none may appear in errors or statement text. */
function assertNoSecrets(text: string, env: Environment): void {
    for (const secret of [
        TOKEN,
        env.certs.client.keyPem,
        encodeSinkParam(env.certs.client.keyPem),
    ]) {
        assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 200)}`);
    }
}

function keysOf(env: Environment, topic: string): string[] {
    return env
        .rows()
        .filter((r) => r.topic === topic)
        .map((r) => r.key);
}

/** What a running job's rangefeeds report once kv.rangefeed.enabled is switched off under it. */
const RANGEFEEDS_OFF =
    "rangefeeds require the kv.rangefeed.enabled setting. See https://www.cockroachlabs.com/docs/v25.4/create-and-configure-changefeeds.html#enable-rangefeeds";

/**
 * Fails the first job as soon as it exists (CREATE itself is refused while rangefeeds are off,
 * so a job that fails to start is one whose rangefeeds are refused right after CREATE).
 */
async function failFirstJobOnceCreated(env: Environment, error: string): Promise<void> {
    for (let i = 0; i < 500; i++) {
        const job = env.server.jobs()[0];
        if (job) {
            env.server.failJob(job.jobId, error);
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("no job was created");
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
});

afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await Promise.all(environments.splice(0).map((env) => env.close()));
});

describe("Changefeed provider against the CockroachDB test server", () => {
    it("create: checks, creates with placeholders, waits for running; rows arrive with client cert + token", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        assert.match(id, /^changefeed-[0-9a-f]{16}$/);
        assert.match(outs.jobId, /^\d+$/);
        assert.equal(outs.status, "running");
        assert.match(outs.cursor, /^\d+\.\d{10}$/);
        assert.equal(outs.stateVersion, 1);
        assert.ok(
            outs.sinkUri.startsWith(
                `webhook-https://127.0.0.1:${env.receiver.port}/defaultdb/public?ca_cert=`,
            ),
        );

        await env.sql("INSERT INTO t1 (id, v) VALUES (1, 'a'), (2, 'b')");
        await eventually(() => keysOf(env, "t1").length >= 2, "rows to arrive");
        assert.deepEqual(keysOf(env, "t1").sort(), ["[1]", "[2]"]);
        assert.ok(
            env.receiver.requests.every(
                (r) => r.clientAuthorized && r.headers.authorization === `Bearer ${TOKEN}`,
            ),
        );

        const createStatement = env.server.statements.find((s) =>
            s.startsWith("CREATE CHANGEFEED"),
        )!;
        assert.match(
            createStatement,
            /INTO \$1 WITH updated, resolved = '250ms', min_checkpoint_frequency = '250ms', initial_scan = 'no', cursor = '\d+\.\d{10}', /,
        );
        assert.match(createStatement, /webhook_auth_header = \$2$/);
        assertNoSecrets(env.server.statements.join("\n"), env);
    });

    it("refuses a second feed into the same replicator, naming the other job", async () => {
        const env = await environment();
        const first = await create(env.inputs(["t1"]));
        await assert.rejects(create(env.inputs(["t2"])), (err: Error) => {
            assert.match(
                err.message,
                new RegExp(
                    `only one changefeed per replicator: changefeed job ${first.outs.jobId} \\(status running\\)`,
                ),
            );
            assert.match(
                err.message,
                new RegExp(`127\\.0\\.0\\.1:${env.receiver.port}/defaultdb/public`),
            );
            return true;
        });
        assert.equal(env.server.jobs().length, 1);
        // The same replicator under another loopback name, case or percent-encoding of the path.
        for (const alias of [
            `https://localhost:${env.receiver.port}/defaultdb/public`,
            `https://[::1]:${env.receiver.port}/defaultdb/Public`,
            `https://127.0.0.1:${env.receiver.port}/defaultdb/%70ublic`,
        ]) {
            await assert.rejects(
                create(env.inputs(["t2"], { webhookUrl: alias })),
                /only one changefeed per replicator/,
                alias,
            );
        }
        assert.equal(env.server.jobs().length, 1);
        // Another path on the same host is another replicator target: allowed.
        const other = await create(
            env.inputs(["t2"], {
                webhookUrl: `https://127.0.0.1:${env.receiver.port}/defaultdb/other`,
            }),
        );
        assert.equal(other.outs.status, "running");
    });

    it("leaves no orphan job when the job fails to start (rangefeeds disabled)", async () => {
        const env = await environment();
        const failing = failFirstJobOnceCreated(env, RANGEFEEDS_OFF);
        await assert.rejects(create(env.inputs(["t1"])), (err: Error) => {
            assert.match(
                err.message,
                /stopped before it ran \(status failed, error "rangefeeds require the kv\.rangefeed\.enabled setting/,
            );
            assert.match(
                err.message,
                /The job \d+ is failed: no changefeed was left behind\. The cursor \d+\.\d{10} is kept in state/,
            );
            assertNoSecrets(err.message, env);
            return true;
        });
        await failing;
        assert.deepEqual(
            env.server.jobs().map((j) => j.status),
            ["failed"],
        );
    });

    it("cancels the job it created when it does not run in time (paused by on_error = 'pause')", async () => {
        const env = await environment();
        const inputs = env.inputs(["t1"], {
            waitForRunningSeconds: 1,
            options: { on_error: "pause" },
        });
        const failing = failFirstJobOnceCreated(env, RANGEFEEDS_OFF);
        await assert.rejects(create(inputs), (err: Error) => {
            assert.match(
                err.message,
                /did not run without error within 1s \(status paused, running_status "job failed \(rangefeeds require/,
            );
            assert.match(
                err.message,
                /The job \d+ is (canceled|cancel-requested): no changefeed was left behind\./,
            );
            assertNoSecrets(err.message, env);
            return true;
        });
        await failing;
        const jobs = env.server.jobs();
        assert.equal(jobs.length, 1);
        assert.ok(["canceled", "cancel-requested"].includes(jobs[0]!.status), jobs[0]!.status);
    });

    it("update adds a table in place while rows are written continuously: no row lost", async () => {
        const env = await environment();
        await env.sql("INSERT INTO t2 (id, v) VALUES (1, 'existing'), (2, 'existing')");
        const { id, outs } = await create(env.inputs(["t1"]));
        const writer = startWriter(env, ["t1", "t2"]);
        await new Promise((resolve) => setTimeout(resolve, 1200));
        const mark = env.server.statements.length;
        const updated = (await provider.update(id, outs, env.inputs(["t1", "t2"])))
            .outs as ChangefeedOutputs;
        await new Promise((resolve) => setTimeout(resolve, 1200));
        const written = await writer.stop();
        await waitCaughtUp(env);

        assert.equal(updated.jobId, outs.jobId);
        assert.equal(updated.status, "running");
        const steps = env.server.statements
            .slice(mark)
            .filter((s) => /^(PAUSE|ALTER|RESUME)/.test(s));
        assert.deepEqual(steps, [
            `PAUSE JOB ${outs.jobId}`,
            `ALTER CHANGEFEED ${outs.jobId} ADD "t2" WITH initial_scan = 'yes'`,
            `RESUME JOB ${outs.jobId}`,
        ]);

        const expected = {
            t1: written.get("t1")!.map((n) => `[${n}]`),
            t2: ["[1]", "[2]", ...written.get("t2")!.map((n) => `[${n}]`)],
        };
        let received = 0;
        let duplicates = 0;
        for (const [table, keys] of Object.entries(expected)) {
            const got = keysOf(env, table);
            const distinct = new Set(got);
            const lost = keys.filter((k) => !distinct.has(k));
            assert.deepEqual(lost, [], `${table}: rows lost`);
            received += got.length;
            duplicates += got.length - distinct.size;
        }
        const total = expected.t1.length + expected.t2.length;
        console.log(
            `no-row-lost: written ${total} (t1 ${expected.t1.length}, t2 ${expected.t2.length} incl. 2 pre-existing), received ${received}, duplicates ${duplicates}`,
        );
    });

    it("does not resume a feed an operator paused before the update", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        await env.sql(`PAUSE JOB ${outs.jobId}`);
        await eventually(() => env.server.jobs()[0]?.status === "paused", "the job to pause");
        const mark = env.server.statements.length;
        const updated = (await provider.update(id, outs, env.inputs(["t1"], { resolved: "1s" })))
            .outs as ChangefeedOutputs;
        const steps = env.server.statements
            .slice(mark)
            .filter((s) => /^(PAUSE|ALTER|RESUME)/.test(s));
        assert.deepEqual(steps, [`ALTER CHANGEFEED ${outs.jobId} SET resolved = '1s'`]);
        assert.equal(updated.status, "paused");
        assert.equal(env.server.jobs()[0]?.status, "paused");
        assert.deepEqual(await provider.diff(id, updated, env.inputs(["t1"], { resolved: "1s" })), {
            changes: false,
        });
    });

    it("a job cancelled out of band shows as drift; update recreates it from the high-water without losing rows", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        await env.sql("INSERT INTO t1 (id, v) VALUES (1, 'before')");
        await waitCaughtUp(env);
        const beforeCancel = (await provider.read(id, outs)).props as ChangefeedOutputs;
        await env.sql(`CANCEL JOB ${outs.jobId}`);
        await eventually(
            () => env.server.jobs()[0]?.status === "canceled",
            "the job to be canceled",
        );
        await env.sql(
            "INSERT INTO t1 (id, v) VALUES (2, 'while-cancelled'), (3, 'while-cancelled')",
        );

        const refreshed = (await provider.read(id, beforeCancel)).props as ChangefeedOutputs;
        assert.equal(refreshed.status, "canceled");
        assert.ok(
            BigInt(refreshed.highWaterTimestamp!.split(".")[0]!) >=
                BigInt(beforeCancel.highWaterTimestamp!.split(".")[0]!),
        );
        assert.deepEqual(await provider.diff(id, refreshed, env.inputs(["t1"])), { changes: true });

        const updated = (await provider.update(id, refreshed, env.inputs(["t1"])))
            .outs as ChangefeedOutputs;
        assert.notEqual(updated.jobId, outs.jobId);
        assert.equal(updated.cursor, refreshed.highWaterTimestamp);
        assert.equal(updated.status, "running");
        await waitCaughtUp(env);
        const keys = new Set(keysOf(env, "t1"));
        for (const key of ["[1]", "[2]", "[3]"]) assert.ok(keys.has(key), `row ${key} lost`);
    });

    it("an option altered out of band shows as drift on refresh; the next update sets it back", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"], { options: { diff: true } }));
        await env.sql(`PAUSE JOB ${outs.jobId}`);
        await eventually(
            async () =>
                (await env.sql(`SHOW CHANGEFEED JOB ${outs.jobId}`))[0]?.status === "paused",
            "the job to pause",
        );
        await env.sql(
            `ALTER CHANGEFEED ${outs.jobId} SET resolved = '5s', key_in_value UNSET diff`,
        );
        await env.sql(`RESUME JOB ${outs.jobId}`);

        const refreshed = (await provider.read(id, outs)).props as ChangefeedOutputs;
        assert.equal(refreshed.resolved, "5s", "refresh reports the job's resolved");
        assert.deepEqual(refreshed.options, { key_in_value: true });
        assert.equal(refreshed.authToken, outs.authToken, "secrets are never copied from the job");
        assert.equal(refreshed.sinkUri, outs.sinkUri);
        const inputs = env.inputs(["t1"], { options: { diff: true } });
        assert.equal((await provider.diff(id, refreshed, inputs)).changes, true);

        const mark = env.server.statements.length;
        const updated = (await provider.update(id, refreshed, inputs)).outs as ChangefeedOutputs;
        assert.equal(updated.status, "running");
        assert.ok(
            env.server.statements
                .slice(mark)
                .some((s) => /^ALTER CHANGEFEED .*resolved = '250ms'/.test(s)),
            "the next update sets resolved back",
        );
        const description = String(
            (await env.sql(`SHOW CHANGEFEED JOB ${outs.jobId}`))[0]?.description,
        );
        assert.match(description, /resolved = '250ms'/);
        assert.match(description, /\bdiff\b/);
        assert.doesNotMatch(description, /key_in_value/);
        const again = (await provider.read(id, updated)).props as ChangefeedOutputs;
        assert.equal((await provider.diff(id, again, inputs)).changes, false);
    });

    it("a failed job is recreated from its last high-water", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        await waitCaughtUp(env);
        env.server.failJob(outs.jobId, "boom");
        const refreshed = (await provider.read(id, outs)).props as ChangefeedOutputs;
        assert.equal(refreshed.status, "failed");
        assert.equal(refreshed.error, "boom");
        await env.sql("INSERT INTO t1 (id, v) VALUES (7, 'after-failure')");
        const updated = (await provider.update(id, refreshed, env.inputs(["t1"])))
            .outs as ChangefeedOutputs;
        assert.equal(updated.cursor, refreshed.highWaterTimestamp);
        await eventually(
            () => keysOf(env, "t1").includes("[7]"),
            "the row written after the failure",
        );
    });

    it("adopts a hand-made feed only when sink and tables match", async () => {
        const env = await environment();
        const inputs = env.inputs(["t1"]);
        const sink = buildSinkUri(inputs.webhookUrl, {
            caCertPem: inputs.caCertPem,
            clientCertPem: inputs.clientCertPem,
            clientKeyPem: inputs.clientKeyPem,
        });
        const [row] = await env.sql(
            `CREATE CHANGEFEED FOR TABLE t1 INTO '${sink}' WITH updated, resolved = '250ms', min_checkpoint_frequency = '250ms', webhook_auth_header = 'Bearer ${TOKEN}'`,
        );
        const jobId = String(row?.job_id);
        await eventually(
            async () =>
                ((await env.sql(`SHOW CHANGEFEED JOB ${jobId}`))[0]?.high_water_timestamp ??
                    null) !== null,
            "a high-water",
        );

        await assert.rejects(
            create({
                ...env.inputs(["t1", "t2"], {
                    webhookUrl: `https://127.0.0.1:${env.receiver.port}/defaultdb/other`,
                }),
                adoptJobId: jobId,
            }),
            (err: Error) => {
                assert.equal(
                    err.message,
                    `cannot adopt changefeed job ${jobId}, it does not match the args: sink: the job delivers to 127.0.0.1:${env.receiver.port}/defaultdb/public, ` +
                        `webhookUrl is 127.0.0.1:${env.receiver.port}/defaultdb/other; tables not watched by the job: defaultdb.public.t2`,
                );
                return true;
            },
        );
        const adopted = await create({ ...inputs, adoptJobId: jobId });
        assert.equal(adopted.outs.jobId, jobId);
        assert.equal(adopted.outs.status, "running");
        assert.equal(env.server.jobs().length, 1);
        await env.sql("INSERT INTO t1 (id, v) VALUES (5, 'adopted')");
        await eventually(() => keysOf(env, "t1").includes("[5]"), "a row through the adopted feed");
    });

    it("if ALTER fails, the job is resumed and the error thrown (nothing half-applied)", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        const mark = env.server.statements.length;
        await assert.rejects(
            provider.update(id, outs, env.inputs(["t1", "no_such_table"])),
            (err: Error) => {
                assert.match(
                    err.message,
                    new RegExp(
                        `ALTER CHANGEFEED ${outs.jobId} failed, the job was left as it was: .*no_such_table`,
                    ),
                );
                assertNoSecrets(err.message, env);
                return true;
            },
        );
        const steps = env.server.statements
            .slice(mark)
            .filter((s) => /^(PAUSE|ALTER|RESUME)/.test(s));
        assert.deepEqual(
            steps.map((s) => s.split(" ")[0]),
            ["PAUSE", "ALTER", "RESUME"],
        );
        await eventually(() => env.server.jobs()[0]?.status === "running", "the job to run again");
    });

    it("a new connection to the same cluster is an update; another cluster is refused", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        const news = env.inputs(["t1"], {
            connection: `${env.server.url}&application_name=failback`,
        });
        assert.deepEqual(await provider.diff(id, outs, news), { changes: true });
        const mark = env.server.statements.length;
        const updated = (await provider.update(id, outs, news)).outs as ChangefeedOutputs;
        assert.equal(updated.connection, news.connection);
        assert.equal(updated.jobId, outs.jobId);
        assert.ok(!env.server.statements.slice(mark).some((s) => /^(PAUSE|ALTER|CREATE)/.test(s)));

        const other = await environment();
        await assert.rejects(provider.update(id, outs, other.inputs(["t1"])), /Refusing to update/);
    });

    it("delete cancels the job and is idempotent (already cancelled or gone = success)", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        await provider.delete(id, outs);
        assert.equal(env.server.jobs()[0]?.status, "canceled");
        const mark = env.server.statements.length;
        await provider.delete(id, outs);
        assert.ok(!env.server.statements.slice(mark).some((s) => s.startsWith("CANCEL")));
        await provider.delete(id, { ...outs, jobId: "999999" });
    });

    it("create names the missing privileges of a non-admin user and the GRANTs to run", async () => {
        const env = await environment();
        await env.sql("CREATE USER feeder", "GRANT CHANGEFEED ON TABLE t1 TO feeder");
        const mark = env.server.statements.length;
        await assert.rejects(
            create(env.inputs(["t1", "t2"], { connection: env.server.urlFor("feeder") })),
            (err: Error) => {
                assert.equal(
                    err.message,
                    "user feeder cannot create this changefeed: it lacks CHANGEFEED on defaultdb.public.t2; system privilege VIEWJOB " +
                        "(to see other users' changefeeds, which the exclusive guard checks (or set exclusive: false)). " +
                        'As an admin run: GRANT CHANGEFEED ON TABLE "t2" TO "feeder"; GRANT SYSTEM VIEWJOB TO "feeder";',
                );
                return true;
            },
        );
        assert.ok(
            !env.server.statements.slice(mark).some((s) => s.startsWith("CREATE CHANGEFEED")),
        );
        await env.sql(
            'GRANT CHANGEFEED ON TABLE "t2" TO "feeder"',
            'GRANT SYSTEM VIEWJOB TO "feeder"',
        );
        const { outs } = await create(
            env.inputs(["t1", "t2"], { connection: env.server.urlFor("feeder") }),
        );
        assert.equal(outs.status, "running");
    });
});

describe("Changefeed provider: a failed create keeps its cursor (no write lost on retry)", () => {
    it("a dead sink fails create with partial state holding the cursor; the retry starts from it", async () => {
        const env = await environment();
        const dead = `https://127.0.0.1:${await closedPort()}/defaultdb/public`;
        const first = env.inputs(["t1"], { webhookUrl: dead, waitForRunningSeconds: 3 });
        const partial = await provider.create(first).then(
            () => assert.fail("create must fail on a dead sink"),
            (err: unknown) => err as PartialStateError,
        );
        assert.equal(partial.name, "PartialStateError", String(partial));
        const recorded = partial.properties as unknown as ChangefeedOutputs;
        assert.match(recorded.cursor, /^\d+\.\d{10}$/);
        assert.equal(recorded.jobId, "");
        assert.equal(recorded.status, "missing");
        assert.equal(recorded.highWaterTimestamp, undefined);
        assert.match(partial.message, /The cursor \d+\.\d{10} is kept in state/);
        assertNoSecrets(partial.message, env);
        assert.ok(
            env.server
                .jobs()
                .every((j) => ["canceled", "cancel-requested", "failed"].includes(j.status)),
            "no job left running",
        );

        await env.sql("INSERT INTO t1 (id, v) VALUES (11, 'after-failed-up'), (12, 'x')");
        const fixed = env.inputs(["t1"]);
        assert.deepEqual(await provider.diff(partial.id, recorded, fixed), { changes: true });
        const retried = (await provider.update(partial.id, recorded, fixed))
            .outs as ChangefeedOutputs;
        assert.equal(retried.cursor, recorded.cursor, "the retry starts from the first cursor");
        assert.equal(retried.status, "running");
        await eventually(
            () => ["[11]", "[12]"].every((k) => keysOf(env, "t1").includes(k)),
            "rows written between the failed up and the retry",
        );
        await provider.delete(partial.id, retried);
    });

    it("a retry that fails again keeps the same cursor (state is left as it was)", async () => {
        const env = await environment();
        const dead = `https://127.0.0.1:${await closedPort()}/defaultdb/public`;
        const first = env.inputs(["t1"], { webhookUrl: dead, waitForRunningSeconds: 2 });
        const partial = (await provider
            .create(first)
            .catch((e: unknown) => e)) as PartialStateError;
        const recorded = partial.properties as unknown as ChangefeedOutputs;
        await assert.rejects(provider.update(partial.id, recorded, first));
        const last = env.server.statements.filter((s) => s.startsWith("CREATE CHANGEFEED")).pop()!;
        assert.ok(last.includes(`cursor = '${recorded.cursor}'`), last);
        await provider.delete(partial.id, recorded);
    });

    it("delete of a partial state without a job does nothing", async () => {
        const env = await environment();
        const outs = {
            ...env.inputs(["t1"]),
            jobId: "",
            status: "missing",
        } as unknown as ChangefeedOutputs;
        await provider.delete("changefeed-0", outs);
        assert.equal((await provider.read("changefeed-0", outs)).props.status, "missing");
    });
});

describe("Changefeed provider: no silent success", () => {
    it("a sink answering 401 to every POST fails create and cancels the job", async () => {
        // Real cadence (one minute): the resumer's throttle starts at zero on each resume, so the
        // first `transient error: …` is published at once and stays visible (the restarted flow
        // keeps a status it finds for a full interval); docs/cockroachdb-behaviour.md,
        // "running_status". Later errors may stay unpublished for up to a minute.
        const env = await environment();
        env.receiver.respond = () => ({ status: 401, body: "unauthorized" });
        const started = Date.now();
        await assert.rejects(
            provider.create(env.inputs(["t1"], { waitForRunningSeconds: 20 })),
            (err: Error) => {
                assert.match(err.message, /transient error/);
                assert.match(err.message, /401/);
                assertNoSecrets(err.message, env);
                return true;
            },
        );
        assert.ok(
            Date.now() - started < 15_000,
            "fails on the first transient error, not at the timeout",
        );
        assert.ok(
            env.server.jobs().every((j) => ["canceled", "cancel-requested"].includes(j.status)),
            env.server
                .jobs()
                .map((j) => j.status)
                .join(","),
        );
    });

    it("without delivery verification the outputs say delivery is unverified", async () => {
        const env = await environment();
        const { outs } = await create(env.inputs(["t1"]));
        assert.equal(outs.deliveryVerified, false);
        assert.match(String(outs.deliveryNote), /not verified/);
    });
});

function closedPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

describe("Changefeed provider: a cut connection leaves an unknown outcome that is re-read", () => {
    async function proxied(env: Environment): Promise<TcpProxy> {
        const port = Number(new URL(env.server.url).port);
        const proxy = await startTcpProxy({ targetPort: port });
        proxies.push(proxy);
        return proxy;
    }

    for (const statement of ["PAUSE JOB", "ALTER CHANGEFEED", "RESUME JOB"]) {
        it(`a cut right after the server ran ${statement}: update converges; later ups and refresh see the job as it is`, async () => {
            const env = await environment();
            const { id, outs } = await create(env.inputs(["t1"]));
            const proxy = await proxied(env);
            const news = env.inputs(["t1", "t2"], { connection: proxy.urlFor(env.server.url) });
            proxy.armCut({
                direction: "toServer",
                afterMatch: statement,
                thenDirection: "toClient",
                thenBytes: 1,
            });
            const first = await provider.update(id, outs, news).then(
                (r) => r.outs as ChangefeedOutputs,
                (err: Error) => err,
            );
            assert.equal(proxy.cuts, 1, "the cut happened");
            if (first instanceof Error) assertNoSecrets(first.message, env);
            await eventually(
                async () =>
                    (await env.sql(`SHOW CHANGEFEED JOB ${outs.jobId}`))[0]?.status === "running",
                "the job to run again after the cut",
            );

            // Refresh from the state before the update shows what the job really watches.
            const refreshed = (await provider.read(id, outs)).props as ChangefeedOutputs;
            const watched = (await env.sql(`SHOW CHANGEFEED JOB ${outs.jobId}`))[0]
                ?.full_table_names;
            const watchesT2 = String(watched).includes("t2");
            assert.equal(
                refreshed.tables.some((t) => t.endsWith("t2")),
                watchesT2,
                `refresh reports the job's tables (${String(watched)} vs ${refreshed.tables.join(",")})`,
            );

            // Whatever the first update returned, the next `up` (from the old state too) converges.
            const again = (await provider.update(id, outs, env.inputs(["t1", "t2"])))
                .outs as ChangefeedOutputs;
            assert.equal(again.status, "running");
            const final = (await env.sql(`SHOW CHANGEFEED JOB ${outs.jobId}`))[0];
            assert.match(String(final?.full_table_names), /t1/);
            assert.match(String(final?.full_table_names), /t2/);
            assert.equal(env.server.jobs().filter((j) => j.status === "running").length, 1);
        });
    }
});

describe("Changefeed provider: a cut after CREATE or CANCEL ran", () => {
    it("create: the CREATE committed but its answer was lost; the job is cancelled, the cursor kept, the retry starts from it", async () => {
        const env = await environment();
        const proxy = await startTcpProxy({ targetPort: Number(new URL(env.server.url).port) });
        proxies.push(proxy);
        const inputs = env.inputs(["t1"], { connection: proxy.urlFor(env.server.url) });
        proxy.armCut({
            direction: "toServer",
            afterMatch: "CREATE CHANGEFEED",
            thenDirection: "toClient",
            thenBytes: 1,
        });
        const partial = (await provider
            .create(inputs)
            .catch((e: unknown) => e)) as PartialStateError;
        assert.equal(partial.name, "PartialStateError", String(partial));
        // Whether the server ran it before the cut depends on where the answer was cut; either
        // way nothing may be left running after the retry.
        assert.match(
            partial.message,
            /The statement had committed: job \d+ was cancelled|No job was created/,
        );
        const recorded = partial.properties as unknown as ChangefeedOutputs;
        await env.sql("INSERT INTO t1 (id, v) VALUES (21, 'after the cut')");
        const retried = (await provider.update(partial.id, recorded, env.inputs(["t1"])))
            .outs as ChangefeedOutputs;
        assert.equal(retried.cursor, recorded.cursor);
        await eventually(() => keysOf(env, "t1").includes("[21]"), "the row written after the cut");
        assert.deepEqual(
            env.server
                .jobs()
                .filter((j) => j.status === "running")
                .map((j) => j.jobId),
            [retried.jobId],
        );
    });

    it("create cut after CREATE, then destroy instead of a retry: no job is left running", async () => {
        const env = await environment();
        const proxy = await startTcpProxy({ targetPort: Number(new URL(env.server.url).port) });
        proxies.push(proxy);
        const inputs = env.inputs(["t1"], { connection: proxy.urlFor(env.server.url) });
        proxy.armCut({
            direction: "toServer",
            afterMatch: "CREATE CHANGEFEED",
            thenDirection: "toClient",
            thenBytes: 1,
        });
        const partial = (await provider
            .create(inputs)
            .catch((e: unknown) => e)) as PartialStateError;
        assert.equal(partial.name, "PartialStateError", String(partial));
        await eventually(() => env.server.jobs().length > 0, "the CREATE to have run");
        await provider.delete(partial.id, partial.properties);
        await eventually(
            () =>
                env.server.jobs().every((j) => ["canceled", "cancel-requested"].includes(j.status)),
            "no job left running after destroy",
        );
    });

    it("delete: CANCEL ran but its answer was lost; delete still succeeds and no job runs", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        const proxy = await startTcpProxy({ targetPort: Number(new URL(env.server.url).port) });
        proxies.push(proxy);
        proxy.armCut({
            direction: "toServer",
            afterMatch: "CANCEL JOB",
            thenDirection: "toClient",
            thenBytes: 1,
        });
        await provider.delete(id, { ...outs, connection: proxy.urlFor(env.server.url) });
        assert.equal(proxy.cuts, 1);
        await eventually(
            () => env.server.jobs().every((j) => j.status === "canceled"),
            "the job to be cancelled",
        );
    });
});

describe("Changefeed provider: text CockroachDB echoes is scrubbed where the job is read", () => {
    it("a job error quoting a token, user info and sink parameters reaches state scrubbed", async () => {
        const env = await environment();
        const { id, outs } = await create(env.inputs(["t1"]));
        env.server.failJob(
            outs.jobId,
            `Post "https://alice:pw-77@127.0.0.1:1/defaultdb/public?client_key=S3CR3T": 401 Authorization: Bearer ${TOKEN}`,
        );
        const refreshed = (await provider.read(id, outs)).props as ChangefeedOutputs;
        assert.equal(refreshed.status, "failed");
        for (const secret of [TOKEN, "pw-77", "S3CR3T", "alice"]) {
            assert.ok(!String(refreshed.error).includes(secret), `${secret} in ${refreshed.error}`);
        }
        assert.match(String(refreshed.error), /127\.0\.0\.1:1\/defaultdb\/public/);
    });
});
