/**
 * Shapes of the Kubernetes objects a ReplicatorHost creates, as plain data, and the checksum that
 * rolls the pods when the data they read changes. Pure.
 */
import { createHash } from "node:crypto";

export type ResourceList = Record<string, string>;
export interface ResourceRequirements {
    requests?: ResourceList;
    limits?: ResourceList;
}

export interface ObjectMeta {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface SecretManifest {
    apiVersion: "v1";
    kind: "Secret";
    metadata: ObjectMeta;
    type: "Opaque";
    stringData: Record<string, string>;
}

export interface HttpProbe {
    httpGet: { path: string; port: number; scheme: "HTTP" | "HTTPS" };
    periodSeconds: number;
    timeoutSeconds: number;
    failureThreshold: number;
}

export interface DeploymentManifest {
    apiVersion: "apps/v1";
    kind: "Deployment";
    metadata: ObjectMeta;
    spec: {
        replicas: number;
        selector: { matchLabels: Record<string, string> };
        strategy: {
            type: "RollingUpdate";
            rollingUpdate: { maxUnavailable: number; maxSurge: number };
        };
        template: {
            metadata: { labels: Record<string, string>; annotations: Record<string, string> };
            spec: {
                automountServiceAccountToken: boolean;
                enableServiceLinks: boolean;
                terminationGracePeriodSeconds: number;
                nodeSelector?: Record<string, string>;
                securityContext: {
                    runAsNonRoot: boolean;
                    runAsUser: number;
                    runAsGroup: number;
                    fsGroup: number;
                    seccompProfile: { type: "RuntimeDefault" };
                };
                containers: Array<{
                    name: string;
                    image: string;
                    imagePullPolicy: "IfNotPresent";
                    args: string[];
                    env: Array<{
                        name: string;
                        valueFrom: { secretKeyRef: { name: string; key: string } };
                    }>;
                    ports: Array<{ name: string; containerPort: number; protocol: "TCP" }>;
                    startupProbe: HttpProbe;
                    readinessProbe: HttpProbe;
                    livenessProbe: HttpProbe;
                    resources: ResourceRequirements;
                    securityContext: {
                        allowPrivilegeEscalation: boolean;
                        readOnlyRootFilesystem: boolean;
                        runAsNonRoot: boolean;
                        runAsUser: number;
                        runAsGroup: number;
                        capabilities: { drop: string[] };
                    };
                    volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
                }>;
                volumes: Array<
                    | {
                          name: string;
                          secret: {
                              secretName: string;
                              defaultMode: number;
                              items: Array<{ key: string; path: string }>;
                          };
                      }
                    | {
                          name: string;
                          configMap: {
                              name: string;
                              defaultMode: number;
                              items: Array<{ key: string; path: string }>;
                          };
                      }
                    | { name: string; emptyDir: { sizeLimit: string } }
                >;
            };
        };
    };
}

export interface ServiceManifest {
    apiVersion: "v1";
    kind: "Service";
    metadata: ObjectMeta;
    spec: {
        type: string;
        selector: Record<string, string>;
        ports: Array<{ name: string; port: number; targetPort: string; protocol: "TCP" }>;
    };
}

/** Inputs of the Deployment and Service (all plain values; no secret among them). */
export interface WorkloadSpec {
    serviceName: string;
    namespace: string;
    secretName: string;
    image: string;
    args: string[];
    port: number;
    metricsPort: number;
    replicas: number;
    serviceType: string;
    resources: ResourceRequirements;
    /** sha256 of the Secret's data ({@link secretChecksum}). */
    secretChecksum: string;
    nodeSelector?: Record<string, string>;
    /** The userscript's ConfigMap and checksum, when there is one. */
    userscript?: { configMapName: string; checksum: string };
}

/** The plaintext Secret data (certificates, key and connection strings). */
export interface SecretData {
    tlsCertPem: string;
    tlsKeyPem: string;
    caCertPem: string;
    targetConnection: string;
    stagingConnection: string;
}

/**
 * sha256 (hex) over a Secret's or ConfigMap's data, keys sorted: the pod-template annotation
 * that rolls the pods when a certificate, connection string or userscript changes (the replicator
 * reads them once, at start).
 */
export function dataChecksum(stringData: Record<string, string>): string {
    const hash = createHash("sha256");
    for (const key of Object.keys(stringData).sort()) {
        hash.update(key)
            .update("\0")
            .update(stringData[key] ?? "")
            .update("\0");
    }
    return hash.digest("hex");
}

/** {@link dataChecksum} of the Secret's `stringData`. */
export const secretChecksum = dataChecksum;
