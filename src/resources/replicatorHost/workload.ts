/**
 * The Kubernetes workload of a ReplicatorHost: Secret, userscript ConfigMap, Deployment and
 * Service, built from the plain manifests with `@pulumi/kubernetes` (loaded only here).
 */
import * as pulumi from "@pulumi/pulumi";

import {
    DEFAULT_IMAGE,
    DEFAULT_ORACLE_IMAGE,
    DEFAULT_RESOURCES,
    type ReplicatorHostArgs,
} from "./args";
import type { HostContext } from "./context";
import { ORACLE_BUILD_NODE_SELECTOR } from "./dialects";
import {
    buildDeploymentManifest,
    buildSecretManifest,
    buildServiceManifest,
    labelsFor,
    secretChecksum,
    type WorkloadSpec,
} from "./manifests";
import { loadKubernetes, OPTIONAL_PACKAGES } from "./optionalPackages";
import type { TlsOutputs } from "./tls";
import { buildUserscriptConfigMap } from "./userscript";

/** Connection strings, checked. */
export interface Connections {
    target: string;
    staging: string;
}

/** The container image: `image`, else the default build for the target dialect. */
function imageFor(ctx: HostContext, args: ReplicatorHostArgs): pulumi.Input<string> {
    if (args.image !== undefined) return args.image;
    return ctx.plan.dialect.oracleBuild
        ? (args.oracleImage ?? DEFAULT_ORACLE_IMAGE)
        : DEFAULT_IMAGE;
}

/** Secret, ConfigMap (with a userscript), Deployment and Service; returns the Deployment. */
export function workload(
    ctx: HostContext,
    args: ReplicatorHostArgs,
    namespace: pulumi.Output<string>,
    material: TlsOutputs,
    connections: pulumi.Output<Connections>,
): pulumi.Resource {
    const { name, plan } = ctx;
    const neededFor = "running the replicator in Kubernetes";
    const k8s = ctx.load(loadKubernetes);
    ctx.warnIfPluginMissing(
        OPTIONAL_PACKAGES.kubernetes,
        neededFor,
        "run the replicator yourself (external: { url })",
    );
    const childOpts = ctx.child(args.provider ? { provider: args.provider } : {});
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

    const dependsOn: pulumi.Resource[] = [secret];
    const userscript = plan.userscript;
    if (userscript) {
        const manifest = namespace.apply((ns) =>
            buildUserscriptConfigMap(
                {
                    serviceName: plan.serviceName,
                    namespace: ns,
                    labels: labelsFor(plan.serviceName),
                },
                userscript.source,
            ),
        );
        dependsOn.push(
            new k8s.core.v1.ConfigMap(
                `${name}-userscript`,
                {
                    metadata: manifest.apply((m) => m.metadata),
                    data: manifest.apply((m) => m.data),
                },
                childOpts,
            ),
        );
    }

    const oracleBuild = plan.dialect.oracleBuild;
    if (oracleBuild) {
        ctx.warn(
            `an Oracle target needs the Oracle-capable replicator build (default ${DEFAULT_ORACLE_IMAGE}), ` +
                "which exists for linux/amd64 only: pods are pinned to kubernetes.io/arch=amd64 nodes. " +
                'Any other build exits with "this build does not support Oracle Database".',
        );
    }
    const spec: pulumi.Output<WorkloadSpec> = pulumi
        .all([namespace, imageFor(ctx, args), checksum])
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
            ...(oracleBuild ? { nodeSelector: { ...ORACLE_BUILD_NODE_SELECTOR } } : {}),
            ...(userscript
                ? {
                      userscript: {
                          configMapName: userscript.configMapName,
                          checksum: userscript.checksum,
                      },
                  }
                : {}),
        }));
    const deploymentManifest = spec.apply(buildDeploymentManifest);
    const deployment = new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
            metadata: deploymentManifest.apply((d) => d.metadata),
            spec: deploymentManifest.apply((d) => d.spec),
        },
        { ...childOpts, dependsOn },
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
