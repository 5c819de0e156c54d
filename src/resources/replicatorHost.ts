import * as pulumi from "@pulumi/pulumi";

import type { ReplicatorHostArgs } from "./replicatorHost/args";
import { checkReplicatorHost, type CheckedHost } from "./replicatorHost/check";
import { HostContext } from "./replicatorHost/context";
import { joinUrl } from "./replicatorHost/names";
import { hostTls } from "./replicatorHost/tls";
import {
    authTokenOf,
    checkedConnections,
    endpointsOf,
    serverNamesOf,
} from "./replicatorHost/wiring";
import { workload } from "./replicatorHost/workload";

export type {
    ReplicatorAuthArgs,
    ReplicatorExternalArgs,
    ReplicatorHostArgs,
    ReplicatorServiceType,
    ReplicatorTlsArgs,
    ReplicatorTuningArgs,
    TargetDialect,
} from "./replicatorHost/args";
export { DEFAULT_IMAGE, DEFAULT_ORACLE_IMAGE } from "./replicatorHost/args";

/** Type token of the component. */
export const REPLICATOR_HOST_TYPE = "crdb-failback:index:ReplicatorHost";

/**
 * Runs MOLT Replicator (`replicator start`) as the HTTPS webhook sink of a failback changefeed:
 * TLS material (generated with `@pulumi/tls` or brought in), JWT auth (a key registered in the
 * staging schema and a minted token), and — unless `external` — a Secret, Deployment and
 * Service in Kubernetes (plus a ConfigMap for a `userscript`). Its outputs are what a
 * `Changefeed` needs. `@pulumi/kubernetes` and `@pulumi/tls` are loaded only when needed.
 *
 * ```ts
 * const host = new ReplicatorHost("failback", {
 *     namespace: "molt",
 *     targetDialect: "postgres",
 *     targetConnection: config.requireSecret("targetConnection"), // postgres://…/molt
 *     stagingConnection: config.requireSecret("stagingConnection"),
 *     stagingSchema: "defaultdb._replicator",
 *     targetSchema: ["molt", "public"],
 * });
 * // host.webhookUrl → https://failback.molt.svc.cluster.local:30004/molt/public
 * ```
 */
export class ReplicatorHost extends pulumi.ComponentResource {
    /** `https://<host>:<port>` of the webhook (the Service's cluster DNS name, or `external.url`). */
    public readonly webhookBaseUrl: pulumi.Output<string>;
    /** The webhook path for `targetSchema` (`/<db>/<schema>` or `/<name>`). */
    public readonly webhookPath: pulumi.Output<string>;
    /** `webhookBaseUrl` + `webhookPath`: the changefeed's sink URL (without `webhook-`). */
    public readonly webhookUrl: pulumi.Output<string>;
    /** CA certificate the changefeed trusts (`ca_cert`). */
    public readonly caCertPem: pulumi.Output<string>;
    /** Client certificate for the changefeed (`client_cert`); undefined when not available. */
    public readonly clientCertPem: pulumi.Output<string | undefined>;
    /** Key of `clientCertPem` (secret). */
    public readonly clientKeyPem: pulumi.Output<string | undefined>;
    /** External mode: the server certificate to install on the external replicator. */
    public readonly serverCertPem: pulumi.Output<string | undefined>;
    /** External mode: the server key for the external replicator (secret). */
    public readonly serverKeyPem: pulumi.Output<string | undefined>;
    /** Bearer token for `webhook_auth_header` (secret); undefined when auth is disabled. */
    public readonly authToken: pulumi.Output<string | undefined>;
    /** The Kubernetes Service name; undefined in external mode. */
    public readonly serviceName: pulumi.Output<string | undefined>;
    /** Prometheus endpoint (`…:<metricsPort>/_/varz`); `external.metricsUrl` in external mode. */
    public readonly metricsUrl: pulumi.Output<string | undefined>;

    constructor(name: string, args: ReplicatorHostArgs, opts?: pulumi.ComponentResourceOptions) {
        // Component args are stored in state: keep none (they hold secrets) but the auth mode,
        // which the policy pack reads (external mode has no Deployment args to show it).
        super(REPLICATOR_HOST_TYPE, name, { authMode: args.auth?.mode ?? "jwt" }, opts);

        let checked: CheckedHost;
        try {
            checked = checkReplicatorHost(name, args);
        } catch (err) {
            throw new pulumi.ResourceError(
                `ReplicatorHost "${name}": ${(err as Error).message}`,
                this,
            );
        }
        const ctx = new HostContext(name, this, checked.plan);
        const { plan } = checked;
        const external = plan.external !== undefined;
        const namespace = pulumi.output(args.namespace ?? "default");

        const material = hostTls(ctx, args, serverNamesOf(ctx, namespace), checked.tlsChecked);
        const connections = checkedConnections(ctx, args, checked.connectionsChecked);
        const deployment = external
            ? undefined
            : workload(ctx, args, namespace, material, connections);
        const stagingConnection = pulumi.secret(connections.apply((c) => c.staging));
        const endpoints = endpointsOf(ctx, namespace);

        this.webhookBaseUrl = endpoints.webhookBaseUrl;
        this.webhookPath = pulumi.output(plan.webhookPath);
        this.webhookUrl = this.webhookUrlFor(plan.webhookPath);
        this.caCertPem = material.caCertPem;
        this.clientCertPem = material.clientCertPem;
        this.clientKeyPem = pulumi.secret(material.clientKeyPem);
        this.serverCertPem = external ? material.certPem : pulumi.output(undefined);
        this.serverKeyPem = external ? pulumi.secret(material.keyPem) : pulumi.output(undefined);
        this.authToken = authTokenOf(ctx, args, stagingConnection, deployment);
        this.serviceName = pulumi.output(external ? undefined : plan.serviceName);
        this.metricsUrl = endpoints.metricsUrl;

        this.registerOutputs({
            webhookBaseUrl: this.webhookBaseUrl,
            webhookPath: this.webhookPath,
            webhookUrl: this.webhookUrl,
            caCertPem: this.caCertPem,
            clientCertPem: this.clientCertPem,
            clientKeyPem: this.clientKeyPem,
            serverCertPem: this.serverCertPem,
            serverKeyPem: this.serverKeyPem,
            authToken: this.authToken,
            serviceName: this.serviceName,
            metricsUrl: this.metricsUrl,
        });
    }

    /** The webhook URL for another path on this replicator (e.g. a second target schema). */
    webhookUrlFor(path: pulumi.Input<string>): pulumi.Output<string> {
        return pulumi.all([this.webhookBaseUrl, path]).apply(([base, p]) => joinUrl(base, p));
    }
}
