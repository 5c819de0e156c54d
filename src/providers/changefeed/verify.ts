/**
 * Delivery verification, the I/O part: polls the job (`SHOW CHANGEFEED JOB`) and the
 * replicator's latest checkpoint for the target schema on the staging cluster until a resolved
 * timestamp newer than the baseline is recorded while the job runs without error, or the bound
 * is reached.
 */
import { type CockroachSession, compareHlc, parseHlc, sqlState } from "../dialects/cockroach";
import {
    deliveryFailureMessage,
    deliveryPartition,
    type DeliveryObservation,
    formatStaging,
    latestCheckpointQuery,
    verifyTimeoutMs,
} from "./delivery";
import { describeJob, isHealthy, type JobInfo, showJob } from "./jobs";
import { TERMINAL_STATUSES, type ChangefeedInputs, type DeliveryVerificationInputs } from "./types";

/** SQLSTATEs meaning the checkpoints table (or its schema/database) does not exist (yet). */
const MISSING_TABLE_STATES: ReadonlySet<string> = new Set(["42P01", "3F000", "3D000"]);

/** The latest checkpoint of a partition (`undefined` when none) and whether the table exists. */
export interface CheckpointReading {
    value?: string;
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
        const value = rows[0]?.source_hlc;
        return {
            value: value === null || value === undefined ? undefined : String(value),
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

/** Proof that the replicator received the feed. */
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
    inputs: ChangefeedInputs;
    verify: DeliveryVerificationInputs;
    /** Proof must be a checkpoint strictly later than this DECIMAL HLC. */
    baseline: string;
    pollMs: number;
}

/**
 * Waits (bounded by `verify.timeoutSeconds`) until the replicator has recorded a checkpoint
 * later than `baseline` for the target schema and the job runs with no (transient) error.
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
    let lastTransientError: string | undefined;
    for (;;) {
        const job = await showJob(session, wait.jobId);
        if (job?.runningStatus?.startsWith("transient error")) {
            lastTransientError = job.runningStatus;
        }
        const checkpoint = await latestCheckpoint(staging, wait.verify.stagingSchema, partition);
        if (job && isHealthy(job) && isNewerHlc(checkpoint.value, wait.baseline)) {
            return {
                job,
                lastDeliveredResolved: checkpoint.value!,
                deliveryVerifiedAt: new Date().toISOString(),
            };
        }
        const stopped = !job || TERMINAL_STATUSES.has(job.status);
        if (stopped || Date.now() >= deadline) {
            const observation: DeliveryObservation = {
                jobId: wait.jobId,
                timeoutSeconds: timeoutMs / 1000,
                baseline: wait.baseline,
                partition,
                stagingSchema: wait.verify.stagingSchema,
                webhookUrl: wait.inputs.webhookUrl,
                hasToken: !!wait.inputs.authToken,
                lastCheckpoint: checkpoint.value,
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
        await new Promise((resolve) =>
            setTimeout(resolve, Math.min(wait.pollMs, Math.max(0, deadline - Date.now()))),
        );
    }
}
