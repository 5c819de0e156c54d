/**
 * Delivery verification against the CockroachDB test server and the replicator stand-in
 * (staging = the test server's backing database, target = a real PostgreSQL database written as
 * a grantee). "running" is no proof; only a checkpoint the replicator recorded is. Each failure
 * case must end within its bound, name the troubleshooting case and leave no job behind.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer } from "node:net";
import { after, afterEach, before, describe, it, mock } from "node:test";

import { Client } from "pg";

import { PartialStateError } from "../../../src/providers/kernel/partialState";
import { makeChangefeedProvider } from "../../../src/providers/changefeed/provider";
import type { ChangefeedInputs, ChangefeedOutputs } from "../../../src/providers/changefeed/types";
import { isNewerHlc } from "../../../src/providers/changefeed/verify";
import { publicKeyPemOf, replicatorClaims, signJwt } from "../../../src/tls/jwt";
import { type CockroachTestServer, startCockroachTestServer } from "../../support/cockroach";
import { startReplicatorStandIn, type ReplicatorStandIn } from "../../support/replicator";
import { makeTestCertificates, type TestCertificates } from "../../support/replicator/testCerts";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { withPg as sessionWithPg } from "../../support/sessions";

const STAGING_SCHEMA = "defaultdb._replicator";
const VERIFY_SECONDS = 5;

const provider = makeChangefeedProvider({
    deliveryPollMs: 100,
    sessionOptions: { connectMs: 3_000, statementMs: 10_000 },
});

function dbUrl(database: string, user?: string): string {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${database}`;
    if (user) url.username = user;
    return url.toString();
}

function withPg<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
    return sessionWithPg(url, work, { connectTimeoutMs: 5_000 });
}

function newKey(): KeyObject {
    return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
        return await work();
    } finally {
        console.log(`${what}: ${((Date.now() - start) / 1000).toFixed(2)} s`);
    }
}

/** The note of a verified delivery: the proof is an applied checkpoint, not a staged one. */
const VERIFIED_NOTE =
    "delivery verified: the replicator applied rows up to a checkpoint newer than the cursor " +
    "(target_applied_at is set), not only staged them";

describe("Changefeed delivery verification (CockroachDB test server + replicator stand-in)", () => {
    const targetDb = uniqueName("cf_dlv");
    const grantee = uniqueName("cf_dlv_user");
    const key = newKey();
    let certs: TestCertificates;
    let crdb: CockroachTestServer;
    let standIn: ReplicatorStandIn;
    let token: string;

    const registerKey = (privateKey: KeyObject) =>
        withPg(crdb.backingDatabaseUrl, (c) =>
            c.query("INSERT INTO _replicator.jwt_public_keys (public_key) VALUES ($1)", [
                publicKeyPemOf(privateKey),
            ]),
        );

    function inputs(overrides: Partial<ChangefeedInputs> = {}): ChangefeedInputs {
        return {
            connection: crdb.url,
            tables: ["t1"],
            webhookUrl: `${standIn.url}/${targetDb}/public`,
            caCertPem: certs.caPem,
            authToken: token,
            resolved: "100ms",
            minCheckpointFrequency: "100ms",
            waitForRunningSeconds: 10,
            exclusive: false,
            verifyDelivery: {
                stagingSchema: STAGING_SCHEMA,
                targetSchema: [targetDb, "public"],
                timeoutSeconds: VERIFY_SECONDS,
            },
            stagingConnection: crdb.url,
            ...overrides,
        };
    }

    const activeJobs = () =>
        crdb
            .jobs()
            .filter(
                (j) => !["canceled", "cancel-requested", "failed", "succeeded"].includes(j.status),
            );

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        certs = makeTestCertificates();
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${targetDb}`);
            await c.query(`CREATE ROLE ${grantee} LOGIN`);
        });
        await withPg(dbUrl(targetDb), async (c) => {
            await c.query("CREATE TABLE public.t1 (id INT8 PRIMARY KEY, v TEXT)");
            await c.query(`GRANT USAGE ON SCHEMA public TO ${grantee}`);
            await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON public.t1 TO ${grantee}`);
        });
        // The TLS-hint test reads each `transient error: …` status; a real cluster shows at most
        // one a minute (runStatusUpdateFrequency), so this file shortens that explicitly. Not to
        // zero: a published error stays visible for one interval after the flow restarts, which
        // is what lets a poll under load see it (docs/cockroachdb-behaviour.md, "running_status").
        crdb = await startCockroachTestServer({ runningStatusIntervalMs: 1_000 });
        await withPg(crdb.url, async (c) => {
            await c.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
            await c.query("CREATE TABLE t1 (id INT PRIMARY KEY, v STRING)");
        });
        standIn = await startReplicatorStandIn({
            targetConnection: dbUrl(targetDb, grantee),
            stagingConnection: crdb.backingDatabaseUrl,
            stagingSchema: STAGING_SCHEMA,
            stagingCreateSchema: true,
            tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
            jwtKeyRefreshMs: 200,
        });
        token = signJwt(replicatorClaims([[targetDb, "public"]]), key);
        await registerKey(key);
        await new Promise((resolve) => setTimeout(resolve, 500)); // one key refresh
    });

    afterEach(async () => {
        // Every test leaves no running feed: later feeds into the same partition start clean.
        await withPg(crdb.url, async (c) => {
            for (const job of activeJobs()) await c.query(`CANCEL JOB ${job.jobId}`);
        });
    });

    after(async () => {
        await crdb?.stop();
        await standIn?.stop();
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${targetDb} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${grantee}`);
        });
    });

    it("200: create proves delivery with a checkpoint newer than the cursor; update proves it again", async () => {
        const { id, outs } = await timed("verified create (200)", () => provider.create(inputs()));
        const created = outs as ChangefeedOutputs;
        assert.equal(created.status, "running");
        assert.ok(created.lastDeliveredResolved, "a checkpoint is reported");
        assert.ok(
            isNewerHlc(created.lastDeliveredResolved, created.cursor),
            `${created.lastDeliveredResolved} > cursor ${created.cursor}`,
        );
        assert.ok(!Number.isNaN(Date.parse(created.deliveryVerifiedAt ?? "")));
        assert.equal(created.deliveryNote, VERIFIED_NOTE);
        const [recorded] = await withPg(crdb.backingDatabaseUrl, async (c) =>
            (
                await c.query(
                    "SELECT max(source_hlc)::TEXT AS hlc FROM _replicator.checkpoints WHERE group_name = $1",
                    [`${targetDb}.public`],
                )
            ).rows.map((r: { hlc: string }) => r.hlc),
        );
        assert.ok(
            !isNewerHlc(created.lastDeliveredResolved, recorded!),
            "reported what the replicator recorded",
        );

        const news = inputs({ resolved: "200ms" });
        assert.deepEqual(await provider.diff(id, created, news), { changes: true });
        const updated = (
            await timed("verified update (200)", () => provider.update(id, created, news))
        ).outs as ChangefeedOutputs;
        assert.equal(updated.jobId, created.jobId);
        assert.ok(
            isNewerHlc(updated.lastDeliveredResolved, created.highWaterTimestamp ?? created.cursor),
            "the update's proof is newer than the high-water at its start",
        );
        assert.equal(updated.deliveryNote, VERIFIED_NOTE);
        assert.deepEqual(await provider.diff(id, updated, news), { changes: false });
    });

    it("staged but never applied: create fails naming privileges, missing tables and the replicator's logs", async () => {
        standIn.setStageOnly(true);
        try {
            const start = Date.now();
            await assert.rejects(
                timed("staged-never-applied create failure", () => provider.create(inputs())),
                (err: Error) => {
                    console.log(`staged-never-applied failure message:\n${err.message}`);
                    assert.match(err.message, /delivery not verified within 5s/);
                    assert.match(err.message, /not applied/);
                    assert.match(err.message, /target_applied_at/);
                    assert.match(err.message, /privileges/);
                    assert.match(err.message, /missing tables|tables .*exist/);
                    assert.match(err.message, /logs/);
                    assert.match(err.message, /apply_errors_total/);
                    assert.match(err.message, /no changefeed was left behind\./);
                    return true;
                },
            );
            assert.ok(Date.now() - start < (VERIFY_SECONDS + 5) * 1000, "bounded");
            const [staged] = await withPg(crdb.backingDatabaseUrl, async (c) =>
                (
                    await c.query(
                        `SELECT count(*)::INT AS n FROM _replicator.checkpoints
                          WHERE group_name = $1 AND target_applied_at IS NULL`,
                        [`${targetDb}.public`],
                    )
                ).rows.map((r: { n: number }) => r.n),
            );
            assert.ok(staged! > 0, "the stand-in did record (unapplied) checkpoints");
            assert.equal(activeJobs().length, 0);
        } finally {
            standIn.setStageOnly(false);
        }
    });

    it("waits through 401s while the replicator has not loaded a just-registered key", async () => {
        const lateKey = newKey();
        const lateToken = signJwt(replicatorClaims([[targetDb, "public"]]), lateKey);
        const mark = standIn.requests.length;
        const creating = provider.create(
            inputs({
                authToken: lateToken,
                verifyDelivery: {
                    stagingSchema: STAGING_SCHEMA,
                    targetSchema: [targetDb, "public"],
                    timeoutSeconds: 20,
                },
            }),
        );
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await registerKey(lateKey);
        const outs = (await timed("create with the key registered 2 s late", () => creating))
            .outs as ChangefeedOutputs;
        assert.ok(outs.deliveryVerifiedAt);
        assert.ok(
            standIn.requests.slice(mark).some((r) => r.status === 401),
            "the replicator refused the token before it reloaded its keys",
        );
    });

    it("401 (unregistered key): create fails within the bound with the 401 hint and cancels its job", async () => {
        const stranger = signJwt(replicatorClaims([[targetDb, "public"]]), newKey());
        const start = Date.now();
        await assert.rejects(
            timed("401 create failure", () => provider.create(inputs({ authToken: stranger }))),
            (err: Error) => {
                console.log(`401 create failure message:\n${err.message}`);
                assert.match(err.message, /delivery not verified within 5s/);
                assert.match(err.message, /401 Unauthorized/);
                assert.match(err.message, /401: the replicator did not accept the token/);
                assert.match(err.message, /no changefeed was left behind\./);
                assert.ok(!err.message.includes(stranger), "the token is never printed");
                return true;
            },
        );
        assert.ok(Date.now() - start < (VERIFY_SECONDS + 5) * 1000, "bounded");
        const job = crdb.jobs().at(-1)!;
        assert.ok(["canceled", "cancel-requested"].includes(job.status), job.status);
        assert.equal(activeJobs().length, 0);
    });

    it("400 unknown schema (wrong database in the path): the path hint", async () => {
        const wrongDb = `${targetDb}_nope`;
        await assert.rejects(
            timed("400 create failure", () =>
                provider.create(
                    inputs({
                        webhookUrl: `${standIn.url}/${wrongDb}/public`,
                        authToken: signJwt(replicatorClaims([["*", "*"]]), key),
                        verifyDelivery: {
                            stagingSchema: STAGING_SCHEMA,
                            targetSchema: [wrongDb, "public"],
                            timeoutSeconds: VERIFY_SECONDS,
                        },
                    }),
                ),
            ),
            (err: Error) => {
                assert.match(err.message, /400 Bad Request: unknown schema/);
                assert.match(err.message, /\/<db>\/<schema> for PostgreSQL \(db = the database/);
                return true;
            },
        );
        assert.equal(activeJobs().length, 0);
    });

    it("unreachable sink (closed port): the connection-refused hint", async () => {
        const port = await closedPort();
        await assert.rejects(
            timed("connection-refused create failure", () =>
                provider.create(
                    inputs({ webhookUrl: `https://127.0.0.1:${port}/${targetDb}/public` }),
                ),
            ),
            (err: Error) => {
                assert.match(err.message, /connect: connection refused/);
                assert.match(
                    err.message,
                    /replicator is down, webhookUrl has the wrong host or port/,
                );
                return true;
            },
        );
        assert.equal(activeJobs().length, 0);
    });

    it("a CA that did not sign the server certificate: the TLS/x509 hint", async () => {
        const otherCa = makeTestCertificates().caPem;
        await assert.rejects(
            timed("x509 create failure", () => provider.create(inputs({ caCertPem: otherCa }))),
            (err: Error) => {
                assert.match(err.message, /x509: certificate signed by unknown authority/);
                assert.match(
                    err.message,
                    /must chain to caCertPem and cover the webhook host 127\.0\.0\.1/,
                );
                return true;
            },
        );
        assert.equal(activeJobs().length, 0);
    });

    it("update: no proof after an in-place change leaves the job running and fails with partial state", async () => {
        const { id, outs } = await provider.create(inputs());
        const created = outs as ChangefeedOutputs;
        const stranger = signJwt(replicatorClaims([[targetDb, "public"]]), newKey());
        await assert.rejects(
            timed("401 update failure", () =>
                provider.update(id, created, inputs({ authToken: stranger })),
            ),
            (err: unknown) => {
                assert.ok(err instanceof PartialStateError, String(err));
                assert.match(err.message, /401: the replicator did not accept the token/);
                assert.match(err.message, /The job was left running/);
                const state = err.properties as unknown as ChangefeedOutputs;
                assert.equal(state.jobId, created.jobId);
                assert.equal(state.authToken, stranger, "the applied change is recorded");
                assert.equal(state.deliveryVerifiedAt, undefined, "the next up verifies again");
                return true;
            },
        );
        assert.equal(crdb.jobs().find((j) => j.jobId === created.jobId)?.status, "running");
    });

    it("an unreachable staging cluster is a clear, redacted error before any job exists", async () => {
        const before = crdb.jobs().length;
        const port = await closedPort();
        await assert.rejects(
            provider.create(
                inputs({
                    stagingConnection: `postgresql://stager:s3cret-pw@127.0.0.1:${port}/defaultdb`,
                }),
            ),
            (err: Error) => {
                assert.match(
                    err.message,
                    new RegExp(
                        `delivery verification: cannot reach the staging cluster \\(verifyDelivery\\.stagingConnection\\): cannot connect to CockroachDB at 127\\.0\\.0\\.1:${port}/defaultdb`,
                    ),
                );
                assert.ok(!err.message.includes("s3cret-pw"));
                return true;
            },
        );
        assert.equal(crdb.jobs().length, before, "no job was created");
    });

    it("without verifyDelivery, create warns that delivery was not verified; false silences it", async () => {
        const warn = mock.method(console, "warn", () => undefined);
        try {
            const plain = inputs({ verifyDelivery: undefined, stagingConnection: undefined });
            const { outs } = await provider.create(plain);
            assert.equal((outs as ChangefeedOutputs).deliveryVerifiedAt, undefined);
            const warnings = warn.mock.calls.map((c) => String(c.arguments[0]));
            assert.ok(
                warnings.some((w) => /delivery to the replicator was not verified/.test(w)),
                warnings.join("\n"),
            );
            await withPg(crdb.url, (c) =>
                c.query(`CANCEL JOB ${(outs as ChangefeedOutputs).jobId}`),
            );
            warn.mock.resetCalls();
            await provider.create(inputs({ verifyDelivery: false, stagingConnection: undefined }));
            assert.equal(
                warn.mock.calls.filter((c) => /not verified/.test(String(c.arguments[0]))).length,
                0,
            );
        } finally {
            warn.mock.restore();
        }
    });
});
