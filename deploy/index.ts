/**
 * Failback from CockroachDB to PostgreSQL, MySQL/MariaDB or Oracle, driven only by stack
 * configuration (every key is documented in Pulumi.yaml; optional ones default to "" = unset).
 * One `Failback` resource: cluster settings → grants → replicator → (drain gate) → changefeed.
 */
import * as pulumi from "@pulumi/pulumi";
import { Failback, type FailbackArgs, type ReplicatorTlsArgs } from "pulumi-crdb-failback";

const config = new pulumi.Config();

/** Whether `key` has a non-empty value (read without decrypting it into the program's values). */
function isSet(key: string): boolean {
    const raw = pulumi.runtime.getConfig(`${pulumi.getProject()}:${key}`);
    return raw !== undefined && raw.trim() !== "";
}

/** An optional plain string: undefined when unset or empty. */
function opt(key: string): string | undefined {
    return isSet(key) ? config.require(key) : undefined;
}

/** An optional secret: undefined when unset or empty. */
function optSecret(key: string): pulumi.Output<string> | undefined {
    return isSet(key) ? config.requireSecret(key) : undefined;
}

/** A list: a JSON array of strings, or comma-separated names. */
function list(key: string): string[] | undefined {
    const raw = opt(key)?.trim();
    if (raw === undefined) return undefined;
    if (raw.startsWith("[")) {
        const parsed: unknown = JSON.parse(raw);
        if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string")) {
            throw new Error(
                `config ${key} must be a JSON array of strings or comma-separated names`,
            );
        }
        return parsed;
    }
    return raw
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "");
}

/**
 * Keys documented as SECRET that Pulumi.yaml cannot declare `secret: true` (Pulumi refuses a
 * default on a secret key, and these are optional). A plain value would be copied by the engine
 * into the dynamic provider's state and history, so it is refused before any resource exists.
 */
const OPTIONAL_SECRET_KEYS = [
    "stagingConnection",
    "tlsKeyPem",
    "tlsClientKeyPem",
    "jwtPrivateKeyPem",
];

/** Whether the stack holds `key` encrypted (`pulumi config set --secret`). */
function isSecretConfig(key: string): boolean {
    const full = `${pulumi.getProject()}:${key}`;
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    if (typeof runtime.isConfigSecret === "function") return runtime.isConfigSecret(full);
    const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return Array.isArray(keys) && keys.includes(full);
}

const plainSecrets = OPTIONAL_SECRET_KEYS.filter((key) => isSet(key) && !isSecretConfig(key));
if (plainSecrets.length > 0) {
    throw new Error(
        `config ${plainSecrets.join(", ")} must be set as secret, not in plaintext (the engine would ` +
            "copy a plain value into the state file and its history). Fix: " +
            plainSecrets.map((key) => `pulumi config set --secret ${key} …`).join("; ") +
            " — for a PEM file: cat key.pem | pulumi config set --secret <key>",
    );
}

function oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = config.require(key);
    if (!allowed.includes(value as T)) {
        throw new Error(`config ${key} must be one of ${allowed.join(", ")}`);
    }
    return value as T;
}

// Bring-your-own TLS: CA, certificate and key together (default: generated with @pulumi/tls).
const tls: ReplicatorTlsArgs | undefined = isSet("tlsCaCertPem")
    ? {
          caCertPem: config.require("tlsCaCertPem"),
          certPem: config.require("tlsCertPem"),
          keyPem: config.requireSecret("tlsKeyPem"),
          ...(isSet("tlsClientCertPem")
              ? {
                    clientCertPem: config.require("tlsClientCertPem"),
                    clientKeyPem: config.requireSecret("tlsClientKeyPem"),
                }
              : {}),
      }
    : undefined;

const externalUrl = opt("externalUrl");
const jwtPrivateKeyPem = optSecret("jwtPrivateKeyPem");
const authMode = oneOf("authMode", ["jwt", "disabled"] as const);

const forwardMetricsUrl = opt("forwardMetricsUrl");
const forwardReplication: FailbackArgs["forwardReplication"] = config.getBoolean("forwardDrained")
    ? { drained: true, ...(forwardMetricsUrl ? { metricsUrl: forwardMetricsUrl } : {}) }
    : forwardMetricsUrl
      ? {
            metricsUrl: forwardMetricsUrl,
            schema: opt("forwardSchema"),
            quietPeriodSeconds: config.getNumber("forwardQuietPeriodSeconds"),
            timeoutSeconds: config.getNumber("forwardTimeoutSeconds"),
            pollIntervalSeconds: config.getNumber("forwardPollIntervalSeconds"),
        }
      : undefined;

const verifyDeliverySeconds = config.getNumber("verifyDeliverySeconds");

const ignoreColumns = opt("ignoreColumns");
const gcTtl = opt("gcTtl");
const gcTtlTables = list("gcTtlTables");

const failback = new Failback("failback", {
    cockroachConnection: config.requireSecret("cockroachConnection"),
    stagingConnection: optSecret("stagingConnection"),
    stagingSchema: config.require("stagingSchema"),
    stagingCreateSchema: config.getBoolean("stagingCreateSchema"),
    target: {
        dialect: oneOf("dialect", ["postgres", "mysql", "oracle"] as const),
        adminConnection: config.requireSecret("targetAdminConnection"),
        replicatorConnection: config.requireSecret("targetReplicatorConnection"),
        grantee: config.require("grantee"),
        granteeHost: opt("granteeHost"),
        database: opt("database"),
        schema: config.require("schema"),
        tables: list("tables") ?? [],
        privileges: list("privileges"),
    },
    changefeedTables: list("changefeedTables"),
    clusterSettings:
        config.getBoolean("manageClusterSettings") === false
            ? false
            : {
                  closedTimestampRefreshInterval: opt("closedTimestampRefreshInterval"),
                  closedTimestampTargetDuration: opt("closedTimestampTargetDuration"),
              },
    replicator: {
        namespace: opt("namespace"),
        image: opt("image"),
        serviceType: oneOf("serviceType", ["ClusterIP", "LoadBalancer", "NodePort"] as const),
        hostnames: list("hostnames"),
        ...(externalUrl
            ? { external: { url: externalUrl, metricsUrl: opt("externalMetricsUrl") } }
            : {}),
        ...(tls ? { tls } : {}),
        auth:
            authMode === "disabled"
                ? { mode: "disabled" }
                : { mode: "jwt", ...(jwtPrivateKeyPem ? { privateKeyPem: jwtPrivateKeyPem } : {}) },
        parallelism: config.getNumber("parallelism"),
        flushSize: config.getNumber("flushSize"),
        bestEffortWindow: opt("bestEffortWindow"),
        extraArgs: list("replicatorExtraArgs"),
    },
    changefeed: {
        cursor: opt("cursor"),
        resolved: opt("resolved"),
        minCheckpointFrequency: opt("minCheckpointFrequency"),
        waitForRunningSeconds: config.getNumber("waitForRunningSeconds"),
        verifyDeliverySeconds: verifyDeliverySeconds === 0 ? false : verifyDeliverySeconds,
    },
    forwardReplication,
    ...(ignoreColumns
        ? { ignoreColumns: JSON.parse(ignoreColumns) as Record<string, string[]> }
        : {}),
    preflight:
        config.getBoolean("preflight") === false
            ? false
            : {
                  failOnWarnings: config.getBoolean("preflightFailOnWarnings"),
                  gcMarginSeconds: config.getNumber("preflightGcMarginSeconds"),
              },
    ...(gcTtl
        ? {
              gcTtl: {
                  ttl: /^\d+$/.test(gcTtl) ? Number(gcTtl) : gcTtl,
                  ...(gcTtlTables ? { tables: gcTtlTables } : {}),
              },
          }
        : {}),
});

export const webhookUrl = failback.webhookUrl;
export const webhookPath = failback.webhookPath;
export const changefeedJobId = failback.changefeedJobId;
export const cursor = failback.cursor;
/** The replicator's latest checkpoint when delivery was last proven, and when. */
export const lastDeliveredResolved = failback.changefeed.lastDeliveredResolved;
export const deliveryVerifiedAt = failback.changefeed.deliveryVerifiedAt;
export const granted = failback.granted;
export const settingsPrevious = failback.settingsPrevious;
/** External mode with generated TLS: install these on the replicator you run yourself. */
export const replicatorServerCertPem = failback.replicator.serverCertPem;
export const replicatorServerKeyPem = failback.replicator.serverKeyPem;
