import type * as pulumi from "@pulumi/pulumi";

import type { ChangefeedArgs } from "../changefeed";
import type { ClusterSettingsArgs } from "../clusterSettings";
import type { ReplicatorHostArgs, TargetDialect } from "../replicatorHost/args";

/**
 * The database being failed back to (the original source of the migration) and the user the
 * replicator writes as.
 */
export interface FailbackTargetArgs {
    /**
     * `"postgres"`, `"mysql"` (also MariaDB) or `"oracle"`. Must agree with the schemes of
     * `adminConnection` and `replicatorConnection`. Changing it replaces the grants and the
     * changefeed (a new webhook path) and rolls the replicator.
     */
    dialect: TargetDialect;
    /**
     * Admin URL used only to grant (and on destroy revoke) the replicator's privileges:
     * `postgres://admin:pw@host:5432/<database>`, `mysql://admin:pw@host:3306/` or
     * `oracle://admin:pw@host:1521/<SERVICE>`. For PostgreSQL its database must be
     * `database`. Secret: wrapped in `pulumi.secret()`. A new password is an update of the
     * grants; another server or database replaces them.
     */
    adminConnection: pulumi.Input<string>;
    /**
     * The URL the replicator writes with (`--targetConn`), whose user should be `grantee`:
     * `postgres://repl:pw@host:5432/<database>`, `mysql://repl:pw@host:3306/<database>` or
     * `oracle://C%23%23REPL:pw@host:1521/<SERVICE>`. For PostgreSQL its database must be
     * `database`. Secret: wrapped in `pulumi.secret()`, passed to the pod only through a
     * Kubernetes Secret. Unused by the component when `replicator.external` is set (then it is
     * only checked against the other arguments). Changing it rolls the replicator.
     */
    replicatorConnection: pulumi.Input<string>;
    /**
     * The role (PostgreSQL), user (MySQL) or user/role (Oracle) that receives the write
     * privileges; it must already exist. Normally the user of `replicatorConnection`: when it
     * differs a warning is logged (not an error: that user may hold the privileges through
     * membership in this role). Changing it replaces the grants.
     */
    grantee: pulumi.Input<string>;
    /** MySQL only: host part of the grantee account (`'user'@'host'`). Default `"%"`. Replaces the grants. */
    granteeHost?: pulumi.Input<string>;
    /**
     * PostgreSQL: required, the database of `replicatorConnection` (and `adminConnection`), the
     * first segment of the webhook path `/<database>/<schema>`. MySQL: the database is `schema`;
     * leave this out or repeat `schema`. Oracle: not used (leave it out). Changing it changes
     * the webhook path and the token's schema claim.
     */
    database?: string;
    /**
     * Where the tables are: the PostgreSQL schema (`public`), the MySQL database, or the Oracle
     * owning schema in its stored case (unquoted Oracle names are stored upper case:
     * `MIGRATION_SCHEMA`, as the MOLT docs write the Oracle webhook path `/<SCHEMA>`). It names
     * the webhook path (`/<database>/<schema>`, `/<database>` or `/<SCHEMA>`) and the token's
     * schema claim. Changing it replaces the grants and moves the changefeed to a new path.
     */
    schema: string;
    /**
     * Tables the replicator writes, exact names in `schema` (Oracle: stored case). At least
     * one. The grants cover exactly these; every changefeed table must be one of them. Changing
     * it is an in-place update of the grants (and of the changefeed when `changefeedTables` is
     * not given).
     */
    tables: pulumi.Input<pulumi.Input<string>[]>;
    /** Table privileges; default per dialect (see `TargetGrantsArgs.privileges`). In-place update. */
    privileges?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * PostgreSQL only: also `ALTER DEFAULT PRIVILEGES` so tables created later are covered.
     * Default `false` (the tables are listed). In-place update.
     */
    defaultPrivileges?: pulumi.Input<boolean>;
}

/** Wait for forward replication (CockroachDB ← source) to drain before the cursor is taken. */
export interface FailbackForwardDrainArgs {
    /**
     * The forward replicator's Prometheus endpoint (`http://host:30005/_/varz`). The gate waits
     * until `apply_upserts_total + apply_deletes_total` stop moving for `quietPeriodSeconds`.
     */
    metricsUrl: string;
    /** Only count this schema's label (`schema="…"`). Default: every schema. */
    schema?: string;
    /** Seconds without applied rows that count as drained. Default 60 (the gate's default). */
    quietPeriodSeconds?: number;
    /**
     * Give up (and fail the `up`, creating no changefeed) after this many seconds. Default 900
     * (the gate's default).
     */
    timeoutSeconds?: number;
    /** Seconds between two scrapes of `metricsUrl`. Default 5 (the gate's default). */
    pollIntervalSeconds?: number;
}

/** The operator asserts that forward replication has already drained and stopped. */
export interface FailbackForwardDrainedArgs {
    /** Must be `true`. */
    drained: true;
    /**
     * Optional: the forward replicator's metrics URL. When given, a drain gate records the
     * acknowledgement (with the time) in state and reads the URL once to warn if the forward
     * replicator still runs; without it no gate is created and only the warning about an
     * unknown drain state is dropped.
     */
    metricsUrl?: string;
}

/** ClusterSettings arguments without the connection (the component passes `cockroachConnection`). */
export type FailbackClusterSettingsArgs = Omit<ClusterSettingsArgs, "connection">;

/**
 * ReplicatorHost arguments without what the component computes: connections, staging schema,
 * dialect and target schema.
 */
export type FailbackReplicatorArgs = Omit<
    ReplicatorHostArgs,
    | "targetConnection"
    | "stagingConnection"
    | "stagingSchema"
    | "stagingCreateSchema"
    | "targetDialect"
    | "targetSchema"
>;

/**
 * Changefeed arguments without what the component wires from the other resources: connection,
 * tables, webhook URL, certificates, token and delivery verification (staging connection,
 * staging schema and target schema are the component's own) — plus the verification bound.
 */
export type FailbackChangefeedArgs = Omit<
    ChangefeedArgs,
    | "connection"
    | "tables"
    | "webhookUrl"
    | "caCertPem"
    | "clientCertPem"
    | "clientKeyPem"
    | "authToken"
    | "verifyDelivery"
> & {
    /**
     * Seconds create/update of the changefeed wait for proof that the replicator received it (a
     * resolved timestamp newer than the cursor in `<stagingSchema>.checkpoints` for the target
     * schema; see `ChangefeedArgs.verifyDelivery`). Default 120 — the replicator re-reads its JWT
     * keys once a minute, so keep it at 90 or more. `false` turns verification off (no proof, no
     * warning), e.g. when the replicator's staging cluster is not reachable from where Pulumi
     * runs. Changing it is an update of the changefeed with no effect on the job.
     */
    verifyDeliverySeconds?: pulumi.Input<number> | false;
};

/**
 * Arguments of {@link Failback}. Validated as a whole before anything is created: every problem
 * is reported in one error. Nothing here replaces the component itself; each child follows its
 * own update/replace rules.
 */
export interface FailbackArgs {
    /**
     * CockroachDB SQL URL (`postgresql://user:pw@host:26257/defaultdb?sslmode=verify-full`) of a
     * user that may change cluster settings and create changefeeds on the tables (admin works).
     * Secret: wrapped in `pulumi.secret()`. New credentials are an update.
     */
    cockroachConnection: pulumi.Input<string>;
    /**
     * CockroachDB SQL URL the replicator stages through (`--stagingConn`); also where the JWT
     * key is registered. Default: `cockroachConnection` (the MOLT docs use the source cluster as
     * staging). Secret: wrapped in `pulumi.secret()`.
     */
    stagingConnection?: pulumi.Input<string>;
    /**
     * Required, no default: the staging schema forward replication used (`--stagingSchema`), so
     * failback resumes from the same checkpoints — `defaultdb._replicator` in current docs; a
     * one-part `_replicator` means `_replicator.public`. Changing it re-registers the JWT key.
     */
    stagingSchema: string;
    /** `--stagingCreateSchema`: create the staging database/schema when missing. Default `false`. */
    stagingCreateSchema?: boolean;
    /** The database failed back to, its admin and replicator connections, grantee and tables. */
    target: FailbackTargetArgs;
    /**
     * CockroachDB tables the changefeed watches (`table`, `schema.table` or
     * `database.schema.table`). Each table's own name must be in `target.tables` (compared
     * case-insensitively, as the replicator matches names). Default: `target.tables` — for an
     * Oracle target lower-cased (MOLT Fetch creates Oracle's upper-case tables in lower case on
     * CockroachDB). Changing it is an in-place update of the changefeed.
     */
    changefeedTables?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Cluster settings to manage (default `{}`: `kv.rangefeed.enabled = true`, restored on
     * destroy), or `false` to manage none (e.g. CockroachDB Cloud, where rangefeeds are on and
     * the settings cannot be changed).
     */
    clusterSettings?: FailbackClusterSettingsArgs | false;
    /**
     * Replicator options: `namespace`, `external`, `tls`, `auth`, `image`, tuning flags, …
     * (see {@link ReplicatorHostArgs}). Default `{}`: a Deployment and Service in namespace
     * `default` with generated TLS and JWT auth.
     */
    replicator?: FailbackReplicatorArgs;
    /**
     * Changefeed options: `cursor`, `resolved`, `minCheckpointFrequency`, `options`, … (see
     * {@link ChangefeedArgs}). Default `{}`: the cursor is `cluster_logical_timestamp()` when the
     * changefeed is created — after the drain gate when `forwardReplication` is given.
     */
    changefeed?: FailbackChangefeedArgs;
    /**
     * How the component knows forward replication has drained before it takes the cursor:
     * `{ metricsUrl, … }` waits on the forward replicator's metrics, `{ drained: true }` records
     * the operator's word for it. Default: neither — a warning is logged, because a cursor taken
     * while forward replication still applies rows may miss writes (no warning when
     * `changefeed.cursor` is given: the operator chose the cursor). The changefeed depends on
     * the gate, so it is created only after the gate passed.
     */
    forwardReplication?: FailbackForwardDrainArgs | FailbackForwardDrainedArgs;
    /**
     * Raise the GC TTL (`gc.ttlseconds`) of the CockroachDB database the changefeed reads for as
     * long as the failback exists, so the cursor's and a recreated changefeed's MVCC history is
     * not garbage-collected: a `GcTtl` child, created before the cursor is taken and restored
     * (the prior value, set or inherited) after the changefeed is cancelled. `ttl` is seconds or a
     * duration (`"25h"`); `tables` sets these tables' zones instead of the database's. Default: off
     * (no GcTtl child). Changing it is an update of the GcTtl child; adding or removing it
     * creates or deletes the child (see docs/gc-ttl.md).
     */
    gcTtl?: FailbackGcTtlArgs;
    /**
     * The pre-flight that runs first, read-only, and fails `up` with every problem listed before
     * anything is created (tables, primary keys, columns, types, privileges, staging schema,
     * release, rangefeeds, GC TTL; see docs/preflight.md): a `Preflight` child every other child
     * depends on. `failOnWarnings` makes warnings fatal too (default false); `gcMarginSeconds` is
     * the GC TTL headroom beyond the cursor's age (default 3600). Default: on. `false` creates no
     * pre-flight. Changing it is an update of the Preflight child (it runs again).
     */
    preflight?: FailbackPreflightArgs | false;
    /**
     * CockroachDB columns the target lacks on purpose, by CockroachDB table name (e.g.
     * `{ orders: ["internal_note"] }`): the pre-flight does not report them as missing. Default
     * none. Changing it re-runs the pre-flight (an update).
     */
    ignoreColumns?: pulumi.Input<Record<string, pulumi.Input<pulumi.Input<string>[]>>>;
}

/** The GC TTL the component holds while it exists (a `GcTtl` child). */
export interface FailbackGcTtlArgs {
    /** Seconds (`90000`) or a duration (`"25h"`); see `GcTtlArgs.ttl`. Changing it is an update. */
    ttl: pulumi.Input<string | number>;
    /**
     * Tables whose zones to set instead of the database's (see `GcTtlArgs.tables`). Default: the
     * database's zone. Changing it is an update.
     */
    tables?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Options of the pre-flight the component runs first. */
export interface FailbackPreflightArgs {
    /** Warnings fail the pre-flight too. Default false. Changing it re-runs the pre-flight. */
    failOnWarnings?: pulumi.Input<boolean>;
    /** GC TTL headroom beyond the cursor's age, in seconds. Default 3600. */
    gcMarginSeconds?: pulumi.Input<number>;
}
