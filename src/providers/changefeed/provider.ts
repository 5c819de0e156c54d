/**
 * Lifecycle of the Changefeed dynamic resource (see DESIGN.md "Changefeed").
 *
 * - create: privilege check → exclusive guard → CREATE CHANGEFEED → wait for `running`; if
 *   anything fails once the job exists, the job is cancelled before the error is thrown.
 * - update: in place with PAUSE → ALTER → RESUME (high-water kept), or a new job from the stored
 *   high-water when the old one failed, was cancelled or is gone (the resource id stays).
 * - read: SHOW CHANGEFEED JOB <id>, so refresh shows a failed/cancelled/missing job as drift.
 * - delete: CANCEL JOB; a job already finished or gone is success.
 */
import * as pulumi from "@pulumi/pulumi";

import { newResourceId } from "../common/ids";
import { PartialStateError } from "../common/partialState";
import { scrubSecrets } from "../common/redact";
import { type CockroachSession, laterHlc, sqlState, withSession } from "../dialects/cockroach";
import { checkChangefeed } from "./check";
import { diffChangefeed } from "./diff";
import {
    cancel,
    describeJob,
    isHealthy,
    type JobInfo,
    listJobs,
    pause,
    resume,
    showJob,
    waitForJob,
} from "./jobs";
import { alterableOptions, createOptions, DEFAULT_WAIT_FOR_RUNNING_SECONDS } from "./options";
import {
    needsRecreate,
    planAlter,
    previewUpdate,
    recreateCursor,
    secretsOf,
    sinkIdentityOfInputs,
    sinkUriOf,
    targetTables,
} from "./plan";
import { findMissingPrivileges, missingPrivilegesMessage } from "./privileges";
import { describeSink, type SinkIdentity, sameSink, sinkIdentityOf } from "./sink";
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
    TERMINAL_STATUSES,
} from "./types";

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
        stateVersion: 1,
        jobId: fields.jobId,
        cursor: fields.cursor,
        status: fields.job?.status ?? "missing",
        highWaterTimestamp: laterHlc(fields.previousHighWater, fields.job?.highWaterTimestamp),
        runningStatus: fields.job?.runningStatus ?? "",
        error: fields.job?.error ?? "",
        sinkUri: sinkUriOf(inputs),
        clusterId: fields.clusterId,
    };
}

/** Refuses when another active changefeed already delivers to the same replicator. */
async function guardExclusive(
    session: CockroachSession,
    sink: SinkIdentity,
    ignoreJobId: string | undefined,
): Promise<void> {
    const clash = (await listJobs(session)).find(
        (job) =>
            job.jobId !== ignoreJobId &&
            ACTIVE_STATUSES.has(job.status) &&
            sameSink(sinkIdentityOf(job.sinkUri), sink),
    );
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
    session: CockroachSession,
    connection: string,
    secrets: readonly string[],
    work: (session: CockroachSession) => Promise<T>,
): Promise<T> {
    try {
        return await work(session);
    } catch (err) {
        if (sqlState(err) !== undefined) throw err;
        return withSession(connection, secrets, work);
    }
}

/**
 * After CREATE CHANGEFEED failed without an answer (connection cut), the statement may still
 * have committed. The job it made is found by what only it has: the same sink host/port/path,
 * the same tables and our exact cursor in its description. Returns the ids cancelled.
 */
async function cancelUnacknowledgedJobs(
    inputs: ChangefeedInputs,
    cursor: string,
    secrets: readonly string[],
): Promise<string[]> {
    const sink = sinkIdentityOfInputs(inputs);
    const tables = targetTables(inputs)
        .map((t) => t.key)
        .sort()
        .join(",");
    return withSession(inputs.connection, secrets, async (session) => {
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
 * CREATE CHANGEFEED and wait until it runs without error. On any failure after the job exists
 * the job is cancelled first (on a fresh session if the connection broke), so no orphan feed
 * keeps delivering into the replicator.
 */
async function startJob(
    session: CockroachSession,
    inputs: ChangefeedInputs,
    cursor: string,
    secrets: readonly string[],
): Promise<JobInfo> {
    const statement = createChangefeed(
        targetTables(inputs),
        sinkUriOf(inputs),
        createOptions(inputs, cursor),
    );
    let rows;
    try {
        rows = await session.query(statement.text, statement.params);
    } catch (err) {
        if (sqlState(err) !== undefined) throw err;
        let note: string;
        try {
            const cancelled = await cancelUnacknowledgedJobs(inputs, cursor, secrets);
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
        const { job, reached } = await waitForJob(session, jobId, isHealthy, {
            timeoutMs: waitMs(inputs),
        });
        if (!reached || !job) {
            const what =
                job && TERMINAL_STATUSES.has(job.status)
                    ? `stopped before it ran (${describeJob(job)})`
                    : `did not run without error within ${waitMs(inputs) / 1000}s (${describeJob(job)})`;
            throw failure(
                `changefeed job ${jobId} ${what}. Check that rangefeeds are enabled and that the replicator is ` +
                    "reachable at webhookUrl, trusts the client certificate and accepts the token.",
                secrets,
            );
        }
        return job;
    } catch (err) {
        let fate: string;
        try {
            fate = await onLiveSession(session, inputs.connection, secrets, async (live) => {
                await cancel(live, jobId);
                const after = await showJob(live, jobId);
                return after ? `job ${jobId} is ${after.status}` : `job ${jobId} is gone`;
            });
        } catch (cancelErr) {
            throw failure(
                `${(err as Error).message}; cancelling job ${jobId} failed too (${(cancelErr as Error).message}): ` +
                    `run CANCEL JOB ${jobId} so it does not keep delivering`,
                secrets,
            );
        }
        throw failure(
            `${(err as Error).message} The ${fate}: no changefeed was left behind.`,
            secrets,
        );
    }
}

async function create(inputs: ChangefeedInputs): Promise<pulumi.dynamic.CreateResult> {
    const id = newResourceId("changefeed");
    const secrets = secretsOf(inputs);
    return withSession(inputs.connection, secrets, async (session) => {
        const tables = targetTables(inputs);
        const sink = sinkIdentityOfInputs(inputs);
        const cluster = await clusterId(session);
        await checkPrivileges(session, inputs, tables);
        if (inputs.adoptJobId !== undefined) {
            return { id, outs: await adopt(session, inputs, inputs.adoptJobId, cluster, secrets) };
        }
        if (inputs.exclusive ?? true) await guardExclusive(session, sink, undefined);
        const cursor = inputs.cursor ?? (await clusterLogicalTimestamp(session));
        const job = await startJob(session, inputs, cursor, secrets);
        return {
            id,
            outs: outputsOf(inputs, { jobId: job.jobId, cursor, job, clusterId: cluster }),
        };
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
 * the args with one PAUSE → ALTER → RESUME, since CockroachDB shows them only redacted.
 */
async function adopt(
    session: CockroachSession,
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
    const after = await alterInPlace(session, jobId, job, plan, inputs, secrets, undefined);
    return outputsOf(inputs, {
        jobId,
        cursor: job.highWaterTimestamp,
        job: after,
        previousHighWater: job.highWaterTimestamp,
        clusterId: cluster,
    });
}

/**
 * PAUSE → wait paused → ALTER → RESUME → wait running. A job an operator paused before this
 * began is altered but not resumed (a warning says so). If ALTER fails, the job is resumed
 * (unless operator-paused) before the error is thrown. Failures after ALTER took effect throw
 * a PartialStateError built by `partial` (when given), so state records the applied change.
 */
async function alterInPlace(
    session: CockroachSession,
    jobId: string,
    current: JobInfo,
    plan: AlterPlan,
    inputs: ChangefeedInputs,
    secrets: readonly string[],
    partial: ((job: JobInfo | undefined, reason: string) => PartialStateError) | undefined,
): Promise<JobInfo | undefined> {
    const operatorPaused = current.status === "paused" || current.status === "pause-requested";
    const wait = { timeoutMs: waitMs(inputs) };
    const paused = (job: JobInfo) => job.status === "paused";
    if (!operatorPaused) await pause(session, jobId);
    const pausedWait = await waitForJob(session, jobId, paused, wait);
    if (!pausedWait.reached) {
        if (!operatorPaused) await resumeWhenPaused(session, jobId, wait.timeoutMs);
        throw failure(
            `changefeed job ${jobId} did not pause within ${wait.timeoutMs / 1000}s (${describeJob(pausedWait.job)})`,
            secrets,
        );
    }
    try {
        const statement = alterChangefeed(jobId, plan);
        await session.query(statement.text, statement.params);
    } catch (err) {
        if (!operatorPaused) {
            await onLiveSession(session, inputs.connection, secrets, (live) =>
                resume(live, jobId),
            ).catch(() => undefined);
        }
        throw failure(
            `ALTER CHANGEFEED ${jobId} failed, the job was left as it was: ${(err as Error).message}`,
            secrets,
        );
    }
    if (operatorPaused) {
        pulumi.log.warn(
            `changefeed job ${jobId} was paused before this update (by an operator?); the change was applied but the ` +
                `job was left paused. Resume it with RESUME JOB ${jobId} when ready.`,
        );
        return showJob(session, jobId);
    }
    try {
        await resume(session, jobId);
        const running = await waitForJob(session, jobId, isHealthy, wait);
        if (!running.reached) {
            throw new Error(
                `changefeed job ${jobId} did not run without error within ${wait.timeoutMs / 1000}s after the change (${describeJob(running.job)})`,
            );
        }
        return running.job;
    } catch (err) {
        const message = scrubSecrets((err as Error).message, secrets);
        if (partial) throw partial(await showJob(session, jobId).catch(() => undefined), message);
        throw new Error(message);
    }
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
    id: string,
    olds: ChangefeedOutputs,
    news: ChangefeedInputs,
): Promise<pulumi.dynamic.UpdateResult> {
    const secrets = [...secretsOf(news), ...secretsOf(olds)];
    return withSession(news.connection, secrets, async (session) => {
        const cluster = await clusterId(session);
        if (olds.clusterId && cluster !== olds.clusterId) {
            throw new Error(
                `the new connection reaches CockroachDB cluster ${cluster}, but changefeed job ${olds.jobId} runs on cluster ` +
                    `${olds.clusterId}. Refusing to update: point the connection back at that cluster, or change its ` +
                    "host/port/database so the changefeed is replaced.",
            );
        }
        const current = await showJob(session, olds.jobId);
        const sink = sinkIdentityOfInputs(news);

        if (!current || needsRecreate(current.status)) {
            // The old job can never run again: start a new one where it stopped. No orphan is
            // possible from the old job; startJob cancels the new one if it does not come up.
            const known = {
                ...olds,
                highWaterTimestamp: laterHlc(olds.highWaterTimestamp, current?.highWaterTimestamp),
            };
            const cursor = recreateCursor(known);
            await checkPrivileges(session, { ...news, adoptJobId: undefined }, targetTables(news));
            if (news.exclusive ?? true) await guardExclusive(session, sink, olds.jobId);
            const job = await startJob(session, news, cursor, secrets);
            return { outs: outputsOf(news, { jobId: job.jobId, cursor, job, clusterId: cluster }) };
        }

        const plan = planAlter(olds, news);
        const base = {
            jobId: olds.jobId,
            cursor: olds.cursor,
            previousHighWater: olds.highWaterTimestamp,
            clusterId: cluster,
        };
        if (alterPlanIsEmpty(plan)) {
            return { outs: outputsOf(news, { ...base, job: current }) };
        }
        if (
            plan.sink !== undefined &&
            (news.exclusive ?? true) &&
            !sameSink(sinkIdentityOf(olds.sinkUri), sink)
        ) {
            await guardExclusive(session, sink, olds.jobId);
        }
        const job = await alterInPlace(
            session,
            olds.jobId,
            current,
            plan,
            news,
            secrets,
            (after, reason) =>
                new PartialStateError(
                    id,
                    outputsOf(news, { ...base, job: after }) as unknown as Record<string, unknown>,
                    [reason],
                ),
        );
        return { outs: outputsOf(news, { ...base, job }) };
    });
}

async function read(id: string, props: ChangefeedOutputs): Promise<pulumi.dynamic.ReadResult> {
    return withSession(props.connection, secretsOf(props), async (session) => {
        const job = await showJob(session, props.jobId);
        return {
            id,
            props: {
                ...props,
                status: job?.status ?? "missing",
                runningStatus: job?.runningStatus ?? "",
                error: job?.error ?? "",
                highWaterTimestamp: laterHlc(props.highWaterTimestamp, job?.highWaterTimestamp),
            },
        };
    });
}

async function deleteChangefeed(_id: string, props: ChangefeedOutputs): Promise<void> {
    await withSession(props.connection, secretsOf(props), async (session) => {
        const job = await showJob(session, props.jobId);
        if (!job || needsRecreate(job.status)) return;
        await cancel(session, props.jobId);
        // Bounded wait for `canceled`, so a replacement created next does not overlap with a
        // feed still delivering; cancel-requested after the wait is accepted (it is on its way).
        await waitForJob(session, props.jobId, (j) => j.status === "canceled", {
            timeoutMs: 30_000,
        });
    });
}

/** The Changefeed provider, loaded by `lazyProvider("dist/providers/changefeed/provider")`. */
export const provider: Required<pulumi.dynamic.ResourceProvider> = {
    async configure() {
        // No provider configuration: everything comes from the resource's inputs.
    },
    async check(_olds, news) {
        return checkChangefeed(news);
    },
    async diff(_id, olds, news) {
        const result = diffChangefeed(olds as ChangefeedOutputs, news as ChangefeedInputs);
        if (result.changes && !result.replaces?.length) {
            try {
                const statements = previewUpdate(
                    olds as ChangefeedOutputs,
                    news as ChangefeedInputs,
                );
                if (statements.length > 0) {
                    void pulumi.log.info(
                        `changefeed SQL to run on update:\n${statements.join(";\n")};`,
                    );
                }
            } catch {
                // Inputs still unknown in preview: the SQL is resolved at apply.
            }
        }
        return result;
    },
    create: (inputs) => create(inputs as ChangefeedInputs),
    update: (id, olds, news) => update(id, olds as ChangefeedOutputs, news as ChangefeedInputs),
    read: (id, props) => read(id, props as ChangefeedOutputs),
    delete: (id, props) => deleteChangefeed(id, props as ChangefeedOutputs),
};
