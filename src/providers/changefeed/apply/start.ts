/**
 * Starting a new job — one sequence shared by create and by update's "recreate after failure",
 * the steps `planStart` makes: exclusive guard → cursor → proof baseline → CREATE CHANGEFEED →
 * wait for `running` (or for proof of delivery). If anything fails once the job exists, the job is cancelled before the error is
 * thrown.
 */
import { type CockroachSession, sqlState } from "../../cockroach";
import { progressOf } from "../../kernel/progress";
import { scrubSecrets } from "../../kernel/redact";
import { explainChangefeedStatementError } from "../createErrors";
import { cancel, type JobInfo, showJob, waitForStart } from "../jobs";
import type { StartPlan } from "../plan";
import type { Sql } from "../sql";

import type { ChangefeedConfig } from "../types";
import type { DeliveryProof } from "../verify";
import { type Ctx, failure, logInfo, onLiveSession } from "./context";
import { guardExclusive } from "./guards";
import { cancelUnacknowledgedJobs, StartFailed } from "./recovery";
import { proveDelivery, type Verification, verificationFrom } from "./verification";

/** A job that started: it runs (and, with verification, delivered). */
export interface Started {
    job: JobInfo;
    cursor: string;
    proof?: DeliveryProof;
}

/** Where a new job starts, how (the planned steps) and what it replaces. */
export interface StartFrom {
    /** The planned steps (`planStart`), with the cursor given or read at apply. */
    plan: StartPlan;
    /** The job this start replaces (not a clash for the exclusive guard). */
    replaces: string | undefined;
    /** Turns a failure once the cursor is taken into the error thrown (create keeps the cursor). */
    onFailure?: (cursor: string, err: unknown) => Error;
}

/** Runs the steps of `planStart`: guard, take the cursor, start the job from it. */
export async function startFeed(
    ctx: Ctx,
    session: CockroachSession,
    staging: CockroachSession | undefined,
    config: ChangefeedConfig,
    from: StartFrom,
): Promise<Started> {
    const { plan } = from;
    await guardExclusive(session, config, from.replaces);
    const cursor =
        typeof plan.cursor === "string" ? plan.cursor : await readCursor(session, plan.cursor);
    // From here on the cursor is the single point of truth: any failure records it.
    try {
        const verification = await verificationFrom(config, staging, cursor);
        const create = plan.create.bind({ cursor });
        return { ...(await startJob(ctx, session, config, create, cursor, verification)), cursor };
    } catch (err) {
        throw from.onFailure ? from.onFailure(cursor, err) : err;
    }
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
    config: ChangefeedConfig,
    statement: { text: string; params: string[] },
    cursor: string,
    verification: Verification | undefined,
): Promise<{ job: JobInfo; proof?: DeliveryProof }> {
    const { secrets } = config;
    let rows;
    try {
        rows = await session.query(statement.text, statement.params);
    } catch (err) {
        if (sqlState(err) !== undefined) throw explainChangefeedStatementError(err, "CREATE");
        throw failure(
            `${(err as Error).message}.${await unacknowledgedNote(ctx, config, cursor)}`,
            secrets,
        );
    }
    const jobId = String(rows[0]?.job_id);
    try {
        if (verification) {
            const proof = await proveDelivery(ctx, session, config, jobId, verification);
            return { job: proof.job, proof };
        }
        const started = await waitForStart(session, jobId, {
            from: cursor,
            timeoutMs: config.waitMs,
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
        throw await cancelledAfter(ctx, session, config, jobId, err);
    }
}

/** The cluster's logical timestamp now: the cursor of a job started without one. */
async function readCursor(session: CockroachSession, statement: Sql): Promise<string> {
    const row = (await session.query(statement.text))[0] ?? {};
    return String(row.cluster_logical_timestamp ?? Object.values(row)[0]);
}

/** What became of a CREATE without an answer: its job (if it committed) is cancelled. */
async function unacknowledgedNote(
    ctx: Ctx,
    config: ChangefeedConfig,
    cursor: string,
): Promise<string> {
    try {
        const cancelled = await cancelUnacknowledgedJobs(ctx, config, cursor, config.secrets);
        return cancelled.length > 0
            ? ` The statement had committed: job ${cancelled.join(", ")} was cancelled, no changefeed was left behind.`
            : " No job was created.";
    } catch (lookupErr) {
        return (
            ` Whether the statement committed is unknown (${(lookupErr as Error).message}): check SHOW CHANGEFEED JOBS ` +
            `for a job with cursor = '${cursor}' and cancel it.`
        );
    }
}

/** Cancels the job that did not come up and returns the error to throw. */
async function cancelledAfter(
    ctx: Ctx,
    session: CockroachSession,
    config: ChangefeedConfig,
    jobId: string,
    err: unknown,
): Promise<Error> {
    const { secrets } = config;
    let fate: string;
    try {
        fate = await onLiveSession(
            ctx,
            session,
            config.inputs.connection,
            secrets,
            async (live) => {
                await cancel(live, jobId);
                const after = await showJob(live, jobId);
                return after ? `job ${jobId} is ${after.status}` : `job ${jobId} is gone`;
            },
        );
    } catch (cancelErr) {
        return new StartFailed(
            scrubSecrets(
                `${(err as Error).message}; cancelling job ${jobId} failed too (${(cancelErr as Error).message}): ` +
                    `run CANCEL JOB ${jobId} so it does not keep delivering`,
                secrets,
            ),
            jobId,
        );
    }
    return failure(
        `${(err as Error).message} The ${fate}: no changefeed was left behind.`,
        secrets,
    );
}
