import * as pulumi from "@pulumi/pulumi";
import { preflightProvider } from "../providers/preflight";

/** Arguments of {@link Preflight}. Every change re-runs the pre-flight (an update, never a replacement). */
export interface PreflightArgs {
    /** CockroachDB SQL URL of the user that will create the changefeed. Secret. */
    cockroachConnection: pulumi.Input<string>;
    /**
     * URL of the database failed back to (`postgres://…/db`, `mysql://…/`, `oracle://…/SERVICE`)
     * of a user that can read its catalog (the TargetGrants admin URL works). The dialect follows
     * from the scheme. Secret.
     */
    targetConnection: pulumi.Input<string>;
    /** PostgreSQL schema, MySQL database or Oracle owning schema (stored, upper case for Oracle). */
    targetSchema: pulumi.Input<string>;
    /**
     * The changefeed's CockroachDB tables (`t` = `<db of the URL>.public.t`, `schema.t` or
     * `db.schema.t`). Each is written to the target table of the same name (Oracle: upper case).
     */
    tables: pulumi.Input<pulumi.Input<string>[]>;
    /** The user/role the replicator writes to the target as. */
    grantee: pulumi.Input<string>;
    /** MySQL only: the grantee account's host part. Default `%`. */
    granteeHost?: pulumi.Input<string>;
    /**
     * CockroachDB columns the target lacks on purpose, by CockroachDB table name (e.g.
     * `{ orders: ["internal_note"] }`): not reported as missing, and not counted as sent. Default none.
     */
    ignoreColumns?: pulumi.Input<Record<string, pulumi.Input<pulumi.Input<string>[]>>>;
    /** TargetGrants grants the apply privileges, so the grantee's current ones are not checked. Default false. */
    grantsManaged?: pulumi.Input<boolean>;
    /** The staging schema forward replication used (`db.schema`, or `db` = `db.public`). */
    stagingSchema: pulumi.Input<string>;
    /** CockroachDB SQL URL of the staging cluster. Default `cockroachConnection`. Secret. */
    stagingConnection?: pulumi.Input<string>;
    /** The replicator may create the staging schema: an empty one is a warning. Default false. */
    stagingCreateSchema?: pulumi.Input<boolean>;
    /** ClusterSettings sets `kv.rangefeed.enabled`, so it being off now is fine. Default false. */
    rangefeedManaged?: pulumi.Input<boolean>;
    /** Extra changefeed WITH options, checked against the cluster's release. Default none. */
    changefeedOptions?: pulumi.Input<Record<string, pulumi.Input<string | boolean>>>;
    /** The changefeed's cursor (HLC decimal); with it the watched tables' GC TTL is checked. */
    cursor?: pulumi.Input<string>;
    /** GC TTL headroom beyond the cursor's age, in seconds. Default 3600. */
    gcMarginSeconds?: pulumi.Input<number>;
    /** The changefeed's exclusive guard runs (it needs VIEWJOB). Default true. */
    exclusive?: pulumi.Input<boolean>;
    /** Warnings fail the pre-flight too. Default false. */
    failOnWarnings?: pulumi.Input<boolean>;
}

/**
 * Proves, read-only, every precondition of a failback before anything is created: tables on both
 * sides, primary keys, columns, NOT NULL columns, type compatibility, privileges, the staging
 * schema, the cluster's release and rangefeeds, the GC TTL. Fails with every problem listed
 * (object and fix). Make the other resources depend on it. docs/preflight.md.
 */
export class Preflight extends pulumi.dynamic.Resource {
    /** When the pre-flight last passed (ISO 8601). */
    declare public readonly checkedAt: pulumi.Output<string>;
    /** Warnings and checks that could not run, as report lines. */
    declare public readonly warnings: pulumi.Output<string[]>;
    /** Target tables proven writable (`schema.table`). */
    declare public readonly checkedTables: pulumi.Output<string[]>;

    constructor(name: string, args: PreflightArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            preflightProvider,
            name,
            {
                ...args,
                cockroachConnection: pulumi.secret(args.cockroachConnection),
                targetConnection: pulumi.secret(args.targetConnection),
                ...(args.stagingConnection !== undefined
                    ? { stagingConnection: pulumi.secret(args.stagingConnection) }
                    : {}),
                checkedAt: undefined,
                warnings: undefined,
                checkedTables: undefined,
            },
            pulumi.mergeOptions(opts, {
                additionalSecretOutputs: [
                    "cockroachConnection",
                    "targetConnection",
                    "stagingConnection",
                ],
            }),
            "crdb-failback",
            "Preflight",
        );
    }
}
