/** Shapes of the GcTtl provider's inputs, parsed configuration and outputs (state). */

/** What `delete` does with each zone this resource changed. */
export type GcTtlOnDelete = "restore" | "retain";

/** The provider's inputs (see `GcTtlArgs` for the meaning of each). */
export interface GcTtlInputs {
    connection: string;
    database: string;
    tables?: string[];
    ttl: string | number;
    onDelete?: GcTtlOnDelete;
}

/** One zone whose `gc.ttlseconds` this resource manages: a database's or a table's. */
export interface ZoneTarget {
    database: string;
    /** Set for a table's zone. */
    schema?: string;
    table?: string;
}

/** The inputs as `check` accepted them, parsed once per operation. */
export interface GcTtlConfig {
    connection: string;
    database: string;
    /** The zones to set: the database's, or each listed table's. */
    targets: ZoneTarget[];
    ttlSeconds: number;
    onDelete: GcTtlOnDelete;
}

/** Whether a zone sets `gc.ttlseconds` itself or takes it from its parent zone. */
export type TtlOrigin = "set" | "inherited";

/** What the cluster reports for one zone's `gc.ttlseconds`. */
export interface ZoneReading {
    /** The value in effect (`SHOW ZONE CONFIGURATION`). */
    ttlSeconds: number;
    origin: TtlOrigin;
    /** Other fields the zone itself sets (`num_replicas`, …), from `crdb_internal.zones`. */
    otherFields: string[];
}

/** A zone's `gc.ttlseconds` before this resource first changed it. */
export interface PriorZone {
    target: ZoneTarget;
    ttlSeconds: number;
    origin: TtlOrigin;
    /**
     * The TTL this stack last saw set on the zone by itself. With the state's `ttlSeconds`, the
     * values restore recognises as this stack's (an update that failed half-way may have left
     * either).
     */
    setTo?: number;
}

/** The provider's outputs: everything later diff/update/read/delete need. */
export interface GcTtlOutputs extends GcTtlInputs {
    stateVersion: 1;
    /** The TTL this stack sets, in seconds. */
    ttlSeconds: number;
    /** Zone name (`DATABASE app`, `TABLE app.public.orders`) → value and origin before this resource changed it. */
    previous: Record<string, PriorZone>;
    /** Zone name → what the cluster reported at the last create/update/refresh. */
    current: Record<string, ZoneReading>;
    /** `crdb_internal.cluster_id()` at create: a new connection must reach the same cluster. */
    clusterId: string;
}
