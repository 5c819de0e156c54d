/**
 * Reading, polling and cancelling changefeed jobs by id: `SHOW CHANGEFEED JOB <id>`, waiting
 * (bounded) for a status or for a new or resumed job to start.
 */
import { type CockroachSession, compareHlc, parseHlc, type Row } from "../cockroach";
import type { Progress } from "../kernel/progress";
import { scrubEchoedText } from "./echo";
import { parseFullTableNames } from "./tables";
import { cancelJob, plainSql, showChangefeedJob, SHOW_CHANGEFEED_JOBS, type Sql } from "./sql";
import { FINISHED_STATUSES, TERMINAL_STATUSES } from "./types";

/** What `SHOW CHANGEFEED JOB(S)` says about one job. */
export interface JobInfo {
    jobId: string;
    status: string;
    runningStatus?: string;
    highWaterTimestamp?: string;
    error?: string;
    /** Sanitized by CockroachDB (secret parameters `redacted`). */
    sinkUri?: string;
    /** The creating statement, redacted by CockroachDB (options sorted, secrets `redacted`). */
    description?: string;
    fullTableNames: string[];
    userName?: string;
}

/**
 * Turns a SHOW CHANGEFEED JOB(S) row into a {@link JobInfo}. `running_status`, `error` and the
 * sink URI are scrubbed here, where they are read, so no later path can copy a secret CockroachDB
 * echoed into state, a log line or an error.
 */
export function jobInfoOf(row: Row): JobInfo {
    const text = (v: unknown): string | undefined =>
        v === null || v === undefined || v === "" ? undefined : String(v);
    return {
        jobId: String(row.job_id),
        status: String(row.status),
        runningStatus: scrubbed(text(row.running_status)),
        highWaterTimestamp: text(row.high_water_timestamp),
        error: scrubbed(text(row.error)),
        sinkUri: scrubbed(text(row.sink_uri)),
        description: text(row.description),
        fullTableNames: parseFullTableNames(row.full_table_names),
        userName: text(row.user_name),
    };
}

function scrubbed(value: string | undefined): string | undefined {
    return value === undefined ? undefined : scrubEchoedText(value);
}

/** The job, or `undefined` when CockroachDB no longer has it. */
export async function showJob(
    session: CockroachSession,
    jobId: string,
): Promise<JobInfo | undefined> {
    const rows = await session.query(showChangefeedJob(jobId));
    return rows[0] ? jobInfoOf(rows[0]) : undefined;
}

/** Every changefeed job CockroachDB lists (active ones and those finished in the last 12 h). */
export async function listJobs(session: CockroachSession): Promise<JobInfo[]> {
    return (await session.query(SHOW_CHANGEFEED_JOBS)).map(jobInfoOf);
}

/**
 * True when a job runs, has reported progress (a running status) and no error. A `transient
 * error` running status counts as an error: CockroachDB retries it forever with the job still
 * `running`, e.g. when the replicator is unreachable or rejects the certificate or token.
 */
export function isHealthy(job: JobInfo | undefined): boolean {
    const runningStatus = job?.runningStatus ?? "";
    return (
        job?.status === "running" &&
        !job.error &&
        runningStatus !== "" &&
        !runningStatus.startsWith("transient error")
    );
}

/** How long to wait, and how often to look. */
export interface WaitOptions {
    timeoutMs: number;
    pollMs?: number;
}

/**
 * Polls the job until `done` holds, the job is terminal (failed/canceled/gone…) or the time is
 * up. Returns the last observation; the caller decides what a miss means.
 */
export async function waitForJob(
    session: CockroachSession,
    jobId: string,
    done: (job: JobInfo) => boolean,
    wait: WaitOptions,
): Promise<{ job: JobInfo | undefined; reached: boolean }> {
    const deadline = Date.now() + wait.timeoutMs;
    const pollMs = wait.pollMs ?? 200;
    for (;;) {
        const job = await showJob(session, jobId);
        if (job && done(job)) return { job, reached: true };
        if (!job || TERMINAL_STATUSES.has(job.status)) return { job, reached: false };
        if (Date.now() >= deadline) return { job, reached: false };
        await nextPoll(pollMs, deadline);
    }
}

/** Sleeps until the next look: `pollMs`, or less when the deadline comes first. */
export async function nextPoll(pollMs: number, deadline: number): Promise<void> {
    await new Promise((resolve) =>
        setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))),
    );
}

/** A one-line description of a job's state for errors (no sink URI). */
export function describeJob(job: JobInfo | undefined): string {
    if (!job) return "the job no longer exists";
    const parts = [`status ${job.status}`];
    if (job.runningStatus) parts.push(`running_status "${job.runningStatus}"`);
    if (job.error) parts.push(`error "${job.error}"`);
    return parts.join(", ");
}

/**
 * Cancels the job (`statement`: the plan's CANCEL JOB). A job that is already canceled, failed, succeeded or gone counts as done;
 * any other refusal is rethrown.
 */
export async function cancel(
    session: CockroachSession,
    jobId: string,
    statement: Sql = plainSql(cancelJob(jobId)),
): Promise<void> {
    try {
        await session.query(statement.text);
    } catch (err) {
        let job: JobInfo | undefined;
        try {
            job = await showJob(session, jobId);
        } catch {
            throw err;
        }
        if (job && !FINISHED_STATUSES.has(job.status)) throw err;
    }
}

/*
 * Waiting for a new or resumed changefeed to start, without delivery verification.
 *
 * `running_status` alone proves little: a real cluster refreshes it about once a minute
 * (`runStatusUpdateFrequency` in CockroachDB's changefeed processors), so a feed whose sink
 * rejects every request can show `running` for the first minute; and on an idle feed the
 * high-water is checkpointed before the resolved message for it is sent, so it advances even
 * while the sink fails. What this wait can establish is documented in docs/changefeed-health.md:
 *
 * - the job is `running`, has no error, and no `transient error` was seen at any observation;
 * - its high-water has moved past the cursor and then moved again (the job processes changes).
 *
 * Any `transient error` observed fails the wait at once (the caller cancels the job). Whether
 * the replicator accepted anything is NOT known; outputs and logs say so (`deliveryVerified`).
 */

/** The outcome of {@link waitForStart}. */
export type StartOutcome =
    { ok: true; job: JobInfo } | { ok: false; job: JobInfo | undefined; reason: string };

export interface StartWait {
    /** The high-water must pass this (the cursor, or the high-water before a resume). */
    from: string | undefined;
    timeoutMs: number;
    pollMs?: number;
    progress?: Progress;
}

/** True when the job's running status reports a retried error. */
export function hasTransientError(job: JobInfo | undefined): boolean {
    return (job?.runningStatus ?? "").startsWith("transient error");
}

function later(a: string | undefined, than: string | undefined): boolean {
    const pa = a ? parseHlc(a) : undefined;
    if (!pa) return false;
    const pb = than ? parseHlc(than) : undefined;
    return !pb || compareHlc(pa, pb) > 0;
}

/** One line about a job for progress output (scrubbed at read). */
export function observationOf(job: JobInfo | undefined): string {
    if (!job) return "the job is not visible yet";
    const parts = [`status ${job.status}`];
    parts.push(`high-water ${job.highWaterTimestamp ?? "none yet"}`);
    if (job.runningStatus) parts.push(`running_status "${job.runningStatus}"`);
    if (job.error) parts.push(`error "${job.error}"`);
    return parts.join(", ");
}

/**
 * Polls the job until it has advanced its high-water twice past `from` with no error seen, a
 * `transient error` or a terminal status is seen, or the time is up.
 */
export async function waitForStart(
    session: CockroachSession,
    jobId: string,
    wait: StartWait,
): Promise<StartOutcome> {
    const deadline = Date.now() + wait.timeoutMs;
    const pollMs = wait.pollMs ?? 200;
    let firstProgress: string | undefined;
    let job: JobInfo | undefined;
    for (;;) {
        job = await showJob(session, jobId);
        wait.progress?.observe(observationOf(job));
        if (!job || TERMINAL_STATUSES.has(job.status)) {
            return { ok: false, job, reason: `stopped before it ran (${describeJob(job)})` };
        }
        if (job.error || hasTransientError(job)) {
            return {
                ok: false,
                job,
                reason: `reported an error while starting (${describeJob(job)})`,
            };
        }
        if (job.status === "running" && later(job.highWaterTimestamp, wait.from)) {
            if (firstProgress === undefined) firstProgress = job.highWaterTimestamp;
            else if (later(job.highWaterTimestamp, firstProgress)) return { ok: true, job };
        }
        if (Date.now() >= deadline) {
            return {
                ok: false,
                job,
                reason: `did not run without error within ${wait.timeoutMs / 1000}s (${describeJob(job)})`,
            };
        }
        await nextPoll(pollMs, deadline);
    }
}
