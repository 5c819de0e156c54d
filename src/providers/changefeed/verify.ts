/**
 * Delivery verification, the I/O part: polls the job (`SHOW CHANGEFEED JOB`) and the
 * replicator's latest checkpoint for the target schema on the staging cluster until a resolved
 * timestamp newer than the baseline has been APPLIED to the target (`target_applied_at` set)
 * while the job runs without error, or the bound is reached. While it waits it logs a progress
 * line every few seconds: what it waits for and the latest observation.
 */
import { progressOf } from "../kernel/progress";
import { scrubSecrets } from "../kernel/redact";
import { type CockroachSession, compareHlc, parseHlc, sqlState } from "../cockroach";
import {
    deliveryFailureMessage,
    deliveryPartition,
    type DeliveryObservation,
    formatStaging,
    latestCheckpointQuery,
    verifyTimeoutMs,
} from "./delivery";
import { describeJob, hasTransientError, isHealthy, type JobInfo, nextPoll, showJob } from "./jobs";
import { type ChangefeedConfig, type DeliveryVerificationInputs, TERMINAL_STATUSES } from "./types";

/** SQLSTATEs meaning the checkpoints table (or its schema/database) does not exist (yet). */
const MISSING_TABLE_STATES: ReadonlySet<string> = new Set(["42P01", "3F000", "3D000"]);

/**
 * The latest checkpoint of a partition (`value`, applied or not; `undefined` when none), the
 * latest one applied to the target (`applied`), and whether the table exists.
 */
export interface CheckpointReading {
    value?: string;
    applied?: string;
    tableMissing: boolean;
}

/** Reads the latest checkpoint the replicator recorded for `partition`. */
export async function latestCheckpoint(
    staging: CockroachSession,
    stagingSchema: string,
    partition: string,
): Promise<CheckpointReading> {
    try {
        const rows = await staging.query(latestCheckpointQuery(stagingSchema), [partition]);
        const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
        return {
            value: text(rows[0]?.source_hlc),
            applied: text(rows[0]?.applied_hlc),
            tableMissing: false,
        };
    } catch (err) {
        if (MISSING_TABLE_STATES.has(sqlState(err) ?? "")) return { tableMissing: true };
        throw new Error(
            `delivery verification: reading ${formatStaging(stagingSchema)}.checkpoints on the staging cluster ` +
                `failed (the staging user needs SELECT on it): ${(err as Error).message}`,
        );
    }
}

/** True when `value` is a DECIMAL HLC strictly later than `baseline`. */
export function isNewerHlc(value: string | undefined, baseline: string): boolean {
    const a = value === undefined ? undefined : parseHlc(value);
    const b = parseHlc(baseline);
    return !!a && !!b && compareHlc(a, b) > 0;
}

/** Proof that the replicator received the feed and applied it to the target. */
export interface DeliveryProof {
    job: JobInfo;
    lastDeliveredResolved: string;
    deliveryVerifiedAt: string;
}

/** No proof within the bound (or the job stopped); carries what was seen. */
export class DeliveryNotVerified extends Error {
    constructor(
        message: string,
        readonly job: JobInfo | undefined,
        readonly lastCheckpoint: string | undefined,
    ) {
        super(message);
    }
}

export interface DeliveryWait {
    jobId: string;
    /** The parsed inputs of the feed (secrets, webhook URL, token). */
    config: ChangefeedConfig;
    verify: DeliveryVerificationInputs;
    /** Proof must be a checkpoint strictly later than this DECIMAL HLC. */
    baseline: string;
    pollMs: number;
    /** Where progress lines go; default `pulumi.log.info`. */
    log?: (line: string) => void;
    /** Time between two progress lines; default 5000 ms. */
    progressIntervalMs?: number;
}

/** `pulumi.log.info`, loaded when first used. */
function infoLog(line: string): void {
    const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
    void pulumi.log.info(line);
}

/** One progress observation: the job and the latest checkpoints, secrets scrubbed. */
export function describeProgress(
    job: JobInfo | undefined,
    checkpoint: CheckpointReading,
    baseline: string,
    secrets: ReadonlyArray<string | undefined>,
): string {
    const parts: string[] = [];
    if (!job) parts.push("job not found");
    else {
        parts.push(`job ${job.status}`);
        if (job.runningStatus) parts.push(`running status "${job.runningStatus}"`);
        if (job.highWaterTimestamp) parts.push(`high-water ${job.highWaterTimestamp}`);
    }
    if (checkpoint.tableMissing) parts.push("checkpoints table not found");
    else {
        const latest = `latest checkpoint ${checkpoint.value ?? "none"}`;
        if (checkpoint.value === undefined) parts.push(latest);
        else if (!isNewerHlc(checkpoint.value, baseline)) {
            parts.push(`${latest} (not newer than the cursor)`);
        } else if (checkpoint.applied === checkpoint.value) parts.push(`${latest} (applied)`);
        else {
            parts.push(
                `${latest} (recorded, not applied yet)`,
                `latest applied ${checkpoint.applied ?? "none"}`,
            );
        }
    }
    return scrubSecrets(parts.join(", "), secrets);
}

/**
 * Waits (bounded by `verify.timeoutSeconds`) until the replicator has applied rows up to a
 * checkpoint later than `baseline` (`target_applied_at` set) for the target schema and the job
 * runs with no (transient) error.
 * Throws {@link DeliveryNotVerified} with the job's texts and troubleshooting hints otherwise;
 * a job that stops (failed, canceled, gone) ends the wait at once.
 */
export async function waitForDelivery(
    session: CockroachSession,
    staging: CockroachSession,
    wait: DeliveryWait,
): Promise<DeliveryProof> {
    const timeoutMs = verifyTimeoutMs(wait.verify);
    const deadline = Date.now() + timeoutMs;
    const partition = deliveryPartition(wait.verify.targetSchema);
    const progress = progressOf(
        `changefeed job ${wait.jobId} to deliver to the replicator: a checkpoint newer than ` +
            `${wait.baseline} for ${partition} applied to the target`,
        wait.log ?? infoLog,
        wait.progressIntervalMs,
    );
    const secrets = [...wait.config.secrets, wait.config.inputs.webhookUrl];
    let lastTransientError: string | undefined;
    for (;;) {
        const job = await showJob(session, wait.jobId);
        if (hasTransientError(job)) {
            lastTransientError = job?.runningStatus;
        }
        const checkpoint = await latestCheckpoint(staging, wait.verify.stagingSchema, partition);
        if (job && isHealthy(job) && isNewerHlc(checkpoint.applied, wait.baseline)) {
            return {
                job,
                lastDeliveredResolved: checkpoint.applied!,
                deliveryVerifiedAt: new Date().toISOString(),
            };
        }
        progress.observe(describeProgress(job, checkpoint, wait.baseline, secrets));
        const stopped = !job || TERMINAL_STATUSES.has(job.status);
        if (stopped || Date.now() >= deadline) {
            const observation: DeliveryObservation = {
                jobId: wait.jobId,
                timeoutSeconds: timeoutMs / 1000,
                baseline: wait.baseline,
                partition,
                stagingSchema: wait.verify.stagingSchema,
                webhookUrl: wait.config.inputs.webhookUrl,
                hasToken: !!wait.config.inputs.authToken,
                lastCheckpoint: checkpoint.value,
                lastAppliedCheckpoint: checkpoint.applied,
                receivedNotApplied:
                    isNewerHlc(checkpoint.value, wait.baseline) &&
                    !isNewerHlc(checkpoint.applied, wait.baseline),
                tableMissing: checkpoint.tableMissing,
                status: job?.status,
                runningStatus: job?.runningStatus,
                error: job?.error,
                highWater: job?.highWaterTimestamp,
                lastTransientError,
            };
            const message = stopped
                ? `changefeed job ${wait.jobId} stopped before it ran (${describeJob(job)}).`
                : deliveryFailureMessage(observation);
            throw new DeliveryNotVerified(message, job, checkpoint.value);
        }
        await nextPoll(wait.pollMs, deadline);
    }
}
