import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** Target databases the replicator can write to. */
export type TargetDialect = "postgres" | "mysql" | "oracle";

/** Kubernetes Service types the webhook can be exposed with. */
export type ReplicatorServiceType = "ClusterIP" | "LoadBalancer" | "NodePort";

/**
 * The replicator image this package is tested against: `cockroachdb/replicator:v1.3.0`, the
 * newest release named in the MOLT changelog (2026-01-22) and the first whose documented `start`
 * flags include everything this component passes (`--dataDir`, the failback tuning flags). A
 * newer tag may add or rename flags: check `replicator start --help` before changing it.
 */
export const DEFAULT_IMAGE = "cockroachdb/replicator:v1.3.0";

/**
 * The Oracle-capable build of {@link DEFAULT_IMAGE} (cgo, Oracle Instant Client, linux/amd64
 * only). The tag follows the `oracle-` prefix of the replicator's image workflow; verify it on
 * Docker Hub for your registry mirror and override `oracleImage` if it differs.
 */
export const DEFAULT_ORACLE_IMAGE = "cockroachdb/replicator:oracle-v1.3.0";

/** Container defaults (requests sized for a modest failback; override with `resources`). */
export const DEFAULT_RESOURCES = {
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { cpu: "2", memory: "1Gi" },
} as const;

/** Bring-your-own TLS material (PEM strings; all secret). */
export interface ReplicatorTlsArgs {
    /** CA certificate the changefeed trusts (`ca_cert`); must have signed `certPem`. */
    caCertPem: pulumi.Input<string>;
    /**
     * Server certificate for the webhook. Its subjectAltName must cover the Service DNS names
     * (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.<clusterDomain>`) and every
     * entry of `hostnames` — or, in `external` mode, the host of `external.url`.
     */
    certPem: pulumi.Input<string>;
    /** Private key of `certPem`. Secret. */
    keyPem: pulumi.Input<string>;
    /**
     * Client certificate the changefeed presents (`client_cert`). Optional: the replicator does
     * not verify client certificates, so without it the
     * `clientCertPem`/`clientKeyPem` outputs are undefined. Give it with `clientKeyPem`.
     */
    clientCertPem?: pulumi.Input<string>;
    /** Private key of `clientCertPem`. Secret. */
    clientKeyPem?: pulumi.Input<string>;
}

/** How the changefeed authenticates to the replicator. */
export interface ReplicatorAuthArgs {
    /**
     * `"jwt"` (default): register a public key in `<stagingSchema>.jwt_public_keys` and mint a
     * token (output `authToken`). `"disabled"`: pass `--disableAuthentication` — any caller that
     * reaches the webhook may write to any target schema; a warning is logged.
     */
    mode?: "jwt" | "disabled";
    /**
     * PEM private key that signs the token (EC P-256 recommended). Default: an ECDSA P-256
     * `tls.PrivateKey` created by this component. Secret. Changing it mints a new token.
     */
    privateKeyPem?: pulumi.Input<string>;
    /**
     * Seconds to wait for the replicator to create `jwt_public_keys` when the key is
     * registered. Default 300.
     */
    waitForTableSeconds?: number;
}

/** A replicator that runs outside this Kubernetes cluster (a VM, another cluster). */
export interface ReplicatorExternalArgs {
    /**
     * Base URL of its webhook, `https://host:port` (a path is ignored; use `webhookUrlFor`). The
     * server certificate must cover `host`.
     */
    url: string;
    /** Its metrics endpoint (`http://host:port/_/varz`), reported as `metricsUrl`. Optional. */
    metricsUrl?: string;
}

/**
 * `replicator start` tuning flags. Each is passed only when set;
 * unset means the replicator's own default. Durations are Go durations (`500ms`, `1m30s`).
 * Changing any of them rolls the Deployment.
 */
export interface ReplicatorTuningArgs {
    /** `--parallelism`: concurrent target transactions (replicator default 16). */
    parallelism?: number;
    /** `--flushSize`: ideal batch size before a flush (default 1000). */
    flushSize?: number;
    /** `--flushPeriod`: flush queued mutations after this long (default `1s`). */
    flushPeriod?: string;
    /** `--quiescentPeriod`: retry interval for deferred mutations (default `10s`). */
    quiescentPeriod?: string;
    /** `--scanSize`: rows read from staging per query (default 10000). */
    scanSize?: number;
    /** `--targetMaxPoolSize` (default 128). Keep `parallelism` below it. */
    targetMaxPoolSize?: number;
    /** `--stagingMaxPoolSize` (default 128). */
    stagingMaxPoolSize?: number;
    /** `--applyTimeout`: maximum time for one target apply (default `30s`). */
    applyTimeout?: string;
    /**
     * `--bestEffortWindow`: switch to best-effort mode while further behind than this; `0`
     * disables. Defaults differ between versions (docs vs changelog), so set it explicitly.
     */
    bestEffortWindow?: string;
    /** `--bestEffortOnly`: always best-effort (FK groups stay coherent). */
    bestEffortOnly?: boolean;
    /** `--immediate`: bypass staging (KV-style schemas without foreign keys only). */
    immediate?: boolean;
    /** `--retireOffset`: delay before applied mutations leave staging (default `24h`). */
    retireOffset?: string;
    /** `--timestampLimit`: source timestamps merged into one target transaction (default 1000). */
    timestampLimit?: number;
    /** `--httpResponseTimeout`: upper bound for one webhook request (default `2m`). */
    httpResponseTimeout?: string;
    /** `--ndjsonBufferSize`: maximum bytes of one line (default 65536). */
    ndjsonBufferSize?: number;
    /** `--assumeIdempotent`: skip redelivery de-duplication. */
    assumeIdempotent?: boolean;
    /** `-v` (1, debug) or `-vv` (2, trace); 0 or unset for info. */
    verbosity?: 0 | 1 | 2;
    /** `--logFormat`: `text` (replicator default) or `fluent` (structured JSON). */
    logFormat?: "text" | "fluent";
}

/**
 * Arguments of {@link ReplicatorHost}. Changing anything that ends up in the pod (image, flags,
 * connection strings, certificates, userscript) rolls the Deployment; nothing here replaces the
 * component.
 */
export interface ReplicatorHostArgs extends ReplicatorTuningArgs {
    /**
     * Kubernetes namespace of the Secret, Deployment and Service (must exist). Default
     * `default`. Also part of the Service DNS names in the server certificate. Ignored in
     * `external` mode.
     */
    namespace?: pulumi.Input<string>;
    /**
     * Connection URL of the failback target for `--targetConn`: `postgres://…/<db>`,
     * `mysql://user:pass@host:3306/<db>` or `oracle://user:pass@host:1521/<service>`; its scheme
     * must match `targetDialect`. Secret (wrapped in `pulumi.secret()`), passed to the pod only
     * through the Secret. Required unless `external` is set (then unused).
     */
    targetConnection?: pulumi.Input<string>;
    /**
     * CockroachDB SQL URL of the staging cluster (`--stagingConn`; the replicator refuses any
     * other product). Secret. Also used to register the JWT key.
     */
    stagingConnection: pulumi.Input<string>;
    /**
     * Required, no default: the staging schema forward replication used, so failback resumes
     * from the same checkpoints (`defaultdb._replicator` in current docs; a one-part
     * `_replicator` means `_replicator.public`). `--stagingSchema`.
     */
    stagingSchema: string;
    /** `--stagingCreateSchema`: create the staging database/schema if missing. Default false. */
    stagingCreateSchema?: boolean;
    /** Dialect of the target: `"postgres"`, `"mysql"` or `"oracle"`. */
    targetDialect: TargetDialect;
    /**
     * The target schema the changefeed writes to, as the webhook path names it: `[db, schema]`
     * for PostgreSQL (`db` must be the database of `targetConnection`), `[database]` for MySQL,
     * `[SCHEMA]` for Oracle. It is the schema claim of the JWT and gives the `webhookPath` and
     * `webhookUrl` outputs. Changing it mints a new token.
     */
    targetSchema: readonly string[];
    /**
     * Extra DNS names (or IP addresses) the generated server certificate covers, e.g. a
     * LoadBalancer's DNS name; with bring-your-own TLS they must be covered by `tls.certPem`.
     */
    hostnames?: readonly string[];
    /** Bring-your-own TLS: skips `@pulumi/tls` entirely. Default: a generated CA and certificates. */
    tls?: ReplicatorTlsArgs;
    /** Validity of the generated server and client certificates in hours. Default 8760 (1 year). */
    tlsValidityHours?: number;
    /** Validity of the generated CA in hours. Default 87600 (10 years). */
    tlsCaValidityHours?: number;
    /**
     * Hours before expiry at which `pulumi up` renews a generated certificate (the pods restart
     * with it). Default 720 (30 days). With bring-your-own TLS a warning is logged instead.
     */
    tlsEarlyRenewalHours?: number;
    /** Authentication of the changefeed. Default `{ mode: "jwt" }`. */
    auth?: ReplicatorAuthArgs;
    /**
     * Container image. Default {@link DEFAULT_IMAGE}, or `oracleImage` for an Oracle target.
     * The image's entrypoint must be the `replicator` binary.
     */
    image?: pulumi.Input<string>;
    /**
     * Image used for an Oracle target when `image` is not set. Default
     * {@link DEFAULT_ORACLE_IMAGE}. The Oracle build is linux/amd64 only, so pods for an Oracle
     * target are pinned to `kubernetes.io/arch: amd64` nodes.
     */
    oracleImage?: pulumi.Input<string>;
    /** Webhook (HTTPS) port: `--bindAddr` and the Service port. Default 30004. */
    port?: number;
    /** Metrics (plain HTTP) port: `--metricsAddr` and the Service port. Default 30005. */
    metricsPort?: number;
    /**
     * Source text of a MOLT Replicator userscript (TypeScript or JavaScript that filters or maps
     * rows; `replicator userscript --api` prints its API), e.g.
     * `fs.readFileSync("failback.ts", "utf8")`. Default: none. It is stored in a ConfigMap
     * (`<serviceName>-userscript`, plain text: keep secrets out of it), mounted read-only and
     * passed as `--userscript`; changing it restarts the pods (a checksum annotation on the pod
     * template). One file: relative imports of other files are not shipped. Not allowed with
     * `external` (that replicator takes `--userscript` from whoever runs it). At most 1,000,000
     * bytes.
     */
    userscript?: string;
    /** Extra `replicator start` arguments, appended after every other flag. */
    extraArgs?: readonly string[];
    /** Deployment replicas. Default 1 (replicas share the staging schema through leases). */
    replicas?: number;
    /**
     * Container resources (`{ requests?: {cpu, memory}, limits?: {…} }`, Kubernetes quantities).
     * Default {@link DEFAULT_RESOURCES}.
     */
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    /** Service type. Default `ClusterIP`. */
    serviceType?: ReplicatorServiceType;
    /**
     * Name of the Service (and Deployment); its DNS names go into the certificate. Default: the
     * component name, lower-cased with other characters turned into `-`.
     */
    serviceName?: string;
    /** Cluster DNS domain for the fully qualified Service name. Default `cluster.local`. */
    clusterDomain?: string;
    /**
     * Kubernetes provider for every Kubernetes child. Default: the one the component's
     * `providers`/`provider` options (or the stack's default) give.
     */
    provider?: k8s.Provider;
    /**
     * The replicator runs elsewhere: no Kubernetes resources are created. TLS material, the JWT
     * key registration and every output are still produced (`serverCertPem`/`serverKeyPem` are
     * for that replicator). With `tls` and `auth.privateKeyPem` (or `auth.mode: "disabled"`) the
     * component creates no `@pulumi/tls` or `@pulumi/kubernetes` resource at all.
     */
    external?: ReplicatorExternalArgs;
}
