/**
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
import { compareHlc, parseHlc, type CockroachSession } from "../cockroach";
import type { Progress } from "../kernel/progress";
import { describeJob, type JobInfo, showJob } from "./jobs";
import { TERMINAL_STATUSES } from "./types";

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
        await new Promise((resolve) =>
            setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))),
        );
    }
}
