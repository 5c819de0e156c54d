/**
 * Changing a job in place — the steps `planInPlace` makes: PAUSE → wait paused → ALTER → RESUME
 * → wait running (with verification: wait for proof of delivery). The high-water is kept.
 *
 * A job an operator paused before this began is altered but not resumed (a warning says so) and
 * not verified. If ALTER is refused, the job is resumed (unless operator-paused) before the
 * error is thrown. Failures after ALTER took effect — including no proof of delivery — leave the
 * job running and throw the PartialStateError built by `partial` (when given), so state records
 * the applied change.
 *
 * A statement that got no answer (cut connection, timeout) has an unknown outcome: the job is
 * re-read on a fresh session (status, watched tables), the remaining change is computed from
 * what the job really watches, and the sequence converges from there.
 */
import * as pulumi from "@pulumi/pulumi";

import { type CockroachSession, laterHlc, sqlState } from "../../cockroach";
import type { PartialStateError } from "../../kernel/partialState";
import { progressOf } from "../../kernel/progress";
import { scrubSecrets } from "../../kernel/redact";
import { explainChangefeedStatementError } from "../createErrors";
import { describeJob, type JobInfo, showJob, waitForJob, waitForStart } from "../jobs";
import { type InPlacePlan, needsRecreate, planInPlace } from "../plan";
import type { Sql } from "../sql";
import { type AlterPlan, alterPlanIsEmpty } from "../sql";

import type { ChangefeedConfig } from "../types";
import { DeliveryNotVerified, type DeliveryProof } from "../verify";
import { type Ctx, failure, logInfo, onLiveSession } from "./context";
import { baselineOf, proveDelivery, type Verification } from "./verification";

/** How a failure after the change took effect is reported. */
export type PartialOf = (
    job: JobInfo | undefined,
    reason: string,
    lastCheckpoint?: string,
) => PartialStateError;

/** One in-place change: which job, from which observed state, with which plan. */
export interface AlterJob {
    ctx: Ctx;
    /** The session the change starts on (a fresh one replaces it after a statement without answer). */
    session: CockroachSession;
    config: ChangefeedConfig;
    jobId: string;
    /** The job as last read. */
    current: JobInfo;
    plan: AlterPlan;
    verification: Verification | undefined;
    /** Builds the partial-state error for failures after the change took effect (update only). */
    partial: PartialOf | undefined;
}

/** What the job is after the change (and the proof of delivery, when verified). */
export interface Altered {
    job: JobInfo | undefined;
    proof?: DeliveryProof;
}

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

/** Runs the sequence of the file comment; see there. */
export async function alterInPlace(run: AlterJob): Promise<Altered> {
    const { ctx, config, jobId } = run;
    const operatorPaused = isPaused(run.current);
    try {
        return await alterSteps(run, run.session, run.current, run.plan, operatorPaused);
    } catch (err) {
        if (!(err instanceof NoAnswer)) throw err;
        void pulumi.log.warn(
            scrubSecrets(
                `changefeed job ${jobId}: ${err.message}; its outcome is unknown, re-reading the job on a new session`,
                config.secrets,
            ),
        );
        return ctx.open(config.inputs.connection, config.secrets, async (live) => {
            const job = await showJob(live, jobId);
            if (!job || needsRecreate(job.status)) {
                throw failure(
                    `changefeed job ${jobId} is ${job?.status ?? "gone"} after ${err.statement} got no answer; ` +
                        "the next `up` starts a new job from the recorded high-water",
                    config.secrets,
                );
            }
            const rest = remainingPlan(run.plan, job.fullTableNames);
            return alterSteps(run, live, job, rest, operatorPaused);
        });
    }
}

function isPaused(job: JobInfo): boolean {
    return job.status === "paused" || job.status === "pause-requested";
}

/** Runs a statement of the plan that returns nothing of interest. */
async function runStep(session: CockroachSession, statement: Sql): Promise<void> {
    const { text, params } = statement.bind();
    await session.query(text, params);
}

/** The steps of `planInPlace` on one session (see {@link alterInPlace}). */
async function alterSteps(
    job: AlterJob,
    session: CockroachSession,
    current: JobInfo,
    plan: AlterPlan,
    operatorPaused: boolean,
): Promise<Altered> {
    const { config, jobId } = job;
    const { secrets } = config;
    const planned = planInPlace(jobId, plan);
    const wait = { timeoutMs: config.waitMs };
    if (!isPaused(current))
        await answered(`PAUSE JOB ${jobId}`, () => runStep(session, planned.pause));
    const pausedWait = await answered(`SHOW CHANGEFEED JOB ${jobId}`, () =>
        waitForJob(session, jobId, (job) => job.status === "paused", wait),
    );
    if (!pausedWait.reached) {
        if (!operatorPaused) await resumeWhenPaused(session, planned, jobId, wait.timeoutMs);
        throw failure(
            `changefeed job ${jobId} did not pause within ${wait.timeoutMs / 1000}s (${describeJob(pausedWait.job)})`,
            secrets,
        );
    }
    // Proof must come from the job as changed: a resolved message emitted before the pause
    // (with the old sink/token) may still be recorded, so the bound moves up to the paused
    // high-water.
    const verification = job.verification && {
        ...job.verification,
        baseline: await baselineOf(
            job.verification.staging,
            job.verification.verify,
            laterHlc(job.verification.baseline, pausedWait.job?.highWaterTimestamp) ??
                job.verification.baseline,
        ),
    };
    if (!alterPlanIsEmpty(plan)) await alterOnce(job, session, planned, operatorPaused);
    if (operatorPaused) {
        void pulumi.log.warn(
            `changefeed job ${jobId} was paused before this update (by an operator?); the change was applied but the ` +
                `job was left paused. Resume it with RESUME JOB ${jobId} when ready.`,
        );
        return { job: await showJob(session, jobId) };
    }
    await answered(`RESUME JOB ${jobId}`, () => runStep(session, planned.resume)).catch(
        (err: unknown) => {
            if (err instanceof NoAnswer) throw err;
            throw reportAfterAlter(err, config, job.partial, undefined);
        },
    );
    return afterResume(job, session, verification, pausedWait.job?.highWaterTimestamp).catch(
        async (err: unknown) => {
            if (
                sqlState(err) === undefined &&
                !(err instanceof DeliveryNotVerified) &&
                !(err instanceof Error && /^changefeed job/.test(err.message))
            ) {
                throw new NoAnswer(`waiting for job ${jobId} after RESUME`, err);
            }
            const after = await showJob(session, jobId).catch(() => undefined);
            throw reportAfterAlter(err, config, job.partial, after);
        },
    );
}

/** ALTER CHANGEFEED; when refused, the job is resumed (unless operator-paused) and left as it was. */
async function alterOnce(
    job: AlterJob,
    session: CockroachSession,
    planned: InPlacePlan,
    operatorPaused: boolean,
): Promise<void> {
    const { ctx, config, jobId } = job;
    try {
        await answered(`ALTER CHANGEFEED ${jobId}`, () => runStep(session, planned.alter));
    } catch (err) {
        if (err instanceof NoAnswer) throw err;
        if (!operatorPaused) {
            await onLiveSession(ctx, session, config.inputs.connection, config.secrets, (live) =>
                runStep(live, planned.resume),
            ).catch(() => undefined);
        }
        throw failure(
            `ALTER CHANGEFEED ${jobId} failed, the job was left as it was: ${(explainChangefeedStatementError(err, "ALTER") as Error).message}`,
            config.secrets,
        );
    }
}

/** Waits for the resumed job to run (or for proof of delivery). */
async function afterResume(
    run: AlterJob,
    session: CockroachSession,
    verification: Verification | undefined,
    from: string | undefined,
): Promise<Altered> {
    const { jobId } = run;
    if (verification) {
        const proof = await proveDelivery(run.ctx, session, run.config, jobId, verification);
        return { job: proof.job, proof };
    }
    const started = await waitForStart(session, jobId, {
        from,
        timeoutMs: run.config.waitMs,
        progress: progressOf(`changefeed job ${jobId} to run after the change`, logInfo),
    });
    if (!started.ok) {
        throw new Error(`changefeed job ${jobId} after the change: ${started.reason}`);
    }
    return { job: started.job };
}

/** The error for a failure after ALTER took effect: partial state when possible. */
export function reportAfterAlter(
    err: unknown,
    config: ChangefeedConfig,
    partial: PartialOf | undefined,
    job: JobInfo | undefined,
): Error {
    const message = scrubSecrets((err as Error).message, config.secrets);
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
    planned: InPlacePlan,
    jobId: string,
    timeoutMs: number,
): Promise<void> {
    const { reached } = await waitForJob(session, jobId, (job) => job.status === "paused", {
        timeoutMs,
    });
    if (reached) await runStep(session, planned.resume).catch(() => undefined);
}
