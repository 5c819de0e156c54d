/**
 * What the Changefeed lifecycle records: outputs from the parsed config and what the job
 * reported, the words on delivery, and the tables a job really watches.
 */
import * as pulumi from "@pulumi/pulumi";

import { laterHlc } from "../../cockroach";
import { readVersionedState } from "../../kernel/stateVersion";
import type { JobInfo } from "../jobs";
import { defaultDatabase } from "../plan";
import { resolveTables } from "../tables";
import {
    CHANGEFEED_STATE,
    CHANGEFEED_STATE_VERSION,
    type ChangefeedConfig,
    type ChangefeedOutputs,
} from "../types";
import type { DeliveryProof } from "../verify";

/** Changefeed state as this version reads it (older shapes migrated, newer ones refused). */
export function readState(state: unknown): ChangefeedOutputs {
    return readVersionedState<ChangefeedOutputs>(
        state as Record<string, unknown>,
        CHANGEFEED_STATE,
    );
}

/** What the job reported, and what this operation proved, for {@link outputsOf}. */
export interface JobFields {
    jobId: string;
    cursor: string;
    job: JobInfo | undefined;
    previousHighWater?: string;
    clusterId: string;
    /** Proof of delivery from this operation (sets `deliveryVerifiedAt`). */
    proof?: Pick<DeliveryProof, "lastDeliveredResolved" | "deliveryVerifiedAt">;
    /** The latest checkpoint seen when no proof came. */
    lastCheckpoint?: string;
}

export function outputsOf(config: ChangefeedConfig, fields: JobFields): ChangefeedOutputs {
    const { inputs } = config;
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
        stateVersion: CHANGEFEED_STATE_VERSION,
        jobId: fields.jobId,
        cursor: fields.cursor,
        status: fields.job?.status ?? "missing",
        highWaterTimestamp: laterHlc(fields.previousHighWater, fields.job?.highWaterTimestamp),
        runningStatus: fields.job?.runningStatus ?? "",
        error: fields.job?.error ?? "",
        sinkUri: config.sinkUri,
        clusterId: fields.clusterId,
        lastDeliveredResolved: fields.proof?.lastDeliveredResolved ?? fields.lastCheckpoint,
        deliveryVerifiedAt: fields.proof?.deliveryVerifiedAt,
        deliveryVerified: fields.proof !== undefined,
        deliveryNote: deliveryNoteOf(config, fields.proof !== undefined),
    };
}

/** What the outputs say about delivery, in words (`deliveryNote`). */
function deliveryNoteOf(config: ChangefeedConfig, verified: boolean): string {
    if (verified) {
        return (
            "delivery verified: the replicator applied rows up to a checkpoint newer than the cursor " +
            "(target_applied_at is set), not only staged them"
        );
    }
    if (config.verify) {
        return "delivery not verified yet: the last verification did not complete; the next `up` verifies again";
    }
    return (
        "delivery not verified: the job runs and its high-water advances, but CockroachDB advances both while " +
        "the sink rejects requests; only verifyDelivery proves that the replicator received anything"
    );
}

/** Logs that a standalone changefeed was created without proof of delivery. */
export function warnUnverified(config: ChangefeedConfig, jobId: string): void {
    if (config.inputs.verifyDelivery !== undefined) return;
    void pulumi.log.warn(
        `changefeed job ${jobId} runs, but delivery to the replicator was not verified: "running" and the ` +
            "high-water are no proof (CockroachDB advances them while the sink rejects every request). Pass " +
            "verifyDelivery: { stagingConnection, stagingSchema, targetSchema } (Failback does) to wait until the " +
            "replicator has applied rows up to a checkpoint, or verifyDelivery: false to silence this warning.",
    );
}

/**
 * `state` with `tables` replaced by the tables the job really watches (`full_table_names`) when
 * they differ from the recorded ones, so refresh shows the difference as drift and update plans
 * from the truth.
 */
export function withWatchedTables(
    state: ChangefeedOutputs,
    job: JobInfo | undefined,
): ChangefeedOutputs {
    if (!job || job.fullTableNames.length === 0) return state;
    const recorded = resolveTables(state.tables ?? [], defaultDatabase(state))
        .map((t) => t.key)
        .sort()
        .join(",");
    const watched = [...job.fullTableNames].sort();
    if (watched.join(",") === recorded) return state;
    return { ...state, tables: watched };
}
