/** Shapes of the Changefeed provider's inputs, parsed configuration and outputs (state). */
import type { StateVersioning } from "../kernel/stateVersion";
import type { SinkIdentity } from "./sink";
import type { TableRef } from "./tables";

/** A value in `options`: a string is `key = 'value'`, `true` a bare flag, `false` leaves it out. */
export type OptionValue = string | boolean;

/**
 * Where the replicator records what it received: `<stagingSchema>.checkpoints` on the staging
 * cluster, partition = the target schema (see `ChangefeedArgs.verifyDelivery`).
 */
export interface DeliveryVerificationInputs {
    /** The replicator's `--stagingSchema` (`db.schema`, or one part `db` = `db.public`). */
    stagingSchema: string;
    /** The target schema parts: `[db, schema]` (PostgreSQL), `[db]` (MySQL), `[SCHEMA]` (Oracle). */
    targetSchema: string[];
    /** Seconds create/update wait for proof of delivery. Default 120. */
    timeoutSeconds?: number;
}

/** The provider's inputs (see `ChangefeedArgs` for the meaning of each). */
export interface ChangefeedInputs {
    connection: string;
    tables: string[];
    webhookUrl: string;
    caCertPem: string;
    clientCertPem?: string;
    clientKeyPem?: string;
    authToken?: string;
    cursor?: string;
    resolved?: string;
    minCheckpointFrequency?: string;
    webhookClientTimeout?: string;
    webhookSinkConfig?: string | Record<string, unknown>;
    options?: Record<string, OptionValue>;
    waitForRunningSeconds?: number;
    exclusive?: boolean;
    addedTablesInitialScan?: boolean;
    adoptJobId?: string;
    /** Delivery verification; `undefined` = not configured (create warns), `false` = off. */
    verifyDelivery?: DeliveryVerificationInputs | false;
    /**
     * SQL URL of the staging cluster holding the checkpoints (secret). Kept out of
     * `verifyDelivery` so it is a top-level secret property. Default: `connection`.
     */
    stagingConnection?: string;
}

/**
 * The inputs parsed once per operation (`parseChangefeed` in `check.ts`): every lifecycle step
 * works from this and re-parses nothing.
 */
export interface ChangefeedConfig {
    /** The inputs as checked (echoed into state). */
    inputs: ChangefeedInputs;
    /** The resolved target tables (one- and two-part names against the connection's database). */
    tables: TableRef[];
    /** The target tables' keys, sorted and joined by `,`: compared with a job's `full_table_names`. */
    tableKeys: string;
    /** Host/port/path of `webhookUrl`: what makes two feeds "the same replicator". */
    sink: SinkIdentity;
    /** The full sink URI with the TLS material (secret). */
    sinkUri: string;
    /** Delivery verification settings, or undefined when verification is off. */
    verify: DeliveryVerificationInputs | undefined;
    /** Every secret that could end up in a message: scrubbed before anything is thrown. */
    secrets: string[];
    /** Whether another active feed into the same replicator is refused (default true). */
    exclusive: boolean;
    /** How long to wait for `running` (and for a pause), in ms. */
    waitMs: number;
}

/** The state version this package writes. */
export const CHANGEFEED_STATE_VERSION = 1;

/** How Changefeed state is versioned (read through `readVersionedState`). */
export const CHANGEFEED_STATE: StateVersioning = {
    resource: "Changefeed",
    current: CHANGEFEED_STATE_VERSION,
};

/** The provider's outputs: the inputs echoed plus what the job reported. */
export interface ChangefeedOutputs extends ChangefeedInputs {
    stateVersion: 1;
    /** The CockroachDB job id (changes when update recreates a failed/cancelled job). */
    jobId: string;
    /** The cursor the current job started from (the stored high-water after a recreate). */
    cursor: string;
    /** The `cursor` argument as given (undefined when defaulted): changing it replaces. */
    requestedCursor?: string;
    /** Job status as last seen (`running`, `paused`, `failed`, `canceled`, … or `missing`). */
    status: string;
    /** The job's high-water mark (DECIMAL HLC); never moves backwards in state. */
    highWaterTimestamp?: string;
    /** `running_status` as last seen. */
    runningStatus?: string;
    /** The job's terminal error as last seen (empty when none). */
    error?: string;
    /** The full sink URI, with TLS material (secret). */
    sinkUri: string;
    /** `crdb_internal.cluster_id()` of the cluster the job runs on. */
    clusterId: string;
    /**
     * The latest resolved timestamp (DECIMAL HLC) the replicator had recorded in
     * `<stagingSchema>.checkpoints` for the target schema when delivery was last checked.
     */
    lastDeliveredResolved?: string;
    /**
     * When create/update last proved delivery (ISO 8601); undefined when verification is off
     * or the last verification failed (then the next `up` verifies again).
     */
    deliveryVerifiedAt?: string;
    /**
     * True only when this or an earlier operation proved delivery (`verifyDelivery`). False means
     * the job runs but nobody knows whether the replicator received anything.
     */
    deliveryVerified?: boolean;
    /** What is known about delivery, in words (e.g. "delivery not verified: …"). */
    deliveryNote?: string;
}

/** Statuses in which a changefeed still runs (or will): only these block another feed. */
export const ACTIVE_STATUSES: ReadonlySet<string> = new Set([
    "running",
    "paused",
    "pending",
    "pause-requested",
]);

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
    "failed",
    "canceled",
    "succeeded",
    "revert-failed",
]);

/** Statuses (plus a job that is gone) after which the job can never run again. */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set([
    "failed",
    "canceled",
    "cancel-requested",
    "succeeded",
    "revert-failed",
    "reverting",
    "missing",
]);

/** The values a plan leaves to apply: the cursor (cluster time) and the user's name. */
export interface AtApplyValues {
    cursor?: string;
    currentUser?: string;
}

/**
 * A value resolved only at apply: bound as a string literal (`cursor`) or a quoted identifier
 * (`currentUser`); a preview shows `<label, resolved at apply>` in its place.
 */
export interface AtApply {
    atApply: keyof AtApplyValues;
    label: string;
}
