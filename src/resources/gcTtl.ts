import * as pulumi from "@pulumi/pulumi";

import { gcTtlProvider } from "../providers/gcTtl";

/** Arguments of {@link GcTtl}. */
export interface GcTtlArgs {
    /**
     * CockroachDB SQL URL (`postgresql://user:password@host:26257/defaultdb?sslmode=verify-full`)
     * of a user with the ZONECONFIG (or CREATE) privilege on the database or tables (or admin).
     * Secret: wrapped in `pulumi.secret()`. New credentials or another node of the same cluster
     * are an update (the provider checks that `crdb_internal.cluster_id()` still matches);
     * another host/port/database is a replacement (the old zones are restored first).
     */
    connection: pulumi.Input<string>;
    /**
     * The database whose GC TTL to raise (e.g. the one the changefeed reads). Its zone is set
     * unless `tables` is given. Changing it is a replacement.
     */
    database: pulumi.Input<string>;
    /**
     * Tables whose zones to set instead of the database's: `orders`, `shop.orders` or
     * `app.shop.orders` (double-quote parts with capitals). Default: the database's zone, which
     * every table without its own `gc.ttlseconds` inherits. A table removed from the list gets its
     * prior value back. Changing it is an update.
     */
    tables?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The GC TTL while this resource exists: seconds (`90000`) or a duration (`"25h"`,
     * `"90m"`), 1 second to 2147483647 seconds. It should outlast the longest time a changefeed
     * may be paused or a cursor may wait. Changing it is an update.
     */
    ttl: pulumi.Input<string | number>;
    /**
     * What `delete` does: `"restore"` (default) puts back each zone's prior `gc.ttlseconds`
     * (the same value if it was set on the zone, inherited again if it was inherited);
     * `"retain"` leaves the TTL as it is. Changing it is an update.
     */
    onDelete?: pulumi.Input<"restore" | "retain">;
}

/**
 * Raises `gc.ttlseconds` of a CockroachDB database's zone (or of some tables' zones) for the
 * duration of a failback, so a cursor or a recreated changefeed's high-water is not
 * garbage-collected: records the prior value and whether it was set on the zone or inherited,
 * shows drift on refresh, and restores exactly on destroy.
 *
 * ```ts
 * const gcTtl = new GcTtl("crdb-gc-ttl", {
 *     connection: config.requireSecret("crdbUrl"),
 *     database: "app",
 *     ttl: "25h",
 * });
 * ```
 */
export class GcTtl extends pulumi.dynamic.Resource {
    /** The TTL this resource sets, in seconds. */
    declare public readonly ttlSeconds: pulumi.Output<number>;
    /** Zone name → `{ target, ttlSeconds, origin }` before this resource first changed it. */
    declare public readonly previous: pulumi.Output<
        Record<string, { ttlSeconds: number; origin: "set" | "inherited" }>
    >;
    /** Zone name → `{ ttlSeconds, origin, otherFields }` as last read from the cluster. */
    declare public readonly current: pulumi.Output<
        Record<string, { ttlSeconds: number; origin: "set" | "inherited"; otherFields: string[] }>
    >;
    /** `crdb_internal.cluster_id()` of the cluster the TTL was set on. */
    declare public readonly clusterId: pulumi.Output<string>;
    /** Version of the state shape written by the provider. */
    declare public readonly stateVersion: pulumi.Output<number>;

    constructor(name: string, args: GcTtlArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            gcTtlProvider,
            name,
            {
                connection: pulumi.secret(args.connection),
                database: args.database,
                tables: args.tables,
                ttl: args.ttl,
                onDelete: args.onDelete,
                ttlSeconds: undefined,
                previous: undefined,
                current: undefined,
                clusterId: undefined,
                stateVersion: undefined,
            },
            opts,
            "crdb-failback",
            "GcTtl",
        );
    }
}
