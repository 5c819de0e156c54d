/**
 * The Kubernetes objects of a ReplicatorHost as plain data (inputs → objects, no Pulumi), so they
 * can be validated against the Kubernetes OpenAPI schemas in tests and fed to `@pulumi/kubernetes`
 * by the component.
 */
import { DATA_MOUNT_PATH, STAGING_CONN_ENV, TARGET_CONN_ENV, TLS_MOUNT_PATH } from "./flags";
import {
    type DeploymentManifest,
    type HttpProbe,
    secretChecksum,
    type SecretData,
    type SecretManifest,
    type ServiceManifest,
    type WorkloadSpec,
} from "./manifestTypes";
import {
    USERSCRIPT_CHECKSUM_ANNOTATION,
    USERSCRIPT_FILE,
    USERSCRIPT_MOUNT_PATH,
} from "./userscript";

export * from "./manifestTypes";

/** Keys of the Secret: certificate files (mounted) and connection strings (env only). */
export const SECRET_KEYS = {
    tlsCert: "tls.crt",
    tlsKey: "tls.key",
    caCert: "ca.crt",
    targetConn: TARGET_CONN_ENV,
    stagingConn: STAGING_CONN_ENV,
} as const;

/** Non-root identity for the pod: the image has no USER and would run as root otherwise. */
export const RUN_AS_ID = 65532;
/** Above the replicator's `--gracePeriod` (30 s) so in-flight work can finish on SIGTERM. */
export const TERMINATION_GRACE_SECONDS = 45;
export const HEALTH_PATH = "/_/healthz";
export const METRICS_PATH = "/_/varz";

/** Labels on every object; the first two select the pods. */
export function labelsFor(serviceName: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "replicator",
        "app.kubernetes.io/instance": serviceName,
        "app.kubernetes.io/component": "failback-webhook",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

function selectorFor(serviceName: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "replicator",
        "app.kubernetes.io/instance": serviceName,
    };
}

/** The Secret's `stringData`. */
export function secretStringData(data: SecretData): Record<string, string> {
    return {
        [SECRET_KEYS.tlsCert]: data.tlsCertPem,
        [SECRET_KEYS.tlsKey]: data.tlsKeyPem,
        [SECRET_KEYS.caCert]: data.caCertPem,
        [SECRET_KEYS.targetConn]: data.targetConnection,
        [SECRET_KEYS.stagingConn]: data.stagingConnection,
    };
}

export function buildSecretManifest(
    spec: Pick<WorkloadSpec, "serviceName" | "namespace" | "secretName">,
    data: SecretData,
): SecretManifest {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
            name: spec.secretName,
            namespace: spec.namespace,
            labels: labelsFor(spec.serviceName),
        },
        type: "Opaque",
        stringData: secretStringData(data),
    };
}

function healthProbe(
    port: number,
    scheme: "HTTP" | "HTTPS",
    periodSeconds: number,
    failureThreshold: number,
): HttpProbe {
    return {
        httpGet: { path: HEALTH_PATH, port, scheme },
        periodSeconds,
        timeoutSeconds: 5,
        failureThreshold,
    };
}

export function buildDeploymentManifest(spec: WorkloadSpec): DeploymentManifest {
    const labels = labelsFor(spec.serviceName);
    const secretEnv = (name: string) => ({
        name,
        valueFrom: { secretKeyRef: { name: spec.secretName, key: name } },
    });
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: spec.serviceName, namespace: spec.namespace, labels },
        spec: {
            replicas: spec.replicas,
            selector: { matchLabels: selectorFor(spec.serviceName) },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
                metadata: {
                    labels,
                    annotations: {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": String(spec.metricsPort),
                        "prometheus.io/path": METRICS_PATH,
                        "checksum/secret": spec.secretChecksum,
                        ...(spec.userscript
                            ? { [USERSCRIPT_CHECKSUM_ANNOTATION]: spec.userscript.checksum }
                            : {}),
                    },
                },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
                    ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: RUN_AS_ID,
                        runAsGroup: RUN_AS_ID,
                        fsGroup: RUN_AS_ID,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: [
                        {
                            name: "replicator",
                            image: spec.image,
                            imagePullPolicy: "IfNotPresent",
                            args: spec.args,
                            env: [
                                secretEnv(SECRET_KEYS.targetConn),
                                secretEnv(SECRET_KEYS.stagingConn),
                            ],
                            ports: [
                                { name: "webhook", containerPort: spec.port, protocol: "TCP" },
                                {
                                    name: "metrics",
                                    containerPort: spec.metricsPort,
                                    protocol: "TCP",
                                },
                            ],
                            // The replicator connects to both databases before it serves: allow
                            // up to 5 minutes (issue #902: it exits while a database is down).
                            startupProbe: healthProbe(spec.port, "HTTPS", 5, 60),
                            // /_/healthz on the webhook port pings staging and target.
                            readinessProbe: healthProbe(spec.port, "HTTPS", 10, 3),
                            // /_/healthz on the metrics port is a static OK: process liveness only.
                            livenessProbe: healthProbe(spec.metricsPort, "HTTP", 20, 3),
                            resources: spec.resources,
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                runAsNonRoot: true,
                                runAsUser: RUN_AS_ID,
                                runAsGroup: RUN_AS_ID,
                                capabilities: { drop: ["ALL"] },
                            },
                            volumeMounts: [
                                { name: "tls", mountPath: TLS_MOUNT_PATH, readOnly: true },
                                { name: "data", mountPath: DATA_MOUNT_PATH },
                                { name: "tmp", mountPath: "/tmp" },
                                ...(spec.userscript
                                    ? [
                                          {
                                              name: "userscript",
                                              mountPath: USERSCRIPT_MOUNT_PATH,
                                              readOnly: true,
                                          },
                                      ]
                                    : []),
                            ],
                        },
                    ],
                    volumes: [
                        {
                            name: "tls",
                            secret: {
                                secretName: spec.secretName,
                                // Group-readable for fsGroup; the connection strings are not mounted.
                                defaultMode: 0o440,
                                items: [
                                    { key: SECRET_KEYS.tlsCert, path: SECRET_KEYS.tlsCert },
                                    { key: SECRET_KEYS.tlsKey, path: SECRET_KEYS.tlsKey },
                                    { key: SECRET_KEYS.caCert, path: SECRET_KEYS.caCert },
                                ],
                            },
                        },
                        { name: "data", emptyDir: { sizeLimit: "1Gi" } },
                        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                        ...(spec.userscript
                            ? [
                                  {
                                      name: "userscript",
                                      configMap: {
                                          name: spec.userscript.configMapName,
                                          defaultMode: 0o440,
                                          items: [{ key: USERSCRIPT_FILE, path: USERSCRIPT_FILE }],
                                      },
                                  },
                              ]
                            : []),
                    ],
                },
            },
        },
    };
}

export function buildServiceManifest(spec: WorkloadSpec): ServiceManifest {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: spec.serviceName,
            namespace: spec.namespace,
            labels: labelsFor(spec.serviceName),
        },
        spec: {
            type: spec.serviceType,
            selector: selectorFor(spec.serviceName),
            ports: [
                { name: "webhook", port: spec.port, targetPort: "webhook", protocol: "TCP" },
                { name: "metrics", port: spec.metricsPort, targetPort: "metrics", protocol: "TCP" },
            ],
        },
    };
}

/** All three objects at once (what tests validate). */
export function buildManifests(
    spec: Omit<WorkloadSpec, "secretChecksum">,
    data: SecretData,
): { secret: SecretManifest; deployment: DeploymentManifest; service: ServiceManifest } {
    const secret = buildSecretManifest(spec, data);
    const workload = { ...spec, secretChecksum: secretChecksum(secret.stringData) };
    return {
        secret,
        deployment: buildDeploymentManifest(workload),
        service: buildServiceManifest(workload),
    };
}
