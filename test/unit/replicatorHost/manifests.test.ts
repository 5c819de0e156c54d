import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Deployment } from "kubernetes-models/apps/v1";
import { Secret, Service } from "kubernetes-models/v1";

import { DEFAULT_IMAGE, DEFAULT_RESOURCES } from "../../../src/resources/replicatorHost/args";
import {
    buildManifests,
    secretChecksum,
    type SecretData,
    type WorkloadSpec,
} from "../../../src/resources/replicatorHost/manifests";
import { planReplicatorHost } from "../../../src/resources/replicatorHost/plan";

const TARGET = "postgres://replicator:t0p-secret@pg.example:5432/molt?sslmode=verify-full";
const STAGING = "postgresql://crdb:st4ging-secret@crdb.example:26257/defaultdb?sslmode=verify-full";

const data: SecretData = {
    tlsCertPem: "-----BEGIN CERTIFICATE-----\nSERVER\n-----END CERTIFICATE-----\n",
    tlsKeyPem: "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n",
    caCertPem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
    targetConnection: TARGET,
    stagingConnection: STAGING,
};

function spec(overrides: Partial<WorkloadSpec> = {}): Omit<WorkloadSpec, "secretChecksum"> {
    const plan = planReplicatorHost("failback", {
        targetDialect: "postgres",
        targetConnection: TARGET,
        stagingConnection: STAGING,
        stagingSchema: "defaultdb._replicator",
        targetSchema: ["molt", "public"],
        parallelism: 8,
    });
    return {
        serviceName: plan.serviceName,
        namespace: "molt",
        secretName: plan.secretName,
        image: DEFAULT_IMAGE,
        args: plan.args,
        port: plan.port,
        metricsPort: plan.metricsPort,
        replicas: plan.replicas,
        serviceType: plan.serviceType,
        resources: structuredClone(DEFAULT_RESOURCES) as WorkloadSpec["resources"],
        ...overrides,
    };
}

function validateAll(m: ReturnType<typeof buildManifests>): void {
    new Secret(m.secret as ConstructorParameters<typeof Secret>[0]).validate();
    new Deployment(m.deployment as ConstructorParameters<typeof Deployment>[0]).validate();
    new Service(m.service as ConstructorParameters<typeof Service>[0]).validate();
}

describe("ReplicatorHost manifests", () => {
    it("are valid against the Kubernetes OpenAPI schemas in every service type and dialect shape", () => {
        for (const serviceType of ["ClusterIP", "LoadBalancer", "NodePort"]) {
            validateAll(buildManifests(spec({ serviceType }), data));
        }
        validateAll(
            buildManifests(
                spec({
                    nodeSelector: { "kubernetes.io/arch": "amd64" },
                    replicas: 3,
                    resources: {},
                }),
                data,
            ),
        );
    });

    it("the validator does reject a broken manifest (the check has teeth)", () => {
        const m = buildManifests(spec(), data);
        const broken = structuredClone(m.deployment) as unknown as {
            spec: {
                template: {
                    spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> };
                };
            };
        };
        broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = "webhook";
        assert.throws(() =>
            new Deployment(broken as ConstructorParameters<typeof Deployment>[0]).validate(),
        );
    });

    it("keeps connection strings out of the pod spec: env from secretKeyRef, $(VAR) in args", () => {
        const m = buildManifests(spec(), data);
        const podSpec = JSON.stringify(m.deployment);
        for (const secret of [TARGET, STAGING, "t0p-secret", "st4ging-secret", "KEY"]) {
            assert.ok(!podSpec.includes(secret), `pod spec contains ${secret}`);
        }
        const container = m.deployment.spec.template.spec.containers[0]!;
        assert.deepEqual(container.env, [
            {
                name: "TARGET_CONN",
                valueFrom: { secretKeyRef: { name: "failback-secret", key: "TARGET_CONN" } },
            },
            {
                name: "STAGING_CONN",
                valueFrom: { secretKeyRef: { name: "failback-secret", key: "STAGING_CONN" } },
            },
        ]);
        assert.ok(container.args.includes("--targetConn=$(TARGET_CONN)"));
        assert.ok(container.args.includes("--stagingConn=$(STAGING_CONN)"));
        assert.deepEqual(m.secret.stringData, {
            "tls.crt": data.tlsCertPem,
            "tls.key": data.tlsKeyPem,
            "ca.crt": data.caCertPem,
            TARGET_CONN: TARGET,
            STAGING_CONN: STAGING,
        });
    });

    it("probes /_/healthz over HTTPS on the webhook port and over HTTP on the metrics port", () => {
        const container = buildManifests(spec(), data).deployment.spec.template.spec.containers[0]!;
        assert.deepEqual(container.startupProbe.httpGet, {
            path: "/_/healthz",
            port: 30004,
            scheme: "HTTPS",
        });
        assert.deepEqual(container.readinessProbe.httpGet, {
            path: "/_/healthz",
            port: 30004,
            scheme: "HTTPS",
        });
        assert.deepEqual(container.livenessProbe.httpGet, {
            path: "/_/healthz",
            port: 30005,
            scheme: "HTTP",
        });
        assert.ok(
            container.startupProbe.periodSeconds * container.startupProbe.failureThreshold >= 300,
        );
    });

    it("runs non-root with a read-only root filesystem and an emptyDir for --dataDir", () => {
        const pod = buildManifests(spec(), data).deployment.spec.template.spec;
        const container = pod.containers[0]!;
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.securityContext.runAsUser, 65532);
        assert.equal(pod.securityContext.runAsGroup, 65532);
        assert.deepEqual(container.securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            capabilities: { drop: ["ALL"] },
        });
        assert.ok(container.args.includes("--dataDir=/data"));
        assert.deepEqual(
            container.volumeMounts.find((v) => v.mountPath === "/data"),
            { name: "data", mountPath: "/data" },
        );
        assert.ok(pod.volumes.some((v) => v.name === "data" && "emptyDir" in v));
        assert.ok(pod.terminationGracePeriodSeconds >= 40);
        assert.equal(pod.automountServiceAccountToken, false);
    });

    it("mounts only the certificate files at /tls", () => {
        const pod = buildManifests(spec(), data).deployment.spec.template.spec;
        const tlsVolume = pod.volumes.find((v) => v.name === "tls");
        assert.deepEqual(tlsVolume, {
            name: "tls",
            secret: {
                secretName: "failback-secret",
                defaultMode: 0o440,
                items: [
                    { key: "tls.crt", path: "tls.crt" },
                    { key: "tls.key", path: "tls.key" },
                    { key: "ca.crt", path: "ca.crt" },
                ],
            },
        });
    });

    it("annotates the pods for Prometheus and with the Secret checksum", () => {
        const m = buildManifests(spec(), data);
        assert.deepEqual(m.deployment.spec.template.metadata.annotations, {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "30005",
            "prometheus.io/path": "/_/varz",
            "checksum/secret": secretChecksum(m.secret.stringData),
        });
        assert.match(secretChecksum(m.secret.stringData), /^[0-9a-f]{64}$/);
    });

    it("changes the checksum when a certificate or connection string changes", () => {
        const before = buildManifests(spec(), data).deployment.spec.template.metadata.annotations[
            "checksum/secret"
        ];
        for (const change of [
            { targetConnection: TARGET.replace("t0p-secret", "rotated") },
            { tlsCertPem: data.tlsCertPem.replace("SERVER", "RENEWED") },
            { stagingConnection: STAGING.replace("crdb.example", "crdb2.example") },
        ]) {
            const after = buildManifests(spec(), { ...data, ...change }).deployment.spec.template
                .metadata.annotations["checksum/secret"];
            assert.notEqual(after, before);
        }
        assert.equal(
            buildManifests(spec(), { ...data }).deployment.spec.template.metadata.annotations[
                "checksum/secret"
            ],
            before,
        );
    });

    it("exposes the webhook and metrics ports on the Service, selecting the pods", () => {
        const m = buildManifests(spec({ serviceType: "LoadBalancer" }), data);
        assert.deepEqual(m.service.spec, {
            type: "LoadBalancer",
            selector: {
                "app.kubernetes.io/name": "replicator",
                "app.kubernetes.io/instance": "failback",
            },
            ports: [
                { name: "webhook", port: 30004, targetPort: "webhook", protocol: "TCP" },
                { name: "metrics", port: 30005, targetPort: "metrics", protocol: "TCP" },
            ],
        });
        for (const [key, value] of Object.entries(m.service.spec.selector)) {
            assert.equal(m.deployment.spec.template.metadata.labels[key], value);
            assert.equal(m.deployment.spec.selector.matchLabels[key], value);
        }
        const ports = m.deployment.spec.template.spec.containers[0]!.ports;
        assert.deepEqual(
            ports.map((p) => p.name),
            ["webhook", "metrics"],
        );
    });
});
