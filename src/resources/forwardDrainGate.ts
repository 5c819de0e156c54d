import * as pulumi from "@pulumi/pulumi";

import { forwardDrainGateProvider } from "../providers/forwardDrainGate";

/** Arguments of {@link ForwardDrainGate}. */
export interface ForwardDrainGateArgs {
    /**
     * The FORWARD replicator's Prometheus endpoint (its `--metricsAddr`), e.g.
     * `http://replicator-forward:30005/_/varz`; a URL without a path gets `/_/varz`. http or
     * https (https must be trusted by Node's CA store or `NODE_EXTRA_CA_CERTS`); no user name
     * or password. Required unless `drained` is true (then, when given, it is only read to
     * warn if the forward replicator still runs). Changing it is an update that records the
     * new URL: it does not wait again and does not replace the resource.
     */
    metricsUrl?: pulumi.Input<string>;
    /**
     * Watch only the counters whose `schema` label is this target schema of forward
     * replication, as the replicator labels it: the raw dotted name such as `defaultdb.public`
     * (compared case-insensitively, quotes ignored). Default: the sum over every schema. When
     * no counter carries it (a typo, or nothing applied there yet) there is nothing to measure:
     * `create` fails naming the schemas that do have counters, never passes. Changing it is an
     * update with no new wait.
     */
    schema?: pulumi.Input<string>;
    /**
     * Seconds `apply_upserts_total` + `apply_deletes_total` must stay unchanged before the
     * gate passes. Default 60. Must be less than `timeoutSeconds`. Changing it is an update
     * with no new wait.
     */
    quietPeriodSeconds?: pulumi.Input<number>;
    /**
     * Seconds `create` waits for the quiet period before it fails with the rates it last saw
     * and what to do. Default 900, at most 86400. Changing it is an update with no new wait.
     */
    timeoutSeconds?: pulumi.Input<number>;
    /**
     * Seconds between two scrapes of `metricsUrl` (each scrape times out after at most 10 s).
     * Default 5. Changing it is an update with no new wait.
     */
    pollIntervalSeconds?: pulumi.Input<number>;
    /**
     * Operator acknowledgement: forward replication was verified drained by hand, so `create`
     * does not wait. It still reads `metricsUrl` once to warn if the forward replicator is still
     * running; an endpoint that does not answer is then expected (it was stopped) and never an
     * error. Default false. Changing it is an update with no new wait.
     */
    drained?: pulumi.Input<boolean>;
}

/**
 * The runbook step before failback: wait for forward replication (source → CockroachDB) to
 * drain, then stop it (docs/replicator-behaviour.md, "Metrics"). `create` polls the forward
 * replicator's `/_/varz` until `apply_upserts_total` + `apply_deletes_total` have not moved for
 * `quietPeriodSeconds`, logging progress every few seconds, and fails after `timeoutSeconds`
 * with the rates it saw; an endpoint without those counters is an error, not a drain. Afterwards it
 * warns when the forward replicator still answers (stop it before failback starts). Make the
 * failback changefeed depend on this resource.
 *
 * The gate passes once: later input changes are recorded without waiting again; replace the
 * resource (`pulumi up --replace <urn>`) to run it again. Nothing is created anywhere, so read
 * and delete do nothing.
 *
 * ```ts
 * const drained = new ForwardDrainGate("forward-drained", {
 *     metricsUrl: "http://replicator-forward:30005/_/varz",
 *     schema: "defaultdb.public",
 * });
 * ```
 */
export class ForwardDrainGate extends pulumi.dynamic.Resource {
    /** When the gate passed (ISO 8601): quiet period confirmed, or acknowledgement recorded. */
    declare public readonly drainedAt: pulumi.Output<string>;
    /** When the final counter values were first seen (ISO 8601); absent when acknowledged. */
    declare public readonly quietSince: pulumi.Output<string | undefined>;
    /** The last counters read (watched schemas); absent when never read. */
    declare public readonly lastCounters: pulumi.Output<
        { upserts: number; deletes: number } | undefined
    >;
    /** Whether the forward replicator's endpoint still answered at the end of create. */
    declare public readonly endpointAnswering: pulumi.Output<boolean>;
    /** True when the gate passed on `drained: true` without waiting. */
    declare public readonly acknowledged: pulumi.Output<boolean>;
    /** The warnings create logged (e.g. the forward replicator still running). */
    declare public readonly warnings: pulumi.Output<string[]>;
    /** Version of the state shape written by the provider. */
    declare public readonly stateVersion: pulumi.Output<number>;

    constructor(name: string, args: ForwardDrainGateArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            forwardDrainGateProvider,
            name,
            {
                metricsUrl: args.metricsUrl,
                schema: args.schema,
                quietPeriodSeconds: args.quietPeriodSeconds,
                timeoutSeconds: args.timeoutSeconds,
                pollIntervalSeconds: args.pollIntervalSeconds,
                drained: args.drained,
                drainedAt: undefined,
                quietSince: undefined,
                lastCounters: undefined,
                endpointAnswering: undefined,
                acknowledged: undefined,
                warnings: undefined,
                stateVersion: undefined,
            },
            opts,
            "crdb-failback",
            "ForwardDrainGate",
        );
    }
}
