/**
 * Delivery verification, the pure part: which checkpoint row proves that the replicator received
 * and applied the feed, the query that reads it, and the troubleshooting hints for what the job
 * reports when no proof arrives (the replicator's answers they key on are described in
 * docs/replicator-behaviour.md).
 *
 * The job's high-water is no proof: CockroachDB checkpoints it before it emits the resolved
 * message, so on an idle feed it advances while the sink rejects every request. Nor is a
 * checkpoint row alone: the replicator records each accepted resolved timestamp in
 * `<stagingSchema>.checkpoints` (group and partition = the target schema) with
 * `target_applied_at` NULL before it has written anything to the target, and sets
 * `target_applied_at` only once the data up to it was applied in the background. Proof is a
 * checkpoint newer than the cursor WITH `target_applied_at` set (docs/replicator-behaviour.md).
 */
import { parseStagingSchema } from "../cockroach";
import { quoteQualifiedName } from "../cockroach";
import { parseWebhookUrl, replicatorPathSegments } from "./sink";
import type { ChangefeedInputs, DeliveryVerificationInputs } from "./types";

/** Default bound of the wait for proof: above the replicator's one-minute JWT key refresh. */
export const DEFAULT_VERIFY_DELIVERY_SECONDS = 120;

/** The verification settings of the inputs, or `undefined` when verification is off. */
export function verificationOf(inputs: ChangefeedInputs): DeliveryVerificationInputs | undefined {
    const verify = inputs.verifyDelivery;
    return verify === undefined || verify === false || verify === null ? undefined : verify;
}

/** Milliseconds to wait for proof of delivery. */
export function verifyTimeoutMs(verify: DeliveryVerificationInputs): number {
    return (verify.timeoutSeconds ?? DEFAULT_VERIFY_DELIVERY_SECONDS) * 1000;
}

/**
 * The checkpoint group/partition the replicator writes for a target schema: its parts,
 * lower-cased, joined with `.` (`["molt", "public"]` → `molt.public`).
 */
export function deliveryPartition(targetSchema: readonly string[]): string {
    return targetSchema.map((part) => part.toLowerCase()).join(".");
}

/** `db.schema` of a staging schema as the replicator prints it (a one-part `x` is `x.public`). */
export function formatStaging(stagingSchema: string): string {
    const staging = parseStagingSchema(stagingSchema);
    return staging ? `${staging.database}.${staging.schema}` : stagingSchema;
}

/**
 * The latest checkpoint of one partition, recorded (`source_hlc`) and applied to the target
 * (`applied_hlc`, `target_applied_at` set): `$1` is the group/partition name (never SQL text),
 * the table name is quoted by CockroachDB's rules. Returns one row, both TEXT or NULL.
 */
export function latestCheckpointQuery(stagingSchema: string): string {
    const staging = parseStagingSchema(stagingSchema);
    if (!staging) throw new Error(`verifyDelivery.stagingSchema "${stagingSchema}" is invalid`);
    const table = quoteQualifiedName([staging.database, staging.schema, "checkpoints"]);
    return (
        "SELECT CAST(max(source_hlc) AS TEXT) AS source_hlc, " +
        "CAST(max(CASE WHEN target_applied_at IS NOT NULL THEN source_hlc END) AS TEXT) AS applied_hlc " +
        `FROM ${table} WHERE group_name = $1 AND partition = $1`
    );
}

/**
 * A problem with `targetSchema` against the webhook path (both known), or undefined. The
 * replicator derives the schema from the path, so a mismatch would watch the wrong partition.
 */
export function targetSchemaMismatch(
    targetSchema: readonly string[],
    webhookUrl: string,
): string | undefined {
    const parsed = parseWebhookUrl(webhookUrl);
    if ("problem" in parsed) return undefined;
    const segments = replicatorPathSegments(parsed.path);
    if (!segments) return undefined;
    if (deliveryPartition(segments) === deliveryPartition(targetSchema)) return undefined;
    return (
        `must name the schema of the webhook path ${parsed.path} (${JSON.stringify(segments)}), ` +
        `got ${JSON.stringify(targetSchema)}: the replicator records checkpoints under the path's schema`
    );
}

/** What the wait for proof saw, for the failure message. */
export interface DeliveryObservation {
    jobId: string;
    timeoutSeconds: number;
    baseline: string;
    partition: string;
    stagingSchema: string;
    webhookUrl: string;
    hasToken: boolean;
    /** Latest checkpoint of the partition seen (applied or not), if any. */
    lastCheckpoint?: string;
    /** Latest checkpoint of the partition with `target_applied_at` set, if any. */
    lastAppliedCheckpoint?: string;
    /**
     * True when a checkpoint newer than the baseline was recorded but none newer than the
     * baseline was applied: the replicator receives the feed but does not write the target.
     */
    receivedNotApplied?: boolean;
    /** True when the checkpoints table was missing at the last look. */
    tableMissing: boolean;
    status?: string;
    runningStatus?: string;
    error?: string;
    highWater?: string;
    /** The last `transient error: …` running status seen during the wait (statuses flip). */
    lastTransientError?: string;
}

const UNREACHABLE =
    /connection refused|no such host|no route to host|network is unreachable|i\/o timeout|connection reset/i;
const TLS_PROBLEM = /x509|tls:|certificate/i;

/** One hint per troubleshooting case the job's texts match (docs/replicator-behaviour.md). */
export function deliveryHints(o: DeliveryObservation): string[] {
    const texts = [o.error, o.lastTransientError, o.runningStatus].filter(
        (t): t is string => typeof t === "string" && t !== "",
    );
    const seen = texts.join("\n");
    const parsed = parseWebhookUrl(o.webhookUrl);
    const where = "problem" in parsed ? "webhookUrl" : `${parsed.host}:${parsed.port}`;
    const path = "problem" in parsed ? "the webhook path" : parsed.path;
    const staging = formatStaging(o.stagingSchema);
    const hints: string[] = [];
    if (UNREACHABLE.test(seen)) {
        hints.push(
            `connection refused/unreachable: nothing answers at ${where}. The replicator is down, webhookUrl has ` +
                "the wrong host or port, or the Kubernetes Service port does not match the replicator's --bindAddr port.",
        );
    }
    if (/\b400\b[^\n]*unknown schema/i.test(seen)) {
        hints.push(
            `400 unknown schema: the replicator does not know the schema of the webhook path ${path}. The path must be ` +
                "/<db>/<schema> for PostgreSQL (db = the database of the replicator's --targetConn), /<db> for MySQL, " +
                "/<SCHEMA> (stored case, usually upper) for Oracle.",
        );
    }
    if (/\b404\b/.test(seen)) {
        hints.push(
            `404: the replicator has no route for ${path}: PostgreSQL targets take two path segments (/<db>/<schema>), ` +
                "MySQL and Oracle one.",
        );
    }
    if (/\b401\b/.test(seen)) {
        hints.push(
            o.hasToken
                ? `401: the replicator did not accept the token. Its public key may not be in ${staging}.jwt_public_keys ` +
                      "yet (the replicator re-reads the keys once a minute: keep verifyDelivery.timeoutSeconds at 90 or more), " +
                      `the token's schema claim may not match ${path}, or the key was registered in another staging schema.`
                : "401: no authToken was given, but the replicator requires a JWT: pass authToken, or start the replicator " +
                      "with --disableAuthentication (testing only).",
        );
    }
    if (TLS_PROBLEM.test(seen)) {
        hints.push(
            `TLS: the replicator's server certificate must chain to caCertPem and cover the webhook host ${where.split(":")[0]} ` +
                "in its subject alternative names (CN alone is not accepted); when the replicator asks for a client " +
                "certificate, clientCertPem/clientKeyPem must be signed by a CA it trusts.",
        );
    }
    if (/going backwards/i.test(seen)) {
        hints.push(
            `checkpoint going backwards: ${staging}.checkpoints already holds a later checkpoint for ${o.partition} than ` +
                "this feed's cursor. Use a later cursor, or remove the stale checkpoint rows for that partition " +
                "(they also hold already-applied data).",
        );
    }
    if (/replica GC threshold/i.test(seen)) {
        hints.push(
            "GC threshold: the cursor is older than the tables' GC window; take a newer cursor or raise gc.ttlseconds.",
        );
    }
    if (o.receivedNotApplied) {
        hints.push(
            `received but not applied: the replicator accepted the feed (checkpoint ${o.lastCheckpoint} recorded in ` +
                `${staging}.checkpoints) but has not applied it to the target — its target_applied_at is still NULL. ` +
                "The replicator writes the target in the background and retries failures there, so the changefeed sees " +
                "no error. Check the replicator's target user privileges (SELECT, INSERT, UPDATE, DELETE on every " +
                "table of the target schema, USAGE on the schema), missing tables (every changefeed table must exist " +
                "in the target schema, with the same columns), constraint violations, and the replicator's logs " +
                `("error while copying data for ${o.partition}; will restart") and its apply_errors_total metric on /_/varz.`,
        );
    }
    if (o.tableMissing) {
        hints.push(
            `${staging}.checkpoints does not exist on the staging cluster: the replicator has not started there with ` +
                `--stagingSchema=${staging}, or verifyDelivery.stagingConnection/stagingSchema point elsewhere.`,
        );
    }
    if (hints.length === 0) {
        hints.push(
            o.runningStatus?.startsWith("running")
                ? "the job reports progress but the replicator recorded nothing: webhookUrl may reach another HTTPS " +
                      "server that answers 2xx (the high-water then advances without delivery), or verifyDelivery." +
                      "stagingSchema/targetSchema do not match the replicator's --stagingSchema and the webhook path."
                : "the job has not reported progress yet: check that rangefeeds are enabled (kv.rangefeed.enabled) and " +
                      "that the cluster is healthy; raise verifyDelivery.timeoutSeconds if the cluster is slow.",
        );
    }
    return hints;
}

/** The error text when no proof of delivery arrived in time. */
export function deliveryFailureMessage(o: DeliveryObservation): string {
    const job = [`status ${o.status ?? "unknown"}`];
    if (o.runningStatus) job.push(`running_status "${o.runningStatus}"`);
    if (o.error) job.push(`error "${o.error}"`);
    if (o.lastTransientError && o.lastTransientError !== o.runningStatus) {
        job.push(`last transient error "${o.lastTransientError}"`);
    }
    if (o.highWater) job.push(`high-water ${o.highWater}`);
    const last = o.lastCheckpoint ?? "none";
    const applied = o.lastAppliedCheckpoint ?? "none";
    return (
        `changefeed job ${o.jobId}: delivery not verified within ${o.timeoutSeconds}s — the replicator applied no ` +
        `resolved timestamp newer than ${o.baseline} for ${o.partition} to the target (${formatStaging(o.stagingSchema)}` +
        `.checkpoints: latest recorded ${last}, latest applied ${applied}); the job's high-water is no proof, ` +
        "CockroachDB checkpoints it before emitting the resolved message, and neither is a checkpoint that was " +
        `recorded but not applied. Job: ${job.join(", ")}. Hints: ${deliveryHints(o)
            .map((h, i) => `(${i + 1}) ${h}`)
            .join(" ")}`
    );
}
