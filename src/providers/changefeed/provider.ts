/**
 * Lifecycle of the Changefeed dynamic resource; what it does is described in README.md and docs/changefeed-health.md.
 *
 * - create: privilege check → exclusive guard → CREATE CHANGEFEED → wait for `running` — or, with
 *   `verifyDelivery`, for proof that the replicator applied rows up to a checkpoint newer than the
 *   cursor (`verify.ts`); if anything fails once the job exists, the job is cancelled before the
 *   error is thrown.
 * - update: in place with PAUSE → ALTER → RESUME (high-water kept), or a new job from the stored
 *   high-water when the old one failed, was cancelled or is gone (the resource id stays). With
 *   `verifyDelivery`, then waits for a checkpoint newer than the high-water at the start of the
 *   update. If that proof does not come, a job this update created is cancelled; a job that was
 *   altered/resumed in place is left running (cancelling it would stop a feed that may have
 *   been delivering before) and the update fails with a PartialStateError that records the
 *   applied change without `deliveryVerifiedAt`, so the next `up` verifies again.
 * - read: SHOW CHANGEFEED JOB <id>, so refresh shows a failed/cancelled/missing job, and tables
 *   or options changed out of band, as drift.
 * - delete: CANCEL JOB; a job already finished or gone is success.
 */
import { logCreatePreview, logDiffPreview, logRefreshPreview, noteRead } from "./preview";
import * as pulumi from "@pulumi/pulumi";

import { newResourceId } from "../kernel/ids";
import { withoutUndefined } from "../kernel/lazyProvider";
import { PartialStateError } from "../kernel/partialState";
import { progressOf } from "../kernel/progress";
import { scrubSecrets } from "../kernel/redact";
import {
    type CockroachSession,
    connectCockroach,
    laterHlc,
    type SessionTimeouts,
    sqlState,
} from "../cockroach";
import { checkChangefeed } from "./check";
import { requireOptionsOnClusterVersion } from "./clusterVersion";
import { explainChangefeedStatementError } from "./createErrors";
import { deliveryPartition, verificationOf } from "./delivery";
import { diffChangefeed } from "./diff";
import {
    cancel,
    describeJob,
    type JobInfo,
    listJobs,
    pause,
    resume,
    showJob,
    waitForJob,
} from "./jobs";
import { withActualOptions } from "./jobOptions";
import { alterableOptions, createOptions, DEFAULT_WAIT_FOR_RUNNING_SECONDS } from "./options";
import {
    needsRecreate,
    planAlter,
    recreateCursor,
    secretsOf,
    sinkIdentityOfInputs,
    sinkUriOf,
    targetTables,
} from "./plan";
import { findMissingPrivileges, missingPrivilegesMessage } from "./privileges";
import { waitForStart } from "./startup";
import {
    describeSink,
    type SinkIdentity,
    sameSink,
    sameSinkResolved,
    sinkIdentityOf,
} from "./sink";
import {
    type AlterPlan,
    alterChangefeed,
    alterPlanIsEmpty,
    createChangefeed,
    SELECT_CLUSTER_ID,
    SELECT_CLUSTER_LOGICAL_TIMESTAMP,
} from "./sql";
import type { TableRef } from "./tables";
import {
    ACTIVE_STATUSES,
    type ChangefeedInputs,
    type ChangefeedOutputs,
    type DeliveryVerificationInputs,
} from "./types";
import {
    DeliveryNotVerified,
    type DeliveryProof,
    latestCheckpoint,
    waitForDelivery,
} from "./verify";

/** What the provider depends on; tests pass shorter bounds through {@link makeChangefeedProvider}. */
export interface ChangefeedProviderDeps {
    /** Connect and statement timeouts of every session (CockroachDB and staging). */
    sessionOptions: SessionTimeouts;
    /** Milliseconds between two looks at the job and the checkpoints while verifying delivery. */
    deliveryPollMs: number;
}

const DEFAULT_DEPS: ChangefeedProviderDeps = {
    sessionOptions: { connectMs: 10_000, statementMs: 30_000 },
    deliveryPollMs: 500,
};

/** Runs `work` on a fresh session to `url` (bounded by the deps' timeouts) and closes it. */
type OpenSession = <T>(
    url: string,
    secrets: readonly string[],
    work: (session: CockroachSession) => Promise<T>,
) => Promise<T>;

/** The provider's runtime context: how sessions are opened and how often delivery is polled. */
interface Ctx {
    open: OpenSession;
    timeouts: SessionTimeouts;
    deliveryPollMs: number;
}

function contextOf(deps: ChangefeedProviderDeps): Ctx {
    const open: OpenSession = async (url, secrets, work) => {
        const session = await connectCockroach(url, secrets, deps.sessionOptions);
        try {
            return await work(session);
        } finally {
            await session.close();
        }
    };
    return { open, timeouts: deps.sessionOptions, deliveryPollMs: deps.deliveryPollMs };
}

/** Delivery verification in progress: the staging session and the proof's lower bound. */
interface Verification {
    staging: CockroachSession;
    verify: DeliveryVerificationInputs;
    /** Proof is a checkpoint strictly later than this DECIMAL HLC. */
    baseline: string;
}

/**
 * Opens the staging session for delivery verification. A staging cluster that cannot be reached
 * is a clear error naming the (redacted) server, raised before any job is created.
 */
async function withStaging<T>(
    ctx: Ctx,
    inputs: ChangefeedInputs,
    secrets: readonly string[],
    work: (staging: CockroachSession) => Promise<T>,
): Promise<T> {
    let staging: CockroachSession;
    try {
        staging = await connectCockroach(
            inputs.stagingConnection ?? inputs.connection,
            secrets,
            ctx.timeouts,
        );
    } catch (err) {
        const which = inputs.stagingConnection
            ? "verifyDelivery.stagingConnection"
            : "verifyDelivery.stagingConnection, defaulting to connection";
        throw failure(
            `delivery verification: cannot reach the staging cluster (${which}): ${(err as Error).message}`,
            secrets,
        );
    }
    try {
        return await work(staging);
    } finally {
        await staging.close();
    }
}

/** The proof's lower bound: the later of `from` and the checkpoint already recorded. */
async function baselineOf(
    staging: CockroachSession,
    verify: DeliveryVerificationInputs,
    from: string,
): Promise<string> {
    const before = await latestCheckpoint(
        staging,
        verify.stagingSchema,
        deliveryPartition(verify.targetSchema),
    );
    return laterHlc(from, before.value) ?? from;
}

/** Logs that a standalone changefeed was created without proof of delivery. */
function warnUnverified(inputs: ChangefeedInputs, jobId: string): void {
    if (inputs.verifyDelivery !== undefined) return;
    void pulumi.log.warn(
        `changefeed job ${jobId} runs, but delivery to the replicator was not verified: "running" and the ` +
            "high-water are no proof (CockroachDB advances them while the sink rejects every request). Pass " +
            "verifyDelivery: { stagingConnection, stagingSchema, targetSchema } (Failback does) to wait until the " +
            "replicator has applied rows up to a checkpoint, or verifyDelivery: false to silence this warning.",
    );
}

/** An error whose message has been scrubbed of every secret of the inputs. */
function failure(message: string, secrets: readonly string[]): Error {
    return new Error(scrubSecrets(message, secrets));
}

function waitMs(inputs: ChangefeedInputs): number {
    return (inputs.waitForRunningSeconds ?? DEFAULT_WAIT_FOR_RUNNING_SECONDS) * 1000;
}

async function clusterId(session: CockroachSession): Promise<string> {
    const row = (await session.query(SELECT_CLUSTER_ID))[0] ?? {};
    return String(row["crdb_internal.cluster_id"] ?? Object.values(row)[0]);
}

async function clusterLogicalTimestamp(session: CockroachSession): Promise<string> {
    const row = (await session.query(SELECT_CLUSTER_LOGICAL_TIMESTAMP))[0] ?? {};
    return String(row.cluster_logical_timestamp ?? Object.values(row)[0]);
}

function outputsOf(
    inputs: ChangefeedInputs,
    fields: {
        jobId: string;
        cursor: string;
        job: JobInfo | undefined;
        previousHighWater?: string;
        clusterId: string;
        /** Proof of delivery from this operation (sets `deliveryVerifiedAt`). */
        proof?: Pick<DeliveryProof, "lastDeliveredResolved" | "deliveryVerifiedAt">;
        /** The latest checkpoint seen when no proof came. */
        lastCheckpoint?: string;
    },
): ChangefeedOutputs {
    return {
        connection: inputs.connection,
        tables: inputs.tables,
        webhookUrl: inputs.webhookUrl,
        caCertPem: inputs.caCertPem,
        clientCertPem: inputs.clientCertPem,
        clientKeyPem: inputs.clientKeyPem,
        authToken: inputs.authToken,
        requestedCursor: inputs.cursor,
        resolved: inputs.resolved,
        minCheckpointFrequency: inputs.minCheckpointFrequency,
        webhookClientTimeout: inputs.webhookClientTimeout,
        webhookSinkConfig: inputs.webhookSinkConfig,
        options: inputs.options,
        waitForRunningSeconds: inputs.waitForRunningSeconds,
        exclusive: inputs.exclusive,
        addedTablesInitialScan: inputs.addedTablesInitialScan,
        adoptJobId: inputs.adoptJobId,
        verifyDelivery: inputs.verifyDelivery,
        stagingConnection: inputs.stagingConnection,
        stateVersion: 1,
        jobId: fields.jobId,
        cursor: fields.cursor,
        status: fields.job?.status ?? "missing",
        highWaterTimestamp: laterHlc(fields.previousHighWater, fields.job?.highWaterTimestamp),
        runningStatus: fields.job?.runningStatus ?? "",
        error: fields.job?.error ?? "",
        sinkUri: sinkUriOf(inputs),
        clusterId: fields.clusterId,
        lastDeliveredResolved: fields.proof?.lastDeliveredResolved ?? fields.lastCheckpoint,
        deliveryVerifiedAt: fields.proof?.deliveryVerifiedAt,
        deliveryVerified: fields.proof !== undefined,
        deliveryNote: deliveryNoteOf(inputs, fields.proof !== undefined),
    };
}

/** What the outputs say about delivery, in words (`deliveryNote`). */
function deliveryNoteOf(inputs: ChangefeedInputs, verified: boolean): string {
    if (verified) {
        return (
            "delivery verified: the replicator applied rows up to a checkpoint newer than the cursor " +
            "(target_applied_at is set), not only staged them"
        );
    }
    if (verificationOf(inputs)) {
        return "delivery not verified yet: the last verification did not complete; the next `up` verifies again";
    }
    return (
        "delivery not verified: the job runs and its high-water advances, but CockroachDB advances both while " +
        "the sink rejects requests; only verifyDelivery proves that the replicator received anything"
    );
}

/** Refuses when another active changefeed already delivers to the same replicator. */
async function guardExclusive(
    session: CockroachSession,
    sink: SinkIdentity,
    ignoreJobId: string | undefined,
): Promise<void> {
    let clash: JobInfo | undefined;
    for (const job of await listJobs(session)) {
        if (job.jobId === ignoreJobId || !ACTIVE_STATUSES.has(job.status)) continue;
        if (await sameSinkResolved(sinkIdentityOf(job.sinkUri), sink)) {
            clash = job;
            break;
        }
    }
    if (clash) {
        throw new Error(
            `only one changefeed per replicator: changefeed job ${clash.jobId} (status ${clash.status}) already ` +
                `delivers to ${describeSink(sink)}. Cancel it (CANCEL JOB ${clash.jobId}), take it over with ` +
                `adoptJobId: "${clash.jobId}", or set exclusive: false if two feeds into one replicator are intended.`,
        );
    }
}

async function checkPrivileges(
    session: CockroachSession,
    inputs: ChangefeedInputs,
    tables: readonly TableRef[],
): Promise<void> {
    const missing = await findMissingPrivileges(session, tables, {
        viewAllJobs: inputs.exclusive ?? true,
        controlOtherJobs: inputs.adoptJobId !== undefined,
    });
    if (missing) throw new Error(missingPrivilegesMessage(missing));
}

/**
 * Runs `work` on `session`; when the session itself is broken (an error without a SQLSTATE: the
 * connection was cut or timed out), runs it once more on a fresh session. Cleanup must not
 * depend on the connection that just failed.
 */
async function onLiveSession<T>(
    ctx: Ctx,
    session: CockroachSession,
    connection: string,
    secrets: readonly string[],
    work: (session: CockroachSession) => Promise<T>,
): Promise<T> {
    try {
        return await work(session);
    } catch (err) {
        if (sqlState(err) !== undefined) throw err;
        return ctx.open(connection, secrets, work);
    }
}

/**
 * After CREATE CHANGEFEED failed without an answer (connection cut), the statement may still
 * have committed. The job it made is found by what only it has: the same sink host/port/path,
 * the same tables and our exact cursor in its description. Returns the ids cancelled.
 */
async function cancelUnacknowledgedJobs(
    ctx: Ctx,
    inputs: ChangefeedInputs,
    cursor: string,
    secrets: readonly string[],
): Promise<string[]> {
    const sink = sinkIdentityOfInputs(inputs);
    const tables = targetTables(inputs)
        .map((t) => t.key)
        .sort()
        .join(",");
    return ctx.open(inputs.connection, secrets, async (session) => {
        const ours = (await listJobs(session)).filter(
            (job) =>
                ACTIVE_STATUSES.has(job.status) &&
                sameSink(sinkIdentityOf(job.sinkUri), sink) &&
                [...job.fullTableNames].sort().join(",") === tables &&
                (job.description ?? "").includes(`cursor = '${cursor}'`),
        );
        for (const job of ours) await cancel(session, job.jobId);
        return ours.map((job) => job.jobId);
    });
}

/**
 * CREATE CHANGEFEED and wait until it runs without error — with `verification`, until the
 * replicator applied rows up to a checkpoint newer than the baseline (bounded by
 * `verifyDelivery.timeoutSeconds`, which then also bounds the wait for `running`). On any
 * failure after the job exists the job is cancelled first (on a fresh session if the connection
 * broke), so no orphan feed keeps delivering into the replicator.
 */
async function startJob(
    ctx: Ctx,
    session: CockroachSession,
    inputs: ChangefeedInputs,
    cursor: string,
    secrets: readonly string[],
    verification: Verification | undefined,
): Promise<{ job: JobInfo; proof?: DeliveryProof }> {
    const statement = createChangefeed(
        targetTables(inputs),
        sinkUriOf(inputs),
        createOptions(inputs, cursor),
    );
    let rows;
    try {
        rows = await session.query(statement.text, statement.params);
    } catch (err) {
        if (sqlState(err) !== undefined) throw explainChangefeedStatementError(err, "CREATE");
        let note: string;
        try {
            const cancelled = await cancelUnacknowledgedJobs(ctx, inputs, cursor, secrets);
            note =
                cancelled.length > 0
                    ? ` The statement had committed: job ${cancelled.join(", ")} was cancelled, no changefeed was left behind.`
                    : " No job was created.";
        } catch (lookupErr) {
            note =
                ` Whether the statement committed is unknown (${(lookupErr as Error).message}): check SHOW CHANGEFEED JOBS ` +
                `for a job with cursor = '${cursor}' and cancel it.`;
        }
        throw failure(`${(err as Error).message}.${note}`, secrets);
    }
    const jobId = String(rows[0]?.job_id);
    try {
        if (verification) {
            const proof = await waitForDelivery(session, verification.staging, {
                jobId,
                inputs,
                verify: verification.verify,
                baseline: verification.baseline,
                pollMs: ctx.deliveryPollMs,
            });
            return { job: proof.job, proof };
        }
        const started = await waitForStart(session, jobId, {
            from: cursor,
            timeoutMs: waitMs(inputs),
            progress: progressOf(`changefeed job ${jobId} to start`, logInfo),
        });
        if (!started.ok) {
            throw failure(
                `changefeed job ${jobId} ${started.reason}. Check that rangefeeds are enabled and that the replicator is ` +
                    "reachable at webhookUrl, trusts the client certificate and accepts the token.",
                secrets,
            );
        }
        return { job: started.job };
    } catch (err) {
        let fate: string;
        try {
            fate = await onLiveSession(ctx, session, inputs.connection, secrets, async (live) => {
                await cancel(live, jobId);
                const after = await showJob(live, jobId);
                return after ? `job ${jobId} is ${after.status}` : `job ${jobId} is gone`;
            });
        } catch (cancelErr) {
            throw new StartFailed(
                scrubSecrets(
                    `${(err as Error).message}; cancelling job ${jobId} failed too (${(cancelErr as Error).message}): ` +
                        `run CANCEL JOB ${jobId} so it does not keep delivering`,
                    secrets,
                ),
                jobId,
            );
        }
        throw failure(
            `${(err as Error).message} The ${fate}: no changefeed was left behind.`,
            secrets,
        );
    }
}

/** A start that failed; `jobLeft` names a job that may still exist because cancelling it failed. */
class StartFailed extends Error {
    constructor(
        message: string,
        readonly jobLeft?: string,
    ) {
        super(message);
    }
}

function logInfo(line: string): void {
    void pulumi.log.info(line);
}

/**
 * A create that failed after the cursor was taken: state records the cursor (and no job, or the
 * job a failed cancel left behind), so the next `up` starts from the same cursor. `__provider`
 * is kept so a `destroy` of this state still finds the provider.
 */
function cursorKept(
    id: string,
    inputs: ChangefeedInputs,
    cursor: string,
    cluster: string,
    err: unknown,
    secrets: readonly string[],
): PartialStateError {
    const jobLeft = err instanceof StartFailed ? err.jobLeft : undefined;
    const outs = outputsOf(inputs, {
        jobId: jobLeft ?? "",
        cursor,
        job: undefined,
        clusterId: cluster,
    });
    const properties = withoutUndefined({
        ...(outs as unknown as Record<string, unknown>),
        status: jobLeft ? "unknown" : "missing",
        __provider: (inputs as unknown as Record<string, unknown>).__provider,
    });
    const message = scrubSecrets((err as Error).message, secrets);
    return new PartialStateError(id, properties, [
        `${message} The cursor ${cursor} is kept in state: the next \`up\` starts a changefeed from it, so no ` +
            "change written since is lost. To start from a new cursor instead, set the `cursor` argument.",
    ]);
}

/**
 * Runs `work` with a staging session when the inputs ask for delivery verification (else with
 * `undefined`).
 */
async function withOptionalStaging<T>(
    ctx: Ctx,
    inputs: ChangefeedInputs,
    secrets: readonly string[],
    work: (staging: CockroachSession | undefined) => Promise<T>,
): Promise<T> {
    return verificationOf(inputs)
        ? withStaging(ctx, inputs, secrets, (staging) => work(staging))
        : work(undefined);
}

async function create(ctx: Ctx, inputs: ChangefeedInputs): Promise<pulumi.dynamic.CreateResult> {
    const id = newResourceId("changefeed");
    const secrets = secretsOf(inputs);
    const verify = verificationOf(inputs);
    return ctx.open(inputs.connection, secrets, async (session) => {
        const tables = targetTables(inputs);
        const sink = sinkIdentityOfInputs(inputs);
        const cluster = await clusterId(session);
        await checkPrivileges(session, inputs, tables);
        await requireOptionsOnClusterVersion(session, inputs.options);
        return withOptionalStaging(ctx, inputs, secrets, async (staging) => {
            if (inputs.adoptJobId !== undefined) {
                const outs = await adopt(
                    ctx,
                    session,
                    staging,
                    inputs,
                    inputs.adoptJobId,
                    cluster,
                    secrets,
                );
                return { id, outs };
            }
            if (inputs.exclusive ?? true) await guardExclusive(session, sink, undefined);
            const cursor = inputs.cursor ?? (await clusterLogicalTimestamp(session));
            // From here on the cursor is the single point of truth: any failure records it.
            let started: { job: JobInfo; proof?: DeliveryProof };
            try {
                const verification =
                    staging && verify
                        ? { staging, verify, baseline: await baselineOf(staging, verify, cursor) }
                        : undefined;
                started = await startJob(ctx, session, inputs, cursor, secrets, verification);
            } catch (err) {
                throw cursorKept(id, inputs, cursor, cluster, err, secrets);
            }
            const { job, proof } = started;
            warnUnverified(inputs, job.jobId);
            return {
                id,
                outs: outputsOf(inputs, {
                    jobId: job.jobId,
                    cursor,
                    job,
                    clusterId: cluster,
                    proof,
                }),
            };
        });
    });
}

/** What differs between a hand-made job and the args (empty when it may be adopted). */
export function adoptionDifferences(job: JobInfo, inputs: ChangefeedInputs): string[] {
    const differences: string[] = [];
    const want = sinkIdentityOfInputs(inputs);
    const have = sinkIdentityOf(job.sinkUri);
    if (!sameSink(have, want)) {
        differences.push(
            `sink: the job delivers to ${have ? describeSink(have) : "a non-webhook sink"}, webhookUrl is ${describeSink(want)}`,
        );
    }
    const wanted = new Set(targetTables(inputs).map((t) => t.key));
    const watched = new Set(job.fullTableNames);
    const notWatched = [...wanted].filter((t) => !watched.has(t));
    const notWanted = [...watched].filter((t) => !wanted.has(t));
    if (notWatched.length > 0)
        differences.push(`tables not watched by the job: ${notWatched.join(", ")}`);
    if (notWanted.length > 0)
        differences.push(
            `tables the job watches that tables does not list: ${notWanted.join(", ")}`,
        );
    return differences;
}

/**
 * Takes over a changefeed created by hand: it must run (or be paused) and deliver to the same
 * host/port/path for the same tables. Its sink TLS parameters and options are then brought to
 * the args with one PAUSE → ALTER → RESUME, since CockroachDB shows them only redacted. With
 * verification, delivery must then be proven; if it is not, the adopted job is left running
 * (this stack did not create it) and create fails.
 */
async function adopt(
    ctx: Ctx,
    session: CockroachSession,
    staging: CockroachSession | undefined,
    inputs: ChangefeedInputs,
    jobId: string,
    cluster: string,
    secrets: readonly string[],
): Promise<ChangefeedOutputs> {
    const job = await showJob(session, jobId);
    if (!job) throw new Error(`cannot adopt changefeed job ${jobId}: CockroachDB has no such job`);
    if (job.status !== "running" && job.status !== "paused") {
        throw new Error(
            `cannot adopt changefeed job ${jobId}: it is ${job.status}; only a running or paused feed can be adopted`,
        );
    }
    const differences = adoptionDifferences(job, inputs);
    if (differences.length > 0) {
        throw new Error(
            `cannot adopt changefeed job ${jobId}, it does not match the args: ${differences.join("; ")}`,
        );
    }
    if (!job.highWaterTimestamp) {
        throw new Error(
            `cannot adopt changefeed job ${jobId} yet: it has no high-water mark, so a later recreate would not know where to start. ` +
                "Wait until it has checkpointed (SHOW CHANGEFEED JOB) and retry.",
        );
    }
    if (inputs.exclusive ?? true)
        await guardExclusive(session, sinkIdentityOfInputs(inputs), jobId);
    const plan: AlterPlan = {
        add: [],
        addInitialScan: false,
        drop: [],
        sink: sinkUriOf(inputs),
        set: alterableOptions(inputs),
        unset: [],
    };
    const verify = verificationOf(inputs);
    const verification =
        staging && verify
            ? {
                  staging,
                  verify,
                  baseline: await baselineOf(staging, verify, job.highWaterTimestamp),
              }
            : undefined;
    const after = await alterInPlace(ctx, session, jobId, job, plan, inputs, secrets, {
        verification,
        partial: undefined,
    });
    warnUnverified(inputs, jobId);
    return outputsOf(inputs, {
        jobId,
        cursor: job.highWaterTimestamp,
        job: after.job,
        previousHighWater: job.highWaterTimestamp,
        clusterId: cluster,
        proof: after.proof,
    });
}

/** How alterInPlace reports a failure after the change took effect. */
type PartialOf = (
    job: JobInfo | undefined,
    reason: string,
    lastCheckpoint?: string,
) => PartialStateError;

/** A statement of the PAUSE → ALTER → RESUME sequence went unanswered (connection cut/timeout). */
class NoAnswer extends Error {
    constructor(
        readonly statement: string,
        reason: unknown,
    ) {
        super(`${statement} got no answer (${(reason as Error).message})`);
    }
}

/** Runs one statement of the sequence; an error without a SQLSTATE becomes {@link NoAnswer}. */
async function answered<T>(statement: string, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        if (sqlState(err) === undefined && !(err instanceof NoAnswer))
            throw new NoAnswer(statement, err);
        throw err;
    }
}

/**
 * What is left of `plan` for a job that already watches `watched`: tables already added are not
 * added again, tables already dropped not dropped again. Sink and option changes are kept: they
 * set absolute values, so applying them twice is harmless.
 */
export function remainingPlan(plan: AlterPlan, watched: readonly string[]): AlterPlan {
    if (watched.length === 0) return plan;
    const have = new Set(watched);
    return {
        ...plan,
        add: plan.add.filter((t) => !have.has(t.key)),
        drop: plan.drop.filter((t) => have.has(t.key)),
    };
}

/**
 * PAUSE → wait paused → ALTER → RESUME → wait running (with `verification`: wait for proof of
 * delivery). A job an operator paused before this began is altered but not resumed (a warning
 * says so) and not verified. If ALTER is refused, the job is resumed (unless operator-paused)
 * before the error is thrown. Failures after ALTER took effect — including no proof of
 * delivery — leave the job running and throw a PartialStateError built by `partial` (when
 * given), so state records the applied change.
 *
 * A statement that got no answer (cut connection, timeout) has an unknown outcome: the job is
 * re-read on a fresh session (status, watched tables), the remaining change is computed from
 * what the job really watches, and the sequence converges from there.
 */
async function alterInPlace(
    ctx: Ctx,
    session: CockroachSession,
    jobId: string,
    current: JobInfo,
    plan: AlterPlan,
    inputs: ChangefeedInputs,
    secrets: readonly string[],
    how: {
        verification: Verification | undefined;
        partial: PartialOf | undefined;
    },
): Promise<{ job: JobInfo | undefined; proof?: DeliveryProof }> {
    const operatorPaused = current.status === "paused" || current.status === "pause-requested";
    try {
        return await alterSteps(
            ctx,
            session,
            jobId,
            current,
            plan,
            inputs,
            secrets,
            how,
            operatorPaused,
        );
    } catch (err) {
        if (!(err instanceof NoAnswer)) throw err;
        void pulumi.log.warn(
            scrubSecrets(
                `changefeed job ${jobId}: ${err.message}; its outcome is unknown, re-reading the job on a new session`,
                secrets,
            ),
        );
        return ctx.open(inputs.connection, secrets, async (live) => {
            const job = await showJob(live, jobId);
            if (!job || needsRecreate(job.status)) {
                throw failure(
                    `changefeed job ${jobId} is ${job?.status ?? "gone"} after ${err.statement} got no answer; ` +
                        "the next `up` starts a new job from the recorded high-water",
                    secrets,
                );
            }
            const rest = remainingPlan(plan, job.fullTableNames);
            return alterSteps(ctx, live, jobId, job, rest, inputs, secrets, how, operatorPaused);
        });
    }
}

/** The PAUSE → ALTER → RESUME → wait sequence on one session (see {@link alterInPlace}). */
async function alterSteps(
    ctx: Ctx,
    session: CockroachSession,
    jobId: string,
    current: JobInfo,
    plan: AlterPlan,
    inputs: ChangefeedInputs,
    secrets: readonly string[],
    how: { verification: Verification | undefined; partial: PartialOf | undefined },
    operatorPaused: boolean,
): Promise<{ job: JobInfo | undefined; proof?: DeliveryProof }> {
    const wait = { timeoutMs: waitMs(inputs) };
    const paused = (job: JobInfo) => job.status === "paused";
    const alreadyPaused = current.status === "paused" || current.status === "pause-requested";
    if (!alreadyPaused) await answered(`PAUSE JOB ${jobId}`, () => pause(session, jobId));
    const pausedWait = await answered(`SHOW CHANGEFEED JOB ${jobId}`, () =>
        waitForJob(session, jobId, paused, wait),
    );
    if (!pausedWait.reached) {
        if (!operatorPaused) await resumeWhenPaused(session, jobId, wait.timeoutMs);
        throw failure(
            `changefeed job ${jobId} did not pause within ${wait.timeoutMs / 1000}s (${describeJob(pausedWait.job)})`,
            secrets,
        );
    }
    // Proof must come from the job as changed: a resolved message emitted before the pause (with
    // the old sink/token) may still be recorded, so the bound moves up to the paused high-water.
    const verification = how.verification && {
        ...how.verification,
        baseline: await baselineOf(
            how.verification.staging,
            how.verification.verify,
            laterHlc(how.verification.baseline, pausedWait.job?.highWaterTimestamp) ??
                how.verification.baseline,
        ),
    };
    if (!alterPlanIsEmpty(plan)) {
        try {
            const statement = alterChangefeed(jobId, plan);
            await answered(`ALTER CHANGEFEED ${jobId}`, () =>
                session.query(statement.text, statement.params),
            );
        } catch (err) {
            if (err instanceof NoAnswer) throw err;
            if (!operatorPaused) {
                await onLiveSession(ctx, session, inputs.connection, secrets, (live) =>
                    resume(live, jobId),
                ).catch(() => undefined);
            }
            throw failure(
                `ALTER CHANGEFEED ${jobId} failed, the job was left as it was: ${(explainChangefeedStatementError(err, "ALTER") as Error).message}`,
                secrets,
            );
        }
    }
    if (operatorPaused) {
        pulumi.log.warn(
            `changefeed job ${jobId} was paused before this update (by an operator?); the change was applied but the ` +
                `job was left paused. Resume it with RESUME JOB ${jobId} when ready.`,
        );
        return { job: await showJob(session, jobId) };
    }
    await answered(`RESUME JOB ${jobId}`, () => resume(session, jobId)).catch((err: unknown) => {
        if (err instanceof NoAnswer) throw err;
        throw reportAfterAlter(err, secrets, how.partial, undefined);
    });
    return afterResume(ctx, session, jobId, inputs, secrets, {
        verification,
        from: pausedWait.job?.highWaterTimestamp,
    }).catch(async (err: unknown) => {
        if (
            sqlState(err) === undefined &&
            !(err instanceof DeliveryNotVerified) &&
            !(err instanceof Error && /^changefeed job/.test(err.message))
        ) {
            throw new NoAnswer(`waiting for job ${jobId} after RESUME`, err);
        }
        const job = await showJob(session, jobId).catch(() => undefined);
        throw reportAfterAlter(err, secrets, how.partial, job);
    });
}

/** Waits for the resumed job to run (or for proof of delivery). */
async function afterResume(
    ctx: Ctx,
    session: CockroachSession,
    jobId: string,
    inputs: ChangefeedInputs,
    secrets: readonly string[],
    how: { verification: Verification | undefined; from: string | undefined },
): Promise<{ job: JobInfo | undefined; proof?: DeliveryProof }> {
    if (how.verification) {
        const proof = await waitForDelivery(session, how.verification.staging, {
            jobId,
            inputs,
            verify: how.verification.verify,
            baseline: how.verification.baseline,
            pollMs: ctx.deliveryPollMs,
        });
        return { job: proof.job, proof };
    }
    const started = await waitForStart(session, jobId, {
        from: how.from,
        timeoutMs: waitMs(inputs),
        progress: progressOf(`changefeed job ${jobId} to run after the change`, logInfo),
    });
    if (!started.ok) {
        throw new Error(`changefeed job ${jobId} after the change: ${started.reason}`);
    }
    return { job: started.job };
}

/** The error for a failure after ALTER took effect: partial state when possible. */
function reportAfterAlter(
    err: unknown,
    secrets: readonly string[],
    partial:
        | ((job: JobInfo | undefined, reason: string, lastCheckpoint?: string) => PartialStateError)
        | undefined,
    job: JobInfo | undefined,
): Error {
    const message = scrubSecrets((err as Error).message, secrets);
    const lastCheckpoint = err instanceof DeliveryNotVerified ? err.lastCheckpoint : undefined;
    const note =
        err instanceof DeliveryNotVerified
            ? " The job was left running (the change is applied); the next `up` verifies delivery again."
            : "";
    if (partial) return partial(job, `${message}${note}`, lastCheckpoint);
    return new Error(`${message}${note}`);
}

async function resumeWhenPaused(
    session: CockroachSession,
    jobId: string,
    timeoutMs: number,
): Promise<void> {
    const { reached } = await waitForJob(session, jobId, (job) => job.status === "paused", {
        timeoutMs,
    });
    if (reached) await resume(session, jobId).catch(() => undefined);
}

async function update(
    ctx: Ctx,
    id: string,
    olds: ChangefeedOutputs,
    news: ChangefeedInputs,
): Promise<pulumi.dynamic.UpdateResult> {
    const secrets = [...secretsOf(news), ...secretsOf(olds)];
    const verify = verificationOf(news);
    return ctx.open(news.connection, secrets, async (session) => {
        const cluster = await clusterId(session);
        if (olds.clusterId && cluster !== olds.clusterId) {
            throw new Error(
                `the new connection reaches CockroachDB cluster ${cluster}, but changefeed job ${olds.jobId} runs on cluster ` +
                    `${olds.clusterId}. Refusing to update: point the connection back at that cluster, or change its ` +
                    "host/port/database so the changefeed is replaced.",
            );
        }
        // An empty job id: a create that failed after taking its cursor (no job to look at).
        // Status `unknown`: that create could not cancel its job; it never proved anything, so
        // it is cancelled now and a new job starts from the recorded cursor.
        if (olds.status === "unknown" && olds.jobId) await cancel(session, olds.jobId);
        const current =
            olds.jobId && olds.status !== "unknown"
                ? await showJob(session, olds.jobId)
                : undefined;
        const sink = sinkIdentityOfInputs(news);
        await requireOptionsOnClusterVersion(session, news.options);

        return withOptionalStaging(ctx, news, secrets, async (staging) => {
            const verificationFrom = async (from: string | undefined) =>
                staging && verify && from
                    ? { staging, verify, baseline: await baselineOf(staging, verify, from) }
                    : undefined;

            if (!current || needsRecreate(current.status)) {
                // The old job can never run again: start a new one where it stopped. No orphan
                // is possible from the old job; startJob cancels the new one if it does not come
                // up or (with verification) delivers nothing the replicator records.
                const known = {
                    ...olds,
                    highWaterTimestamp: laterHlc(
                        olds.highWaterTimestamp,
                        current?.highWaterTimestamp,
                    ),
                };
                const cursor = recreateCursor(known);
                if (!olds.jobId) {
                    // A create that failed after taking its cursor: a CREATE whose answer was
                    // lost may have committed after that create looked. Such a job carries our
                    // cursor, sink and tables; it is ours and never proved anything: cancel it.
                    await cancelUnacknowledgedJobs(ctx, olds, olds.cursor, secrets);
                }
                await checkPrivileges(
                    session,
                    { ...news, adoptJobId: undefined },
                    targetTables(news),
                );
                if (news.exclusive ?? true) await guardExclusive(session, sink, olds.jobId);
                const verification = await verificationFrom(cursor);
                const { job, proof } = await startJob(
                    ctx,
                    session,
                    news,
                    cursor,
                    secrets,
                    verification,
                );
                return {
                    outs: outputsOf(news, {
                        jobId: job.jobId,
                        cursor,
                        job,
                        clusterId: cluster,
                        proof,
                    }),
                };
            }

            // Plan from what the job really watches: an earlier ALTER whose answer was lost (or a
            // change made by hand) must not be applied twice ("already watched").
            const plan = planAlter(
                withActualOptions(withWatchedTables(olds, current), current),
                news,
            );
            const base = {
                jobId: olds.jobId,
                cursor: olds.cursor,
                previousHighWater: olds.highWaterTimestamp,
                clusterId: cluster,
            };
            const partial = (after: JobInfo | undefined, reason: string, lastCheckpoint?: string) =>
                new PartialStateError(
                    id,
                    outputsOf(news, {
                        ...base,
                        job: after,
                        lastCheckpoint,
                    }) as unknown as Record<string, unknown>,
                    [reason],
                );
            const startHighWater = laterHlc(olds.highWaterTimestamp, current.highWaterTimestamp);
            const verification = await verificationFrom(startHighWater ?? olds.cursor);
            if (alterPlanIsEmpty(plan)) {
                if (!verification || current.status !== "running") {
                    if (verification) {
                        void pulumi.log.warn(
                            `changefeed job ${olds.jobId} is ${current.status}: delivery was not verified.`,
                        );
                    }
                    const kept = verification
                        ? {
                              proof: olds.deliveryVerifiedAt
                                  ? {
                                        lastDeliveredResolved: olds.lastDeliveredResolved ?? "",
                                        deliveryVerifiedAt: olds.deliveryVerifiedAt,
                                    }
                                  : undefined,
                              lastCheckpoint: olds.lastDeliveredResolved,
                          }
                        : {};
                    return { outs: outputsOf(news, { ...base, job: current, ...kept }) };
                }
                try {
                    const proof = await waitForDelivery(session, verification.staging, {
                        jobId: olds.jobId,
                        inputs: news,
                        verify: verification.verify,
                        baseline: verification.baseline,
                        pollMs: ctx.deliveryPollMs,
                    });
                    return { outs: outputsOf(news, { ...base, job: proof.job, proof }) };
                } catch (err) {
                    const job = await showJob(session, olds.jobId).catch(() => undefined);
                    throw reportAfterAlter(err, secrets, partial, job);
                }
            }
            if (
                plan.sink !== undefined &&
                (news.exclusive ?? true) &&
                !sameSink(sinkIdentityOf(olds.sinkUri), sink)
            ) {
                await guardExclusive(session, sink, olds.jobId);
            }
            const after = await alterInPlace(
                ctx,
                session,
                olds.jobId,
                current,
                plan,
                news,
                secrets,
                {
                    verification,
                    partial,
                },
            );
            return { outs: outputsOf(news, { ...base, job: after.job, proof: after.proof }) };
        });
    });
}

/**
 * `state` with `tables` replaced by the tables the job really watches (`full_table_names`) when
 * they differ from the recorded ones, so refresh shows the difference as drift and update plans
 * from the truth.
 */
function withWatchedTables(state: ChangefeedOutputs, job: JobInfo | undefined): ChangefeedOutputs {
    if (!job || job.fullTableNames.length === 0) return state;
    const recorded = targetTables(state)
        .map((t) => t.key)
        .sort()
        .join(",");
    const watched = [...job.fullTableNames].sort();
    if (watched.join(",") === recorded) return state;
    return { ...state, tables: watched };
}

async function read(
    ctx: Ctx,
    id: string,
    props: ChangefeedOutputs,
): Promise<pulumi.dynamic.ReadResult> {
    return ctx.open(props.connection, secretsOf(props), async (session) => {
        const job = props.jobId ? await showJob(session, props.jobId) : undefined;
        return {
            id,
            props: {
                ...withActualOptions(withWatchedTables(props, job), job),
                status: job?.status ?? "missing",
                runningStatus: job?.runningStatus ?? "",
                error: job?.error ?? "",
                highWaterTimestamp: laterHlc(props.highWaterTimestamp, job?.highWaterTimestamp),
            },
        };
    });
}

async function deleteChangefeed(ctx: Ctx, props: ChangefeedOutputs): Promise<void> {
    if (!props.jobId) {
        // A create that failed after taking its cursor: a CREATE whose answer was lost may have
        // committed after it looked; that job (our cursor, sink and tables) is cancelled here.
        if (props.cursor && props.webhookUrl) {
            await cancelUnacknowledgedJobs(ctx, props, props.cursor, secretsOf(props));
        }
        return;
    }
    await ctx.open(props.connection, secretsOf(props), async (session) => {
        const job = await showJob(session, props.jobId);
        if (!job || needsRecreate(job.status)) return;
        // A CANCEL whose answer is lost may have run: re-read and finish on a fresh session.
        await onLiveSession(ctx, session, props.connection, secretsOf(props), async (live) => {
            const now = await showJob(live, props.jobId);
            if (now && !needsRecreate(now.status)) await cancel(live, props.jobId);
            // Bounded wait for `canceled`, so a replacement created next does not overlap with a
            // feed still delivering; cancel-requested after the wait is accepted (on its way).
            await waitForJob(live, props.jobId, (j) => j.status === "canceled", {
                timeoutMs: 30_000,
            });
        });
    });
}

/**
 * Builds the Changefeed provider. `provider` below is the one the package ships; tests pass
 * shorter session bounds (`sessionOptions: { connectMs, statementMs }`) or a faster
 * `deliveryPollMs`.
 */
export function makeChangefeedProvider(
    overrides: Partial<ChangefeedProviderDeps> = {},
): Required<pulumi.dynamic.ResourceProvider> {
    const ctx = contextOf({ ...DEFAULT_DEPS, ...overrides });
    return {
        async configure() {
            // No provider configuration: everything comes from the resource's inputs.
        },
        async check(olds, news) {
            const result = checkChangefeed(news);
            if (!result.failures?.length) logCreatePreview(olds, news);
            return result;
        },
        async diff(_id, olds, news) {
            const result = diffChangefeed(olds as ChangefeedOutputs, news as ChangefeedInputs);
            logDiffPreview(olds, news, result);
            return result;
        },
        create: (inputs) => create(ctx, inputs as ChangefeedInputs),
        update: (id, olds, news) =>
            update(ctx, id, olds as ChangefeedOutputs, news as ChangefeedInputs),
        async read(id, props) {
            noteRead();
            const result = await read(ctx, id, props as ChangefeedOutputs);
            // What the recorded inputs would make the next `up` do with the job as it is now.
            const refreshed = result.props as ChangefeedOutputs;
            const inputs = props as ChangefeedInputs;
            if (diffChangefeed(refreshed, inputs).changes) logRefreshPreview(refreshed, inputs);
            return result;
        },
        delete: (_id, props) => deleteChangefeed(ctx, props as ChangefeedOutputs),
    };
}

/** The Changefeed provider, loaded by `lazyProvider("dist/providers/changefeed/provider")`. */
export const provider: Required<pulumi.dynamic.ResourceProvider> = makeChangefeedProvider();
