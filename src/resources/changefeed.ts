import * as pulumi from "@pulumi/pulumi";

import { changefeedProvider } from "../providers/changefeed";

/**
 * Where to look for proof that the replicator received and applied the feed: the replicator
 * records every resolved timestamp it accepts in `<stagingSchema>.checkpoints` on its staging
 * cluster, under the target schema, and sets its `target_applied_at` once the data up to it is
 * written to the target. See {@link ChangefeedArgs.verifyDelivery}.
 */
export interface ChangefeedDeliveryVerificationArgs {
    /**
     * SQL URL of the CockroachDB staging cluster the replicator stages through (its
     * `--stagingConn`), for a user that may SELECT from `<stagingSchema>.checkpoints`. Default:
     * `connection`. Secret: wrapped in `pulumi.secret()`. Changing it is an update with no effect
     * on the job (delivery is verified again).
     */
    stagingConnection?: pulumi.Input<string>;
    /**
     * The replicator's `--stagingSchema`, e.g. `defaultdb._replicator`; a one-part `_replicator`
     * means `_replicator.public`. Changing it is an update with no effect on the job.
     */
    stagingSchema: pulumi.Input<string>;
    /**
     * The target schema the replicator writes (it is the checkpoint partition): `[db, schema]`
     * for PostgreSQL, `[db]` for MySQL, `[SCHEMA]` for Oracle — the segments of the webhook path
     * (check refuses parts that differ from the path). Changing it is an update with no effect on
     * the job.
     */
    targetSchema: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Seconds create/update wait for proof (this also bounds the wait for `running`). Default 120:
     * the replicator re-reads its JWT keys once a minute, so a key registered just before create
     * may be refused (401) for up to a minute; keep it at 90 or more. Changing it is an update
     * with no effect on the job.
     */
    timeoutSeconds?: pulumi.Input<number>;
}

/** Arguments of {@link Changefeed}. */
export interface ChangefeedArgs {
    /**
     * CockroachDB SQL URL (`postgresql://user:password@host:26257/defaultdb?sslmode=verify-full`)
     * of a user with CHANGEFEED on the tables (admin works). Secret: wrapped in `pulumi.secret()`.
     * New credentials or query parameters are an update (the cluster id must still match);
     * another host/port/database is a replacement.
     */
    connection: pulumi.Input<string>;
    /**
     * Tables to replicate back: `table`, `schema.table` or `database.schema.table` (one- and
     * two-part names resolve against the connection's database and `public`). Adding or
     * removing tables is an update done in place (PAUSE → ALTER CHANGEFEED → RESUME).
     */
    tables: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The replicator's webhook: `https://host:port/<path>`, path `/<db>/<schema>` for PostgreSQL,
     * `/<db>` for MySQL, `/<SCHEMA>` for Oracle. The explicit port is required. Changing it is an
     * update (ALTER CHANGEFEED … SET sink).
     */
    webhookUrl: pulumi.Input<string>;
    /** PEM CA certificate that signed the replicator's server certificate. Changing it is an update. */
    caCertPem: pulumi.Input<string>;
    /**
     * PEM client certificate the changefeed presents (optional; give it together with
     * `clientKeyPem`). Changing it is an update.
     */
    clientCertPem?: pulumi.Input<string>;
    /**
     * Unencrypted PEM private key of `clientCertPem`. Secret: wrapped in `pulumi.secret()`.
     * Changing it is an update.
     */
    clientKeyPem?: pulumi.Input<string>;
    /**
     * Bearer token for the replicator (`webhook_auth_header = 'Bearer <token>'`), e.g.
     * `ReplicatorAuthKey.token`. Optional. Secret: wrapped in `pulumi.secret()`. Changing it is
     * an update.
     */
    authToken?: pulumi.Input<string>;
    /**
     * Where the feed starts: a DECIMAL HLC timestamp as `SELECT cluster_logical_timestamp()`
     * prints it, taken after forward replication drained. Default: `cluster_logical_timestamp()`
     * at create — safe only when forward replication has drained by then (Failback's drain gate
     * runs first) and writes on CockroachDB that must reach the target start after it.
     *
     * Once taken, the cursor is kept: a create that fails after taking it (sink unreachable, job
     * failing, no proof of delivery) records it in state, and every retry starts a changefeed from
     * it until one runs; later restarts continue from the recorded high-water. A new cursor is
     * taken only when this argument changes. Changing it replaces the changefeed.
     */
    cursor?: pulumi.Input<string>;
    /** `resolved` interval. Default `'250ms'`. Changing it is an update. */
    resolved?: pulumi.Input<string>;
    /** `min_checkpoint_frequency`. Default `'250ms'`. Changing it is an update. */
    minCheckpointFrequency?: pulumi.Input<string>;
    /** `webhook_client_timeout`. Default `'10s'` (as the MOLT docs advise). Changing it is an update. */
    webhookClientTimeout?: pulumi.Input<string>;
    /**
     * `webhook_sink_config` as JSON text or an object. Default
     * `{"Flush":{"Bytes":1048576,"Frequency":"1s"}}`. Changing it is an update.
     */
    webhookSinkConfig?: pulumi.Input<string | Record<string, unknown>>;
    /**
     * Other WITH options: a string value renders `key = 'value'`, `true` a bare flag, `false`
     * leaves it out. Options the replicator cannot decode (`mvcc_timestamp`, `envelope` other
     * than `wrapped`, `format` other than `json`, `full_table_name`, …) and options owned by
     * other arguments are rejected by check. Changing it is an update (ALTER … SET/UNSET).
     */
    options?: pulumi.Input<Record<string, pulumi.Input<string | boolean>>>;
    /**
     * Seconds create/update wait for the job to run without error (and for PAUSE to take
     * effect). Default 60. A job that does not come up in time is cancelled. Changing it is an
     * update with no effect on the job.
     */
    waitForRunningSeconds?: pulumi.Input<number>;
    /**
     * Refuse to create when another active changefeed already delivers to the same
     * host/port/path (only one changefeed per replicator). Default `true`. Changing it is an
     * update with no effect on the job.
     */
    exclusive?: pulumi.Input<boolean>;
    /**
     * Whether tables added later are scanned (`ADD … WITH initial_scan = 'yes'`): a table added
     * to a running feed is watched from the current high-water only, so without a scan its
     * existing rows — including rows written on CockroachDB since the cursor — never reach the
     * target. With the scan every current row is sent to the target as an upsert (a full
     * backfill of that table: load on CockroachDB, the replicator and the target; target rows
     * that no longer exist on CockroachDB are not deleted). For failback keep the default unless
     * the target already holds the table's rows (it was not written on CockroachDB since the
     * cursor). Default `true`. Changing it is an update with no effect on the job; it applies to
     * the next table added.
     */
    addedTablesInitialScan?: pulumi.Input<boolean>;
    /**
     * Take over a running changefeed created by hand (`pulumi import` does not work for dynamic
     * resources): its sink host/port/path and tables must match the args, otherwise create
     * refuses and lists the differences. Its sink parameters and options are then set from the
     * args. Only read at create.
     */
    adoptJobId?: pulumi.Input<string>;
    /**
     * Prove delivery after create and after every update: wait (bounded by `timeoutSeconds`)
     * until the replicator has recorded AND applied to the target (`target_applied_at` set), in
     * `<stagingSchema>.checkpoints` for `targetSchema`, a resolved timestamp newer than the
     * cursor (update: newer than the high-water at the start of the update) while the job's
     * `running_status` shows no transient error. `running` and the high-water are no proof:
     * CockroachDB checkpoints the high-water before it emits the resolved message, so both
     * advance while the replicator rejects every request; nor is a checkpoint not yet applied
     * (the replicator records it before it writes the target, and retries apply failures in the
     * background). A progress line is logged every few seconds while waiting.
     *
     * On timeout the error quotes the job's `running_status`/`error` with a hint per case
     * (connection refused, 400 unknown schema, 401, TLS/x509, checkpoint going backwards,
     * received but not applied: target privileges, missing tables, the replicator's logs).
     * A job created by this create/update is then cancelled (no orphan); a job altered in place
     * is left running and the update fails with a partial-state error recording the change
     * (`deliveryVerifiedAt` unset), so the next `up` verifies again.
     *
     * Default: not configured — create logs a warning that delivery was not verified (`Failback`
     * always passes it). `false`: no verification and no warning. Changing it is an update with
     * no effect on the job.
     */
    verifyDelivery?: ChangefeedDeliveryVerificationArgs | false;
}

/**
 * The CockroachDB changefeed that streams changes into MOLT Replicator for failback
 * (`CREATE CHANGEFEED … INTO 'webhook-https://…' WITH updated, resolved, cursor, …`).
 *
 * Created only when the connecting user has the privileges it needs and no other feed runs into
 * the same replicator; changed in place without a gap; a failed or cancelled job shows on
 * refresh and the next `up` starts a new job from the stored high-water mark (the resource id
 * stays, `jobId` changes). Destroy cancels the job.
 *
 * ```ts
 * const feed = new Changefeed("failback", {
 *     connection: config.requireSecret("crdbUrl"),
 *     tables: ["public.employees", "public.payments"],
 *     webhookUrl: pulumi.interpolate`${host.webhookBaseUrl}/migration_db/migration_schema`,
 *     caCertPem: host.caCertPem,
 *     clientCertPem: host.clientCertPem,
 *     clientKeyPem: host.clientKeyPem,
 *     authToken: host.authToken,
 *     cursor: "1759246920563173000.0000000000",
 * }, { dependsOn: [settings, grants, host] });
 * ```
 */
export class Changefeed extends pulumi.dynamic.Resource {
    /** The CockroachDB job id (changes when a failed/cancelled job is recreated). */
    declare public readonly jobId: pulumi.Output<string>;
    /** The cursor the current job started from. */
    declare public readonly cursor: pulumi.Output<string>;
    /** Job status as last seen (`running`, `paused`, `failed`, `canceled`, … or `missing`). */
    declare public readonly status: pulumi.Output<string>;
    /** The job's high-water mark (DECIMAL HLC) as last seen; never moves backwards. */
    declare public readonly highWaterTimestamp: pulumi.Output<string | undefined>;
    /** `running_status` as last seen. */
    declare public readonly runningStatus: pulumi.Output<string>;
    /** The job's error as last seen (empty when none). */
    declare public readonly error: pulumi.Output<string>;
    /** The full sink URI with TLS material (secret). */
    declare public readonly sinkUri: pulumi.Output<string>;
    /**
     * The latest resolved timestamp (DECIMAL HLC) the replicator had applied to the target for
     * the target schema when delivery was last verified (undefined without `verifyDelivery`).
     */
    declare public readonly lastDeliveredResolved: pulumi.Output<string | undefined>;
    /** When delivery was last proven (ISO 8601); undefined when not verified. */
    declare public readonly deliveryVerifiedAt: pulumi.Output<string | undefined>;
    /**
     * True only when delivery to the replicator was proven (`verifyDelivery`). False: the job runs
     * and its high-water moves, which CockroachDB also does while the sink rejects every request.
     */
    declare public readonly deliveryVerified: pulumi.Output<boolean>;
    /** What is known about delivery, in words (e.g. "delivery not verified: …"). */
    declare public readonly deliveryNote: pulumi.Output<string>;
    /** Version of the state shape written by the provider. */
    declare public readonly stateVersion: pulumi.Output<number>;

    constructor(name: string, args: ChangefeedArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            changefeedProvider,
            name,
            {
                connection: pulumi.secret(args.connection),
                tables: args.tables,
                webhookUrl: args.webhookUrl,
                caCertPem: args.caCertPem,
                clientCertPem: args.clientCertPem,
                clientKeyPem:
                    args.clientKeyPem === undefined ? undefined : pulumi.secret(args.clientKeyPem),
                authToken: args.authToken === undefined ? undefined : pulumi.secret(args.authToken),
                cursor: args.cursor,
                resolved: args.resolved,
                minCheckpointFrequency: args.minCheckpointFrequency,
                webhookClientTimeout: args.webhookClientTimeout,
                webhookSinkConfig: args.webhookSinkConfig,
                options: args.options,
                waitForRunningSeconds: args.waitForRunningSeconds,
                exclusive: args.exclusive,
                addedTablesInitialScan: args.addedTablesInitialScan,
                adoptJobId: args.adoptJobId,
                ...verifyDeliveryProps(args.verifyDelivery),
                jobId: undefined,
                status: undefined,
                highWaterTimestamp: undefined,
                runningStatus: undefined,
                error: undefined,
                sinkUri: undefined,
                lastDeliveredResolved: undefined,
                deliveryVerifiedAt: undefined,
                deliveryVerified: undefined,
                deliveryNote: undefined,
                stateVersion: undefined,
            },
            {
                ...opts,
                additionalSecretOutputs: [
                    ...(opts?.additionalSecretOutputs ?? []),
                    "sinkUri",
                    "stagingConnection",
                ],
            },
            "crdb-failback",
            "Changefeed",
        );
    }
}

/**
 * The provider properties of `verifyDelivery`: the staging connection becomes the top-level
 * secret property `stagingConnection`, so the rest of the settings stay readable in state.
 */
function verifyDeliveryProps(
    verify: ChangefeedArgs["verifyDelivery"],
): Record<string, pulumi.Input<unknown> | undefined> {
    if (verify === undefined || verify === false) return { verifyDelivery: verify };
    return {
        verifyDelivery: {
            stagingSchema: verify.stagingSchema,
            targetSchema: verify.targetSchema,
            ...(verify.timeoutSeconds !== undefined
                ? { timeoutSeconds: verify.timeoutSeconds }
                : {}),
        },
        stagingConnection:
            verify.stagingConnection === undefined
                ? undefined
                : pulumi.secret(verify.stagingConnection),
    };
}
