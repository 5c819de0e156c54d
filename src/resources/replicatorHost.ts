import type * as k8sTypes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type * as tlsTypes from "@pulumi/tls";

import { hoursUntilExpiry, parseCertificate } from "../tls/pem";
import { validateTlsMaterial } from "../tls/material";
import { ReplicatorAuthKey } from "./replicatorAuthKey";
import {
    DEFAULT_IMAGE,
    DEFAULT_ORACLE_IMAGE,
    DEFAULT_RESOURCES,
    type ReplicatorHostArgs,
    type ReplicatorTlsArgs,
} from "./replicatorHost/args";
import {
    buildDeploymentManifest,
    buildSecretManifest,
    buildServiceManifest,
    METRICS_PATH,
    secretChecksum,
    type WorkloadSpec,
} from "./replicatorHost/manifests";
import { joinUrl, serviceDnsNames, splitHostnames } from "./replicatorHost/names";
import { missingPluginWarning } from "./replicatorHost/plugins";
import {
    connectionProblems,
    planReplicatorHost,
    type ReplicatorHostPlan,
} from "./replicatorHost/plan";
import {
    CA_ALLOWED_USES,
    caCommonName,
    CLIENT_ALLOWED_USES,
    CLIENT_COMMON_NAME,
    ECDSA_CURVE,
    KEY_ALGORITHM,
    SERVER_ALLOWED_USES,
    SUBJECT_ORGANIZATION,
} from "./replicatorHost/tlsSpec";

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

/** The TLS material the component works with, wherever it came from. */
interface TlsOutputs {
    caCertPem: pulumi.Output<string>;
    certPem: pulumi.Output<string>;
    keyPem: pulumi.Output<string>;
    clientCertPem: pulumi.Output<string | undefined>;
    clientKeyPem: pulumi.Output<string | undefined>;
}

/**
 * Runs MOLT Replicator (`replicator start`) as the HTTPS webhook sink of a failback changefeed:
 * TLS material (generated with `@pulumi/tls` or brought in), JWT auth (a key registered in the
 * staging schema and a minted token), and — unless `external` — a Secret, Deployment and
 * Service in Kubernetes. Its outputs are what a `Changefeed` needs.
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

        let plan: ReplicatorHostPlan;
        try {
            plan = planReplicatorHost(name, args);
        } catch (err) {
            throw new pulumi.ResourceError(
                `ReplicatorHost "${name}": ${(err as Error).message}`,
                this,
            );
        }
        const external = plan.external;
        const namespace = pulumi.output(args.namespace ?? "default");
        const early = earlyProblems(args, plan);
        if (early.length > 0) {
            throw new pulumi.ResourceError(`ReplicatorHost "${name}": ${early.join("; ")}`, this);
        }

        const serverNames: pulumi.Output<string[]> = (
            external
                ? pulumi.output([external.host])
                : namespace.apply((ns) => serviceDnsNames(plan.serviceName, ns, plan.clusterDomain))
        ).apply((names) => [...new Set([...names, ...plan.hostnames])]);

        const material = args.tls
            ? this.broughtInTls(name, args.tls, serverNames, plan)
            : this.generatedTls(name, serverNames, plan);

        const connections = pulumi
            .all([pulumi.secret(args.targetConnection), pulumi.secret(args.stagingConnection)])
            .apply(([target, staging]) => {
                const problems = connectionProblems(plan, external ? undefined : target, staging);
                if (problems.length > 0) {
                    throw new pulumi.ResourceError(
                        `ReplicatorHost "${name}": ${problems.join("; ")}`,
                        this,
                    );
                }
                return { target: target ?? "", staging };
            });
        const stagingConnection = pulumi.secret(connections.apply((c) => c.staging));

        let deployment: pulumi.Resource | undefined;
        if (!external) {
            deployment = this.workload(name, args, plan, namespace, material, connections);
        }

        let authToken: pulumi.Output<string | undefined>;
        if (plan.authMode === "jwt") {
            const authKey = new ReplicatorAuthKey(
                `${name}-auth-key`,
                {
                    stagingConnection,
                    stagingSchema: args.stagingSchema,
                    privateKeyPem: this.jwtPrivateKey(name, args),
                    schemas: [plan.targetSchema],
                    waitForTableSeconds: args.auth?.waitForTableSeconds,
                },
                // The replicator creates jwt_public_keys when it starts.
                { parent: this, ...(deployment ? { dependsOn: [deployment] } : {}) },
            );
            authToken = pulumi.secret(authKey.token);
        } else {
            pulumi.log.warn(
                `ReplicatorHost "${name}": authentication is disabled (--disableAuthentication): ` +
                    "any caller that reaches the webhook can write to any target schema",
                this,
            );
            authToken = pulumi.output(undefined);
        }

        this.webhookBaseUrl = external
            ? pulumi.output(external.origin)
            : namespace.apply(
                  (ns) =>
                      `https://${plan.serviceName}.${ns}.svc.${plan.clusterDomain}:${plan.port}`,
              );
        this.webhookPath = pulumi.output(plan.webhookPath);
        this.webhookUrl = this.webhookUrlFor(plan.webhookPath);
        this.caCertPem = material.caCertPem;
        this.clientCertPem = material.clientCertPem;
        this.clientKeyPem = pulumi.secret(material.clientKeyPem);
        this.serverCertPem = external ? material.certPem : pulumi.output(undefined);
        this.serverKeyPem = external ? pulumi.secret(material.keyPem) : pulumi.output(undefined);
        this.authToken = authToken;
        this.serviceName = pulumi.output(external ? undefined : plan.serviceName);
        this.metricsUrl = external
            ? pulumi.output(external.metricsUrl)
            : namespace.apply(
                  (ns) =>
                      `http://${plan.serviceName}.${ns}.svc.${plan.clusterDomain}:${plan.metricsPort}${METRICS_PATH}`,
              );

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

    /** Names the install command when a plugin the engine will need is missing (see plugins.ts). */
    private warnIfPluginMissing(
        name: string,
        sdkPackage: string,
        neededFor: string,
        avoidWith: string,
    ): void {
        const warning = missingPluginWarning(sdkPackage, neededFor, avoidWith);
        if (warning) void pulumi.log.warn(`ReplicatorHost "${name}": ${warning}`, this);
    }

    /** Brought-in PEMs, validated offline; every output waits for the validation. */
    private broughtInTls(
        name: string,
        tlsArgs: ReplicatorTlsArgs,
        serverNames: pulumi.Output<string[]>,
        plan: ReplicatorHostPlan,
    ): TlsOutputs {
        const validated = pulumi
            .all([
                tlsArgs.caCertPem,
                tlsArgs.certPem,
                pulumi.secret(tlsArgs.keyPem),
                tlsArgs.clientCertPem,
                pulumi.secret(tlsArgs.clientKeyPem),
                serverNames,
            ])
            .apply(([caCertPem, certPem, keyPem, clientCertPem, clientKeyPem, names]) => {
                const problems = validateTlsMaterial(
                    { caCertPem, certPem, keyPem, clientCertPem, clientKeyPem },
                    names,
                );
                if (problems.length > 0) {
                    throw new pulumi.ResourceError(
                        `ReplicatorHost "${name}": invalid tls: ${problems.join("; ")}`,
                        this,
                    );
                }
                const cert = parseCertificate(certPem);
                if (cert && hoursUntilExpiry(cert, new Date()) < plan.tlsEarlyRenewalHours) {
                    void pulumi.log.warn(
                        `ReplicatorHost "${name}": tls.certPem expires on ${new Date(cert.validTo).toISOString()}; ` +
                            "renew it (the pods restart when it changes)",
                        this,
                    );
                }
                return { caCertPem, certPem, keyPem, clientCertPem, clientKeyPem };
            });
        // Certificates are public; only the keys stay secret.
        return {
            caCertPem: pulumi.unsecret(validated.apply((v) => v.caCertPem)),
            certPem: pulumi.unsecret(validated.apply((v) => v.certPem)),
            keyPem: pulumi.secret(validated.apply((v) => v.keyPem)),
            clientCertPem: pulumi.unsecret(validated.apply((v) => v.clientCertPem)),
            clientKeyPem: pulumi.secret(validated.apply((v) => v.clientKeyPem)),
        };
    }

    /** A CA, a server certificate for `serverNames` and a client certificate, from @pulumi/tls. */
    private generatedTls(
        name: string,
        serverNames: pulumi.Output<string[]>,
        plan: ReplicatorHostPlan,
    ): TlsOutputs {
        this.warnIfPluginMissing(
            name,
            "@pulumi/tls",
            "generating TLS material",
            "bring your own TLS (tls: { caCertPem, certPem, keyPem })",
        );
        const tls: typeof tlsTypes = require("@pulumi/tls");
        const child = { parent: this };
        const newKey = (keyName: string) =>
            new tls.PrivateKey(
                keyName,
                { algorithm: KEY_ALGORITHM, ecdsaCurve: ECDSA_CURVE },
                child,
            );

        const caKey = newKey(`${name}-ca-key`);
        const ca = new tls.SelfSignedCert(
            `${name}-ca`,
            {
                privateKeyPem: caKey.privateKeyPem,
                isCaCertificate: true,
                allowedUses: [...CA_ALLOWED_USES],
                validityPeriodHours: plan.tlsCaValidityHours,
                earlyRenewalHours: plan.tlsEarlyRenewalHours,
                subject: {
                    commonName: caCommonName(plan.serviceName),
                    organization: SUBJECT_ORGANIZATION,
                },
            },
            child,
        );
        const signed = (
            prefix: string,
            request: tlsTypes.CertRequestArgs,
            allowedUses: readonly string[],
        ) => {
            const key = newKey(`${prefix}-key`);
            const csr = new tls.CertRequest(
                `${prefix}-csr`,
                { ...request, privateKeyPem: key.privateKeyPem },
                child,
            );
            const cert = new tls.LocallySignedCert(
                `${prefix}-cert`,
                {
                    certRequestPem: csr.certRequestPem,
                    caPrivateKeyPem: caKey.privateKeyPem,
                    caCertPem: ca.certPem,
                    allowedUses: [...allowedUses],
                    validityPeriodHours: plan.tlsValidityHours,
                    earlyRenewalHours: plan.tlsEarlyRenewalHours,
                },
                child,
            );
            return { key, cert };
        };
        const server = signed(
            `${name}-server`,
            {
                dnsNames: serverNames.apply((names) => splitHostnames(names).dns),
                ipAddresses: serverNames.apply((names) => splitHostnames(names).ip),
                subject: { commonName: plan.serviceName, organization: SUBJECT_ORGANIZATION },
            },
            SERVER_ALLOWED_USES,
        );
        const client = signed(
            `${name}-client`,
            { subject: { commonName: CLIENT_COMMON_NAME, organization: SUBJECT_ORGANIZATION } },
            CLIENT_ALLOWED_USES,
        );
        return {
            caCertPem: ca.certPem,
            certPem: server.cert.certPem,
            keyPem: pulumi.secret(server.key.privateKeyPem),
            clientCertPem: client.cert.certPem,
            clientKeyPem: pulumi.secret(client.key.privateKeyPem),
        };
    }

    /** The JWT signing key: brought in, or an ECDSA P-256 key from @pulumi/tls. */
    private jwtPrivateKey(name: string, args: ReplicatorHostArgs): pulumi.Output<string> {
        if (args.auth?.privateKeyPem !== undefined) return pulumi.secret(args.auth.privateKeyPem);
        this.warnIfPluginMissing(
            name,
            "@pulumi/tls",
            "generating the JWT signing key",
            "bring your own key (auth.privateKeyPem)",
        );
        const tls: typeof tlsTypes = require("@pulumi/tls");
        const key = new tls.PrivateKey(
            `${name}-jwt-key`,
            { algorithm: KEY_ALGORITHM, ecdsaCurve: ECDSA_CURVE },
            { parent: this },
        );
        return pulumi.secret(key.privateKeyPem);
    }

    /** Secret, Deployment and Service; returns the Deployment. */
    private workload(
        name: string,
        args: ReplicatorHostArgs,
        plan: ReplicatorHostPlan,
        namespace: pulumi.Output<string>,
        material: TlsOutputs,
        connections: pulumi.Output<{ target: string; staging: string }>,
    ): pulumi.Resource {
        this.warnIfPluginMissing(
            name,
            "@pulumi/kubernetes",
            "running the replicator in Kubernetes",
            "run the replicator yourself (external: { url })",
        );
        const k8s: typeof k8sTypes = require("@pulumi/kubernetes");
        const childOpts: pulumi.CustomResourceOptions = {
            parent: this,
            ...(args.provider ? { provider: args.provider } : {}),
        };
        const names = { serviceName: plan.serviceName, secretName: plan.secretName };

        const secretManifest = pulumi
            .all([namespace, material.certPem, material.keyPem, material.caCertPem, connections])
            .apply(([ns, tlsCertPem, tlsKeyPem, caCertPem, conns]) =>
                buildSecretManifest(
                    { ...names, namespace: ns },
                    {
                        tlsCertPem,
                        tlsKeyPem,
                        caCertPem,
                        targetConnection: conns.target,
                        stagingConnection: conns.staging,
                    },
                ),
            );
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: pulumi.unsecret(secretManifest.apply((s) => s.metadata)),
                type: "Opaque",
                stringData: pulumi.secret(secretManifest.apply((s) => s.stringData)),
            },
            childOpts,
        );
        // A hash of the Secret is not a secret; it only has to change when the Secret does.
        const checksum = pulumi.unsecret(secretManifest.apply((s) => secretChecksum(s.stringData)));

        const oracle = plan.targetDialect === "oracle";
        const image =
            args.image ?? (oracle ? (args.oracleImage ?? DEFAULT_ORACLE_IMAGE) : DEFAULT_IMAGE);
        if (oracle) {
            void pulumi.log.warn(
                `ReplicatorHost "${name}": an Oracle target needs the Oracle-capable replicator build ` +
                    `(default ${DEFAULT_ORACLE_IMAGE}), which exists for linux/amd64 only: pods are pinned ` +
                    "to kubernetes.io/arch=amd64 nodes. Any other build exits with " +
                    '"this build does not support Oracle Database".',
                this,
            );
        }
        const spec: pulumi.Output<WorkloadSpec> = pulumi
            .all([namespace, image, checksum])
            .apply(([ns, img, sum]) => ({
                ...names,
                namespace: ns,
                image: img,
                args: plan.args,
                port: plan.port,
                metricsPort: plan.metricsPort,
                replicas: plan.replicas,
                serviceType: plan.serviceType,
                resources: args.resources ?? structuredClone(DEFAULT_RESOURCES),
                secretChecksum: sum,
                ...(oracle ? { nodeSelector: { "kubernetes.io/arch": "amd64" } } : {}),
            }));
        const deploymentManifest = spec.apply(buildDeploymentManifest);
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: deploymentManifest.apply((d) => d.metadata),
                spec: deploymentManifest.apply((d) => d.spec),
            },
            { ...childOpts, dependsOn: [secret] },
        );
        const serviceManifest = spec.apply(buildServiceManifest);
        new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: serviceManifest.apply((s) => s.metadata),
                spec: serviceManifest.apply((s) => s.spec),
            },
            childOpts,
        );
        return deployment;
    }
}

/** A plain string input (not an Output or a promise), else undefined. */
function known(input: pulumi.Input<string> | undefined): string | undefined {
    return typeof input === "string" ? input : undefined;
}

/**
 * The checks that can run at construction because their inputs are plain strings: connection
 * strings and brought-in TLS material (with its required names). Inputs that are Outputs are
 * checked the same way when they resolve.
 */
function earlyProblems(args: ReplicatorHostArgs, plan: ReplicatorHostPlan): string[] {
    const problems: string[] = [];
    const staging = known(args.stagingConnection);
    const target = known(args.targetConnection);
    if (staging !== undefined && (plan.external || target !== undefined)) {
        problems.push(...connectionProblems(plan, plan.external ? undefined : target, staging));
    }
    const tlsArgs = args.tls;
    const namespace = known(args.namespace ?? "default");
    if (tlsArgs && (plan.external || namespace !== undefined)) {
        const material = {
            caCertPem: known(tlsArgs.caCertPem),
            certPem: known(tlsArgs.certPem),
            keyPem: known(tlsArgs.keyPem),
            clientCertPem: known(tlsArgs.clientCertPem),
            clientKeyPem: known(tlsArgs.clientKeyPem),
        };
        const clientKnown =
            (tlsArgs.clientCertPem === undefined || material.clientCertPem !== undefined) &&
            (tlsArgs.clientKeyPem === undefined || material.clientKeyPem !== undefined);
        if (
            material.caCertPem !== undefined &&
            material.certPem !== undefined &&
            material.keyPem !== undefined &&
            clientKnown
        ) {
            const names = plan.external
                ? [plan.external.host]
                : serviceDnsNames(plan.serviceName, namespace!, plan.clusterDomain);
            const problemsFound = validateTlsMaterial(
                {
                    caCertPem: material.caCertPem,
                    certPem: material.certPem,
                    keyPem: material.keyPem,
                    clientCertPem: material.clientCertPem,
                    clientKeyPem: material.clientKeyPem,
                },
                [...new Set([...names, ...plan.hostnames])],
            );
            if (problemsFound.length > 0) problems.push(`invalid tls: ${problemsFound.join("; ")}`);
        }
    }
    return problems;
}
