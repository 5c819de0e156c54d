import * as pulumi from "@pulumi/pulumi";

import { Changefeed } from "./changefeed";
import { ClusterSettings } from "./clusterSettings";
import type { FailbackArgs } from "./failback/args";
import { defaultChangefeedTables, foldsUpper } from "./failback/tables";
import {
    formatProblems,
    gcTtlDatabases,
    replicatorHostArgs,
    structuralWarnings,
    valueProblems,
} from "./failback/validate";
import { failbackTargetSchema } from "./failback/webhook";
import { drainGateArgs, earlyProblems, earlyWarnings, preflightArgs } from "./failback/wiring";
import { ForwardDrainGate } from "./forwardDrainGate";
import { GcTtl } from "./gcTtl";
import { Preflight } from "./preflight";
import { ReplicatorHost } from "./replicatorHost";
import { webhookPathFor } from "./replicatorHost/names";
import { TargetGrants, type TargetGrantPair } from "./targetGrants";

export type {
    FailbackArgs,
    FailbackChangefeedArgs,
    FailbackClusterSettingsArgs,
    FailbackForwardDrainArgs,
    FailbackForwardDrainedArgs,
    FailbackGcTtlArgs,
    FailbackPreflightArgs,
    FailbackReplicatorArgs,
    FailbackTargetArgs,
} from "./failback/args";
export { failbackTargetSchema, failbackWebhookPath } from "./failback/webhook";

/** Type token of the component. */
export const FAILBACK_TYPE = "crdb-failback:index:Failback";

/** Previous values of the managed cluster settings, as {@link ClusterSettings.previous}. */
export type FailbackSettingsPrevious = Record<
    string,
    { value: string; origin: string; type: string }
>;

/**
 * The whole MOLT failback runbook as one resource: first a read-only pre-flight (`Preflight`,
 * every other child depends on it, so when it fails nothing is created; `preflight: false` skips
 * it), then cluster settings on CockroachDB
 * (`ClusterSettings`), write privileges for the replicator on the target (`TargetGrants`), the
 * replicator with TLS and JWT auth (`ReplicatorHost`), optionally a gate that waits for forward
 * replication to drain (`ForwardDrainGate`), and the changefeed into the replicator
 * (`Changefeed`) — created in that order; with `gcTtl`, a `GcTtl` child holds the GC TTL of the
 * changefeed's database from before the cursor is taken until after the changefeed is gone. The changefeed depends on everything else, so
 * `pulumi destroy` cancels it first, then removes the replicator, revokes exactly the
 * privileges it granted and restores the cluster settings.
 *
 * The webhook path (and the token's schema claim) follows from the target: `/<database>/<schema>`
 * for PostgreSQL, `/<database>` for MySQL, `/<SCHEMA>` for Oracle.
 *
 * The changefeed proves delivery before `up` succeeds: it waits (`changefeed.verifyDeliverySeconds`,
 * default 120) until the replicator has recorded a resolved timestamp newer than the cursor in
 * `<stagingSchema>.checkpoints` on the staging cluster for the target schema, and otherwise
 * fails with the job's error and a troubleshooting hint (no changefeed is left behind).
 *
 * ```ts
 * const failback = new Failback("failback", {
 *     cockroachConnection: config.requireSecret("cockroachConnection"),
 *     stagingSchema: "defaultdb._replicator",
 *     target: {
 *         dialect: "postgres",
 *         adminConnection: config.requireSecret("targetAdminConnection"),
 *         replicatorConnection: config.requireSecret("targetReplicatorConnection"),
 *         grantee: "replicator",
 *         database: "molt",
 *         schema: "public",
 *         tables: ["employees", "payments"],
 *     },
 *     replicator: { namespace: "molt" },
 *     forwardReplication: { metricsUrl: "http://forward-replicator.molt:30005/_/varz" },
 * });
 * ```
 */
export class Failback extends pulumi.ComponentResource {
    /** The CockroachDB job id of the changefeed. */
    public readonly changefeedJobId: pulumi.Output<string>;
    /** The cursor (DECIMAL HLC) the changefeed started from. */
    public readonly cursor: pulumi.Output<string>;
    /** The changefeed's sink URL without credentials: `https://host:port/<path>`. */
    public readonly webhookUrl: pulumi.Output<string>;
    /** The webhook path for the target (`/<db>/<schema>`, `/<db>` or `/<SCHEMA>`). */
    public readonly webhookPath: string;
    /** The (object, privilege) pairs the grants added; exactly these are revoked on destroy. */
    public readonly granted: pulumi.Output<TargetGrantPair[]>;
    /** Cluster settings before this stack changed them (restored on destroy); undefined when unmanaged. */
    public readonly settingsPrevious: pulumi.Output<FailbackSettingsPrevious | undefined>;
    /** The ClusterSettings child; undefined when `clusterSettings: false`. */
    public readonly clusterSettings: ClusterSettings | undefined;
    /** The TargetGrants child. */
    public readonly grants: TargetGrants;
    /** The ReplicatorHost child. */
    public readonly replicator: ReplicatorHost;
    /**
     * The ForwardDrainGate child; undefined without `forwardReplication` (or with
     * `{ drained: true }` and no `metricsUrl`).
     */
    public readonly drainGate: ForwardDrainGate | undefined;
    /** The Preflight child, created first; undefined with `preflight: false`. */
    public readonly preflight: Preflight | undefined;
    /** The GcTtl child; undefined without `gcTtl`. */
    public readonly gcTtl: GcTtl | undefined;
    /** The Changefeed child. */
    public readonly changefeed: Changefeed;

    constructor(name: string, args: FailbackArgs, opts?: pulumi.ComponentResourceOptions) {
        // Everything that can be checked on plain values is checked before anything (even this
        // component) is registered.
        const replicatorName = `${name}-replicator`;
        const early = earlyProblems(args, replicatorName);
        if (early.length > 0) throw new Error(formatProblems(name, early));

        // Component args are stored in state: keep none (they hold secrets).
        super(FAILBACK_TYPE, name, {}, opts);

        const warnedEarly = new Set(earlyWarnings(args));
        for (const warning of [...structuralWarnings(args), ...warnedEarly]) {
            void pulumi.log.warn(`Failback "${name}": ${warning}`, this);
        }

        const target = args.target;
        const upper = foldsUpper(target.dialect);
        const tables = pulumi.output(target.tables);
        const feedTablesInput: pulumi.Input<pulumi.Input<string>[]> =
            args.changefeedTables ?? tables.apply((t) => defaultChangefeedTables(upper, t));

        // Values that are Outputs are validated when they resolve; every child waits for that.
        const checked = pulumi.unsecret(
            pulumi
                .all([
                    args.cockroachConnection,
                    args.stagingConnection ?? args.cockroachConnection,
                    target.adminConnection,
                    target.replicatorConnection,
                    target.grantee,
                    tables,
                    feedTablesInput,
                ])
                .apply(([crdb, staging, admin, repl, grantee, tbls, feedTables]) => {
                    const { problems, warnings } = valueProblems(args, {
                        cockroachConnection: crdb,
                        stagingConnection: staging,
                        adminConnection: admin,
                        replicatorConnection: repl,
                        grantee,
                        tables: tbls,
                        changefeedTables: feedTables,
                    });
                    if (problems.length > 0) throw new Error(formatProblems(name, problems));
                    for (const warning of warnings.filter((w) => !warnedEarly.has(w))) {
                        void pulumi.log.warn(`Failback "${name}": ${warning}`, this);
                    }
                    return true;
                }),
        );
        const gated = <T>(value: pulumi.Input<T>): pulumi.Output<T> =>
            pulumi.all([checked, value]).apply(([, v]) => v as T);

        const cockroachConnection = pulumi.secret(gated(args.cockroachConnection));
        const stagingConnection = pulumi.secret(
            gated(args.stagingConnection ?? args.cockroachConnection),
        );
        const adminConnection = pulumi.secret(gated(target.adminConnection));
        const feedTables = gated(feedTablesInput).apply((t) => t as string[]);
        const childOpts = { parent: this };
        // The target schema (webhook path, token claim, checkpoint key), computed once.
        const targetSchema = failbackTargetSchema(target.dialect, target.database, target.schema);

        // 0. The pre-flight, read-only, before anything else: when it fails nothing is created.
        this.preflight =
            args.preflight === false
                ? undefined
                : new Preflight(
                      `${name}-preflight`,
                      preflightArgs(args, {
                          cockroachConnection,
                          stagingConnection,
                          adminConnection,
                          grantee: gated(target.grantee),
                          changefeedTables: feedTables,
                      }),
                      childOpts,
                  );
        const afterPreflight = this.preflight ? [this.preflight] : [];

        // 1. Cluster settings (kv.rangefeed.enabled, closed-timestamp tuning).
        const settingsArgs = args.clusterSettings === false ? undefined : args.clusterSettings;
        this.clusterSettings =
            args.clusterSettings === false
                ? undefined
                : new ClusterSettings(
                      `${name}-settings`,
                      { ...(settingsArgs ?? {}), connection: cockroachConnection },
                      { ...childOpts, dependsOn: afterPreflight },
                  );
        const afterSettings = this.clusterSettings ? [this.clusterSettings] : [];

        // 2. Write privileges for the replicator's user on the target.
        this.grants = new TargetGrants(
            `${name}-grants`,
            {
                connection: adminConnection,
                dialect: target.dialect,
                grantee: gated(target.grantee),
                ...(target.granteeHost !== undefined ? { granteeHost: target.granteeHost } : {}),
                schema: target.schema,
                tables: gated(target.tables),
                ...(target.privileges !== undefined ? { privileges: target.privileges } : {}),
                ...(target.defaultPrivileges !== undefined
                    ? { defaultPrivileges: target.defaultPrivileges }
                    : {}),
            },
            { ...childOpts, dependsOn: [...afterPreflight, ...afterSettings] },
        );

        // 3. The replicator. Its connections carry a dependency on the grants, so its children
        //    (the JWT key registration, the Kubernetes workload) come after them and go before
        //    them on destroy.
        const afterGrants = (value: pulumi.Input<string>): pulumi.Output<string> =>
            pulumi
                .all([
                    gated(value),
                    this.grants.id,
                    pulumi.all([...afterPreflight, ...afterSettings].map((r) => r.id)),
                ])
                .apply(([v]) => v);
        const hostArgs = replicatorHostArgs(args, targetSchema);
        this.replicator = new ReplicatorHost(
            replicatorName,
            {
                ...hostArgs,
                targetConnection: pulumi.secret(afterGrants(target.replicatorConnection)),
                stagingConnection: pulumi.secret(
                    afterGrants(args.stagingConnection ?? args.cockroachConnection),
                ),
            },
            { ...childOpts, dependsOn: [...afterPreflight, ...afterSettings, this.grants] },
        );

        // 4. Optionally wait until forward replication has drained.
        const gateArgs = args.forwardReplication && drainGateArgs(args.forwardReplication);
        this.drainGate = gateArgs
            ? new ForwardDrainGate(`${name}-drain-gate`, gateArgs, {
                  ...childOpts,
                  dependsOn: [...afterPreflight, this.replicator],
              })
            : undefined;

        // 5. Optionally hold the GC TTL of the changefeed's database: raised before the cursor
        //    is taken, restored after the changefeed is cancelled.
        this.gcTtl =
            args.gcTtl === undefined
                ? undefined
                : new GcTtl(
                      `${name}-gc-ttl`,
                      {
                          connection: cockroachConnection,
                          database: pulumi
                              .all([cockroachConnection, feedTables])
                              .apply(([url, tables]) => gcTtlDatabases(url, tables)[0]!),
                          ttl: args.gcTtl.ttl,
                          ...(args.gcTtl.tables !== undefined ? { tables: args.gcTtl.tables } : {}),
                      },
                      { ...childOpts, dependsOn: afterPreflight },
                  );

        // 6. The changefeed, last: it depends on every other child.
        this.webhookPath = webhookPathFor(targetSchema);
        const { verifyDeliverySeconds, ...feedArgs } = args.changefeed ?? {};
        this.changefeed = new Changefeed(
            `${name}-changefeed`,
            {
                ...feedArgs,
                connection: cockroachConnection,
                tables: feedTables,
                webhookUrl: this.replicator.webhookUrl,
                caCertPem: this.replicator.caCertPem,
                clientCertPem: this.replicator.clientCertPem as pulumi.Output<string>,
                clientKeyPem: this.replicator.clientKeyPem as pulumi.Output<string>,
                authToken: this.replicator.authToken as pulumi.Output<string>,
                // Proof of delivery: the replicator's checkpoint for the webhook path's schema,
                // on the staging cluster it was configured with.
                verifyDelivery:
                    verifyDeliverySeconds === false
                        ? false
                        : {
                              stagingConnection,
                              stagingSchema: args.stagingSchema,
                              targetSchema,
                              ...(verifyDeliverySeconds !== undefined
                                  ? { timeoutSeconds: verifyDeliverySeconds }
                                  : {}),
                          },
            },
            {
                ...childOpts,
                dependsOn: [
                    ...afterPreflight,
                    ...afterSettings,
                    this.grants,
                    this.replicator,
                    ...(this.drainGate ? [this.drainGate] : []),
                    ...(this.gcTtl ? [this.gcTtl] : []),
                ],
            },
        );

        this.changefeedJobId = this.changefeed.jobId;
        this.cursor = this.changefeed.cursor;
        this.webhookUrl = this.replicator.webhookUrl;
        this.granted = this.grants.granted;
        this.settingsPrevious = this.clusterSettings
            ? this.clusterSettings.previous
            : pulumi.output(undefined);

        this.registerOutputs({
            changefeedJobId: this.changefeedJobId,
            cursor: this.cursor,
            webhookUrl: this.webhookUrl,
            webhookPath: this.webhookPath,
            targetSchema,
            granted: this.granted,
            settingsPrevious: this.settingsPrevious,
        });
    }
}
