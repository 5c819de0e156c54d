/**
 * Preflight: inputs as the engine passes them, the configuration `check` parses them into, the
 * findings, and the outputs (with `stateVersion`).
 */
import type { StagingSchema } from "../cockroach";
import type { TableRef } from "../changefeed/tables";
import type { ColumnsDialect, TargetEndpoint } from "../targets/columns";

/** Inputs as the engine passes them to the provider. */
export interface PreflightInputs {
    cockroachConnection: string;
    /** The database the replicator writes into: `postgres://`, `mysql://` or `oracle://`. */
    targetConnection: string;
    /** PostgreSQL schema, MySQL database or Oracle owning schema (stored case). */
    targetSchema: string;
    /** The CockroachDB tables of the changefeed (`t`, `schema.t` or `db.schema.t`). */
    tables: string[];
    /** The replicator's target user/role. */
    grantee: string;
    granteeHost?: string;
    /** CockroachDB columns the target does not have on purpose, keyed by CockroachDB table name. */
    ignoreColumns?: Record<string, string[]>;
    /** TargetGrants will grant the apply privileges (missing ones are then not a problem). */
    grantsManaged?: boolean;
    stagingSchema: string;
    stagingConnection?: string;
    /** The replicator may create the staging schema. */
    stagingCreateSchema?: boolean;
    /** ClusterSettings will set `kv.rangefeed.enabled`. */
    rangefeedManaged?: boolean;
    /** Changefeed WITH options other than the ones this package always sets. */
    changefeedOptions?: Record<string, string | boolean>;
    /** The changefeed's cursor (HLC decimal), when one is given. */
    cursor?: string;
    /** Extra GC TTL headroom beyond the cursor's age, in seconds. Default 3600. */
    gcMarginSeconds?: number;
    /** The changefeed's exclusive guard needs VIEWJOB. Default true. */
    exclusive?: boolean;
    /** Warnings fail the pre-flight too. Default false. */
    failOnWarnings?: boolean;
}

/** The configuration `check` parses once; every other method works from it. */
export interface PreflightConfig {
    cockroachUrl: string;
    /** The CockroachDB user the session runs as (from the URL). */
    cockroachUser: string;
    stagingUrl: string;
    /** Target side: dialect object, endpoint (holds a password), schema and grantee. */
    target: {
        dialect: ColumnsDialect;
        endpoint: TargetEndpoint;
        /** `host:port/database`, for messages. */
        label: string;
        schema: string;
        grantee: string;
        granteeHost?: string;
    };
    tables: TableRef[];
    /** Lower-cased CockroachDB table name → lower-cased ignored column names. */
    ignoreColumns: ReadonlyMap<string, ReadonlySet<string>>;
    grantsManaged: boolean;
    staging: StagingSchema;
    stagingCreateSchema: boolean;
    rangefeedManaged: boolean;
    changefeedOptions: Record<string, string | boolean>;
    /** Wall time of the cursor in nanoseconds since the epoch. */
    cursorWallNanos?: bigint;
    gcMarginSeconds: number;
    exclusive: boolean;
    failOnWarnings: boolean;
    /** Every secret in the inputs (scrubbed from errors). */
    secrets: string[];
}

/** Which precondition a finding is about. */
export type CheckName =
    | "tables"
    | "primaryKey"
    | "columns"
    | "notNull"
    | "types"
    | "cockroachPrivileges"
    | "targetPrivileges"
    | "staging"
    | "cluster"
    | "gcTtl";

/** One finding: a problem (error), a warning, or a check that could not run. */
export interface Finding {
    severity: "error" | "warning" | "notChecked";
    check: CheckName;
    /** The object concerned, e.g. `defaultdb.public.orders.note` or `target public.orders`. */
    object: string;
    problem: string;
    fix: string;
}

/** Outputs stored in state. */
export interface PreflightOutputs extends PreflightInputs {
    stateVersion: number;
    /** When the pre-flight last passed (ISO 8601). */
    checkedAt: string;
    /** Warnings and checks not run, as report lines (no secrets). */
    warnings: string[];
    /** Target tables proven writable, as `schema.table`. */
    checkedTables: string[];
}
