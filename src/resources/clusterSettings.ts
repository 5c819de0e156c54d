import * as pulumi from "@pulumi/pulumi";

import { clusterSettingsProvider } from "../providers/clusterSettings";

/** Arguments of {@link ClusterSettings}. */
export interface ClusterSettingsArgs {
    /**
     * CockroachDB SQL URL (`postgresql://user:password@host:26257/defaultdb?sslmode=verify-full`)
     * of a user with `MODIFYCLUSTERSETTING` (or admin). Secret: wrapped in `pulumi.secret()`.
     * New credentials, query parameters or another node of the same cluster are an update
     * (the provider checks that `crdb_internal.cluster_id()` still matches); another
     * host/port/database is a replacement (the old cluster is restored first).
     */
    connection: pulumi.Input<string>;
    /**
     * `kv.rangefeed.enabled`, which changefeeds need. Default `true`. When the cluster already
     * reports the value, no `SET` is issued (so this also works on CockroachDB Cloud, where
     * rangefeeds are on). Changing it is an update.
     */
    rangefeedEnabled?: pulumi.Input<boolean>;
    /**
     * `kv.rangefeed.closed_timestamp_refresh_interval` as a duration (`'250ms'`); lower values
     * make changefeed checkpoints (resolved timestamps) more frequent. Unmanaged when omitted.
     * Changing it is an update.
     */
    closedTimestampRefreshInterval?: pulumi.Input<string>;
    /**
     * `kv.closed_timestamp.target_duration` as a duration (`'1s'`). Unmanaged when omitted.
     * Changing it is an update.
     */
    closedTimestampTargetDuration?: pulumi.Input<string>;
    /**
     * `kv.rangefeed.concurrent_catchup_iterators` (positive integer). System-only: not available
     * on CockroachDB Cloud Basic/Standard. Unmanaged when omitted. Changing it is an update.
     */
    concurrentCatchupIterators?: pulumi.Input<number>;
    /**
     * Any other cluster settings, name → value (`{ "jobs.retention_time": "72h" }`). Durations
     * as strings, bools as booleans, integers as numbers. A setting removed from this map (or
     * any argument above removed) goes back to the value it had before this resource first
     * changed it. Changing it is an update.
     */
    settings?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
    /**
     * What `delete` does with each managed setting: `"restore"` (default) puts back the value
     * recorded in `previous` (`RESET` when it was at its default, `SET` otherwise); `"reset"`
     * resets every managed setting to CockroachDB's default; `"retain"` leaves them as they
     * are. Changing it is an update.
     */
    onDelete?: pulumi.Input<"restore" | "reset" | "retain">;
}

/**
 * CockroachDB cluster settings that failback needs (`kv.rangefeed.enabled` and the
 * closed-timestamp tuning of the MOLT runbook), applied with `SET CLUSTER SETTING` only where
 * the current value differs, read back on refresh (drift shows), and restored on destroy.
 *
 * ```ts
 * const settings = new ClusterSettings("crdb-settings", {
 *     connection: config.requireSecret("crdbUrl"),
 *     closedTimestampRefreshInterval: "250ms",
 *     closedTimestampTargetDuration: "1s",
 * });
 * ```
 */
export class ClusterSettings extends pulumi.dynamic.Resource {
    /** Setting name → value as read back from the cluster (refresh updates it). */
    declare public readonly values: pulumi.Output<Record<string, string | number | boolean>>;
    /** Setting name → `{ value, origin, type }` before this resource first changed it. */
    declare public readonly previous: pulumi.Output<
        Record<string, { value: string; origin: string; type: string }>
    >;
    /** `crdb_internal.cluster_id()` of the cluster the settings were applied to. */
    declare public readonly clusterId: pulumi.Output<string>;
    /** Version of the state shape written by the provider. */
    declare public readonly stateVersion: pulumi.Output<number>;

    constructor(name: string, args: ClusterSettingsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            clusterSettingsProvider,
            name,
            {
                connection: pulumi.secret(args.connection),
                rangefeedEnabled: args.rangefeedEnabled,
                closedTimestampRefreshInterval: args.closedTimestampRefreshInterval,
                closedTimestampTargetDuration: args.closedTimestampTargetDuration,
                concurrentCatchupIterators: args.concurrentCatchupIterators,
                settings: args.settings,
                onDelete: args.onDelete,
                values: undefined,
                previous: undefined,
                clusterId: undefined,
                stateVersion: undefined,
            },
            opts,
            "crdb-failback",
            "ClusterSettings",
        );
    }
}
