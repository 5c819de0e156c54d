/**
 * The bad-input corpus: malformed or hostile inputs for every resource, each with the property
 * its `check` (or, for ReplicatorHost, its constructor) must name and a fragment of the reason.
 * Secret-bearing properties must fail with an empty `property`, the property named in the
 * reason, and the secret value never echoed.
 *
 * Cases are built from fixtures (certificates, keys) and endpoints (connection URLs), so the
 * same table runs against the providers directly and, for the `engine` subset, through a real
 * `pulumi preview` whose connection URLs point at TCP proxies.
 */
import { generateKeyPairSync } from "node:crypto";

import {
    type CertAndKey,
    createTestCa,
    type TestCertificateAuthority,
} from "../support/cockroach/feed/testCerts";

export type ResourceKind =
    "TargetGrants" | "ClusterSettings" | "Changefeed" | "ReplicatorAuthKey" | "ReplicatorHost";

export const RESOURCE_KINDS: readonly ResourceKind[] = [
    "TargetGrants",
    "ClusterSettings",
    "Changefeed",
    "ReplicatorAuthKey",
    "ReplicatorHost",
];

export interface BadInputCase {
    /** Unique, also used as the Pulumi resource name in the engine program. */
    name: string;
    resource: ResourceKind;
    /** Complete inputs (a valid base with one or more bad values). */
    inputs: Record<string, unknown>;
    /** The property the failure must name (ReplicatorHost: the argument path in the message). */
    property: string;
    /** Secret-bearing property: `property` stays empty and the reason names it. */
    secret?: boolean;
    /** A fragment of the reason. */
    reason: string;
    /** Part of the subset that also runs through the real engine. */
    engine?: boolean;
}

/** Connection URLs the cases use; each holds a password that must never be echoed. */
export interface Endpoints {
    postgres: string;
    mysql: string;
    cockroach: string;
}

/** Certificates and keys the cases use (generated per run). */
export interface Fixtures {
    ca: TestCertificateAuthority;
    /** Server certificate for 127.0.0.1/localhost, signed by `ca`. */
    server: CertAndKey;
    client: CertAndKey;
    /** Server certificate whose SANs do not cover 127.0.0.1 (other.example only). */
    wrongHost: CertAndKey;
    /** Server certificate for 127.0.0.1 signed by another CA. */
    otherCa: CertAndKey;
    /** A server certificate used as a client certificate (no clientAuth EKU). */
    serverAsClient: CertAndKey;
    /** ECDSA P-256 PKCS#8 key for the JWT. */
    jwtKeyPem: string;
    /** An Ed25519 key (parses, but the replicator cannot use it for JWTs). */
    ed25519KeyPem: string;
    /** A bearer token. */
    token: string;
}

/** The external replicator URL the ReplicatorHost cases use. */
export const EXTERNAL_URL = "https://127.0.0.1:30004";

export async function createFixtures(): Promise<Fixtures> {
    const ca = await createTestCa("reliability CA");
    const other = await createTestCa("unrelated CA");
    const [server, client, wrongHost, otherCa] = await Promise.all([
        ca.issue({ commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] }),
        ca.issue({ commonName: "changefeed", usage: "client" }),
        ca.issue({ commonName: "other.example", dnsNames: ["other.example"] }),
        other.issue({ commonName: "localhost", ipAddresses: ["127.0.0.1"] }),
    ]);
    const pkcs8 = { format: "pem", type: "pkcs8" } as const;
    const spki = { format: "pem", type: "spki" } as const;
    const jwt = generateKeyPairSync("ec", {
        namedCurve: "P-256",
        privateKeyEncoding: pkcs8,
        publicKeyEncoding: spki,
    });
    const ed = generateKeyPairSync("ed25519", {
        privateKeyEncoding: pkcs8,
        publicKeyEncoding: spki,
    });
    return {
        ca,
        server,
        client,
        wrongHost,
        otherCa,
        serverAsClient: server,
        jwtKeyPem: jwt.privateKey,
        ed25519KeyPem: ed.privateKey,
        token: `tok.${Math.random().toString(36).slice(2)}.Sig-Zq9`,
    };
}

/** A URL for `scheme://user:password@host:port/path`. */
export function endpointUrl(
    scheme: string,
    port: number,
    password: string,
    path = "",
    query = "",
): string {
    return `${scheme}://admin:${encodeURIComponent(password)}@127.0.0.1:${port}/${path}${query}`;
}

/** Every secret value the corpus contains (for leak assertions). */
export function corpusSecrets(fx: Fixtures, endpoints: Endpoints): string[] {
    const passwords = Object.values(endpoints).map((url) =>
        decodeURIComponent(new URL(url).password),
    );
    return [
        ...passwords,
        ...Object.values(endpoints),
        fx.token,
        fx.client.keyPem,
        fx.server.keyPem,
        fx.wrongHost.keyPem,
        fx.otherCa.keyPem,
        fx.jwtKeyPem,
        fx.ed25519KeyPem,
    ];
}

/** A PEM with a valid frame and garbage inside: passes a shape test, fails to parse. */
const GARBAGE_KEY_PEM =
    "-----BEGIN PRIVATE KEY-----\nTUlJQm9ndXNLZXlNYXRlcmlhbFRoYXRJc05vdEFLZXk=\n-----END PRIVATE KEY-----\n";
const GARBAGE_CERT_PEM =
    "-----BEGIN CERTIFICATE-----\nTm90QUNlcnRpZmljYXRlSnVzdEJhc2U2NA==\n-----END CERTIFICATE-----\n";

export function badInputCases(fx: Fixtures, endpoints: Endpoints): BadInputCase[] {
    const pgUrl = endpoints.postgres;
    const myUrl = endpoints.mysql;
    const crdbUrl = endpoints.cockroach;
    const pgPassword = decodeURIComponent(new URL(pgUrl).password);

    const grantsPg = { connection: pgUrl, grantee: "replicator", schema: "public" };
    const grantsMy = { connection: myUrl, grantee: "replicator", schema: "app" };
    const settings = { connection: crdbUrl };
    const feed = {
        connection: crdbUrl,
        tables: ["public.orders"],
        webhookUrl: `${EXTERNAL_URL}/defaultdb/public`,
        caCertPem: fx.ca.certPem,
        clientCertPem: fx.client.certPem,
        clientKeyPem: fx.client.keyPem,
        authToken: fx.token,
        waitForRunningSeconds: 5,
    };
    const authKey = {
        stagingConnection: crdbUrl,
        stagingSchema: "defaultdb._replicator",
        privateKeyPem: fx.jwtKeyPem,
        schemas: [["defaultdb", "public"]],
        waitForTableSeconds: 1,
    };
    const host = {
        stagingConnection: crdbUrl,
        stagingSchema: "defaultdb._replicator",
        targetDialect: "postgres",
        targetSchema: ["defaultdb", "public"],
        external: { url: EXTERNAL_URL },
        auth: { privateKeyPem: fx.jwtKeyPem },
        tls: {
            caCertPem: fx.ca.certPem,
            certPem: fx.server.certPem,
            keyPem: fx.server.keyPem,
            clientCertPem: fx.client.certPem,
            clientKeyPem: fx.client.keyPem,
        },
    };
    const tls = host.tls;

    const cases: BadInputCase[] = [
        // ---------------------------------------------------------------- TargetGrants
        {
            name: "grants-url-not-a-url",
            resource: "TargetGrants",
            inputs: {
                ...grantsPg,
                connection: `host=127.0.0.1 user=admin password=${pgPassword} dbname=db`,
            },
            property: "connection",
            secret: true,
            reason: "is not a valid URL",
            engine: true,
        },
        {
            name: "grants-url-unsupported-scheme",
            resource: "TargetGrants",
            inputs: { ...grantsPg, connection: pgUrl.replace(/^postgres:/, "redis:") },
            property: "connection",
            secret: true,
            reason: "unsupported scheme",
        },
        {
            name: "grants-url-no-host",
            resource: "TargetGrants",
            inputs: { ...grantsPg, connection: `postgres:///db?password=${pgPassword}` },
            property: "connection",
            secret: true,
            reason: "has no host",
        },
        {
            name: "grants-dialect-conflicts-with-url",
            resource: "TargetGrants",
            inputs: { ...grantsPg, dialect: "mysql" },
            property: "dialect",
            reason: 'is "mysql" but connection is a postgres URL',
            engine: true,
        },
        {
            name: "grants-dialect-unknown",
            resource: "TargetGrants",
            inputs: { ...grantsPg, dialect: "sqlserver" },
            property: "dialect",
            reason: 'must be "postgres", "mysql" or "oracle"',
        },
        {
            name: "grants-grantee-missing",
            resource: "TargetGrants",
            inputs: { ...grantsPg, grantee: "" },
            property: "grantee",
            reason: "is required",
        },
        {
            name: "grants-grantee-injection-too-long",
            resource: "TargetGrants",
            inputs: {
                ...grantsPg,
                grantee: `x"; DROP ROLE postgres; --${"a".repeat(60)}`,
            },
            property: "grantee",
            reason: "PostgreSQL truncates names to 63 bytes",
        },
        {
            name: "grants-schema-with-nul",
            resource: "TargetGrants",
            inputs: { ...grantsPg, schema: "public\u0000; DROP SCHEMA public" },
            property: "schema",
            reason: "NUL character",
        },
        {
            name: "grants-tables-empty",
            resource: "TargetGrants",
            inputs: { ...grantsPg, tables: [] },
            property: "tables",
            reason: "must not be empty",
        },
        {
            name: "grants-tables-duplicate",
            resource: "TargetGrants",
            inputs: { ...grantsPg, tables: ["orders", "orders"] },
            property: "tables",
            reason: "more than once",
        },
        {
            name: "grants-mysql-table-injection-too-long",
            resource: "TargetGrants",
            inputs: { ...grantsMy, tables: [`t\`; DROP DATABASE app; -- ${"x".repeat(60)}`] },
            property: "tables",
            reason: "longer than 64 characters",
        },
        {
            name: "grants-mysql-table-trailing-space",
            resource: "TargetGrants",
            inputs: { ...grantsMy, tables: ["orders "] },
            property: "tables",
            reason: "must not end with a space",
        },
        {
            name: "grants-privilege-sql-fragment",
            resource: "TargetGrants",
            inputs: { ...grantsPg, privileges: ["SELECT", "ALL; DROP TABLE orders"] },
            property: "privileges",
            reason: "is not a PostgreSQL table privilege",
        },
        {
            name: "grants-mysql-privilege-invalid",
            resource: "TargetGrants",
            inputs: { ...grantsMy, privileges: ["SUPER"] },
            property: "privileges",
            reason: "is not a MySQL/MariaDB table privilege",
            engine: true,
        },
        {
            name: "grants-privileges-empty",
            resource: "TargetGrants",
            inputs: { ...grantsPg, privileges: [] },
            property: "privileges",
            reason: "must not be empty",
        },
        {
            name: "grants-granteeHost-on-postgres",
            resource: "TargetGrants",
            inputs: { ...grantsPg, granteeHost: "%" },
            property: "granteeHost",
            reason: "only applies to MySQL/MariaDB",
        },
        {
            name: "grants-defaultPrivileges-on-mysql",
            resource: "TargetGrants",
            inputs: { ...grantsMy, defaultPrivileges: true },
            property: "defaultPrivileges",
            reason: "only applies to PostgreSQL",
        },
        {
            name: "grants-defaultPrivilegesFor-conflict",
            resource: "TargetGrants",
            inputs: { ...grantsPg, defaultPrivileges: false, defaultPrivilegesFor: ["owner"] },
            property: "defaultPrivilegesFor",
            reason: "defaultPrivileges is false",
        },
        {
            name: "grants-oracle-needs-tables",
            resource: "TargetGrants",
            inputs: {
                connection: `oracle://admin:${encodeURIComponent(pgPassword)}@127.0.0.1:1521/FREEPDB1`,
                grantee: "REPLICATOR",
                schema: "APP",
            },
            property: "tables",
            reason: "is required for Oracle",
        },
        // ------------------------------------------------------------- ClusterSettings
        {
            name: "settings-url-wrong-dialect",
            resource: "ClusterSettings",
            inputs: { ...settings, connection: myUrl },
            property: "connection",
            secret: true,
            reason: "must be a CockroachDB SQL URL",
            engine: true,
        },
        {
            name: "settings-url-missing",
            resource: "ClusterSettings",
            inputs: { ...settings, connection: "" },
            property: "connection",
            secret: true,
            reason: "is required",
        },
        {
            name: "settings-bool-not-bool",
            resource: "ClusterSettings",
            inputs: { ...settings, rangefeedEnabled: "yes please" },
            property: "rangefeedEnabled",
            reason: "takes a boolean",
        },
        {
            name: "settings-duration-word",
            resource: "ClusterSettings",
            inputs: { ...settings, closedTimestampRefreshInterval: "fast" },
            property: "closedTimestampRefreshInterval",
            reason: "takes a duration",
        },
        {
            name: "settings-duration-days",
            resource: "ClusterSettings",
            inputs: { ...settings, closedTimestampTargetDuration: "1d" },
            property: "closedTimestampTargetDuration",
            reason: "takes a duration",
        },
        {
            name: "settings-duration-negative",
            resource: "ClusterSettings",
            inputs: { ...settings, closedTimestampTargetDuration: "-1s" },
            property: "closedTimestampTargetDuration",
            reason: "cannot be negative",
        },
        {
            name: "settings-iterators-zero",
            resource: "ClusterSettings",
            inputs: { ...settings, concurrentCatchupIterators: 0 },
            property: "concurrentCatchupIterators",
            reason: "must be a positive integer",
        },
        {
            name: "settings-iterators-word",
            resource: "ClusterSettings",
            inputs: { ...settings, concurrentCatchupIterators: "many" },
            property: "concurrentCatchupIterators",
            reason: "takes an integer",
        },
        {
            name: "settings-name-injection",
            resource: "ClusterSettings",
            inputs: {
                ...settings,
                settings: { "kv.rangefeed.enabled = true; DROP DATABASE defaultdb": "x" },
            },
            property: 'settings["kv.rangefeed.enabled = true; DROP DATABASE defaultdb"]',
            reason: "is not a cluster setting name",
            engine: true,
        },
        {
            name: "settings-name-conflicts-with-arg",
            resource: "ClusterSettings",
            inputs: {
                ...settings,
                rangefeedEnabled: true,
                settings: { "kv.rangefeed.enabled": false },
            },
            property: 'settings["kv.rangefeed.enabled"]',
            reason: "is also set by rangefeedEnabled",
        },
        {
            name: "settings-known-value-wrong-type",
            resource: "ClusterSettings",
            inputs: { ...settings, settings: { "jobs.retention_time": "forever" } },
            property: 'settings["jobs.retention_time"]',
            reason: "takes a duration",
        },
        {
            name: "settings-value-object",
            resource: "ClusterSettings",
            inputs: { ...settings, settings: { "server.time_until_store_dead": { m: 5 } } },
            property: 'settings["server.time_until_store_dead"]',
            reason: "must be a string, number or boolean",
        },
        {
            name: "settings-onDelete-invalid",
            resource: "ClusterSettings",
            inputs: { ...settings, onDelete: "drop" },
            property: "onDelete",
            reason: 'must be "restore" (default), "reset" or "retain"',
        },
        // ------------------------------------------------------------------ Changefeed
        {
            name: "feed-url-wrong-dialect",
            resource: "Changefeed",
            inputs: { ...feed, connection: myUrl },
            property: "connection",
            secret: true,
            reason: "must be a CockroachDB SQL URL",
        },
        {
            name: "feed-tables-empty",
            resource: "Changefeed",
            inputs: { ...feed, tables: [] },
            property: "tables",
            reason: "must list at least one table",
        },
        {
            name: "feed-table-four-parts",
            resource: "Changefeed",
            inputs: { ...feed, tables: ["a.b.c.d"] },
            property: "tables[0]",
            reason: "one to three parts",
        },
        {
            name: "feed-table-injection",
            resource: "Changefeed",
            inputs: { ...feed, tables: ["orders; CANCEL JOBS (SHOW JOBS)"] },
            property: "tables[0]",
            reason: "must be a table name",
            engine: true,
        },
        {
            name: "feed-table-duplicate",
            resource: "Changefeed",
            inputs: { ...feed, tables: ["orders", "public.orders"] },
            property: "tables[1]",
            reason: "is listed twice",
        },
        {
            name: "feed-webhook-plain-http",
            resource: "Changefeed",
            inputs: { ...feed, webhookUrl: "http://127.0.0.1:30004/defaultdb/public" },
            property: "webhookUrl",
            reason: "must be https://host:port/<path>",
        },
        {
            name: "feed-webhook-not-url",
            resource: "Changefeed",
            inputs: { ...feed, webhookUrl: "replicator:30004" },
            property: "webhookUrl",
            reason: "with an explicit port",
        },
        {
            name: "feed-webhook-path-too-deep",
            resource: "Changefeed",
            inputs: { ...feed, webhookUrl: `${EXTERNAL_URL}/defaultdb/public/orders` },
            property: "webhookUrl",
            reason: "the path must have one segment",
        },
        {
            name: "feed-webhook-credentials-in-url",
            resource: "Changefeed",
            inputs: { ...feed, webhookUrl: "https://user:pass@127.0.0.1:30004/db/public" },
            property: "webhookUrl",
            reason: "must be https://host:port/<path>",
        },
        {
            name: "feed-ca-not-pem",
            resource: "Changefeed",
            inputs: { ...feed, caCertPem: "/etc/ssl/ca.crt" },
            property: "caCertPem",
            secret: true,
            reason: "must be a PEM certificate",
        },
        {
            name: "feed-ca-garbage-pem",
            resource: "Changefeed",
            inputs: { ...feed, caCertPem: GARBAGE_CERT_PEM },
            property: "caCertPem",
            secret: true,
            reason: "does not parse as an X.509 certificate",
        },
        {
            name: "feed-client-key-garbage-pem",
            resource: "Changefeed",
            inputs: { ...feed, clientKeyPem: GARBAGE_KEY_PEM },
            property: "clientKeyPem",
            secret: true,
            reason: "does not parse as a private key",
            engine: true,
        },
        {
            name: "feed-client-key-without-cert",
            resource: "Changefeed",
            inputs: { ...feed, clientCertPem: undefined },
            property: "clientCertPem",
            secret: true,
            reason: "go together",
        },
        {
            name: "feed-token-with-whitespace",
            resource: "Changefeed",
            inputs: { ...feed, authToken: `${fx.token} extra` },
            property: "authToken",
            secret: true,
            reason: "without whitespace",
        },
        {
            name: "feed-cursor-word",
            resource: "Changefeed",
            inputs: { ...feed, cursor: "now()" },
            property: "cursor",
            reason: "DECIMAL HLC timestamp",
        },
        {
            name: "feed-cursor-zero",
            resource: "Changefeed",
            inputs: { ...feed, cursor: "0" },
            property: "cursor",
            reason: "non-zero",
        },
        {
            name: "feed-resolved-words",
            resource: "Changefeed",
            inputs: { ...feed, resolved: "10 seconds" },
            property: "resolved",
            reason: "must be a duration",
        },
        {
            name: "feed-client-timeout-zero",
            resource: "Changefeed",
            inputs: { ...feed, webhookClientTimeout: "0s" },
            property: "webhookClientTimeout",
            reason: "greater than zero",
        },
        {
            name: "feed-sink-config-no-frequency",
            resource: "Changefeed",
            inputs: { ...feed, webhookSinkConfig: { Flush: { Bytes: 10 } } },
            property: "webhookSinkConfig",
            reason: "Flush.Frequency must be non-zero",
        },
        {
            name: "feed-sink-config-not-json",
            resource: "Changefeed",
            inputs: { ...feed, webhookSinkConfig: "{Flush: 1s}" },
            property: "webhookSinkConfig",
            reason: "must be JSON",
        },
        {
            name: "feed-option-mvcc-timestamp",
            resource: "Changefeed",
            inputs: { ...feed, options: { mvcc_timestamp: true } },
            property: "options.mvcc_timestamp",
            reason: "breaks the replicator",
            engine: true,
        },
        {
            name: "feed-option-envelope-bare",
            resource: "Changefeed",
            inputs: { ...feed, options: { envelope: "bare" } },
            property: "options.envelope",
            reason: "must be 'wrapped'",
        },
        {
            name: "feed-option-format-avro",
            resource: "Changefeed",
            inputs: { ...feed, options: { format: "avro" } },
            property: "options.format",
            reason: "must be 'json'",
        },
        {
            name: "feed-option-full-table-name",
            resource: "Changefeed",
            inputs: { ...feed, options: { full_table_name: true } },
            property: "options.full_table_name",
            reason: "breaks the replicator",
        },
        {
            name: "feed-option-cursor-conflict",
            resource: "Changefeed",
            inputs: { ...feed, options: { cursor: "1759246920563173000.0000000000" } },
            property: "options.cursor",
            reason: "is set by the cursor argument",
        },
        {
            name: "feed-option-initial-scan-yes",
            resource: "Changefeed",
            inputs: { ...feed, options: { initial_scan: "yes" } },
            property: "options.initial_scan",
            reason: "cannot be set in options",
        },
        {
            name: "feed-option-name-injection",
            resource: "Changefeed",
            inputs: { ...feed, options: { "resolved='1s', sink": "x" } },
            property: "options.resolved='1s', sink",
            reason: "is not a changefeed option name",
        },
        {
            name: "feed-wait-negative",
            resource: "Changefeed",
            inputs: { ...feed, waitForRunningSeconds: -1 },
            property: "waitForRunningSeconds",
            reason: "greater than 0",
        },
        {
            name: "feed-adopt-job-injection",
            resource: "Changefeed",
            inputs: { ...feed, adoptJobId: "1; CANCEL JOB 2" },
            property: "adoptJobId",
            reason: "digits only",
        },
        // ----------------------------------------------------------- ReplicatorAuthKey
        {
            name: "authkey-url-wrong-dialect",
            resource: "ReplicatorAuthKey",
            inputs: { ...authKey, stagingConnection: myUrl },
            property: "stagingConnection",
            secret: true,
            reason: "must be a CockroachDB SQL URL",
        },
        {
            name: "authkey-staging-schema-three-parts",
            resource: "ReplicatorAuthKey",
            inputs: { ...authKey, stagingSchema: "a.b.c" },
            property: "stagingSchema",
            reason: "must be the replicator's staging schema",
            engine: true,
        },
        {
            name: "authkey-key-not-pem",
            resource: "ReplicatorAuthKey",
            inputs: { ...authKey, privateKeyPem: GARBAGE_KEY_PEM },
            property: "privateKeyPem",
            secret: true,
            reason: "is not a PEM-encoded private key",
        },
        {
            name: "authkey-key-ed25519",
            resource: "ReplicatorAuthKey",
            inputs: { ...authKey, privateKeyPem: fx.ed25519KeyPem },
            property: "privateKeyPem",
            secret: true,
            reason: "must be an EC P-256",
        },
        {
            name: "authkey-schemas-empty",
            resource: "ReplicatorAuthKey",
            inputs: { ...authKey, schemas: [] },
            property: "schemas",
            reason: "must be a non-empty list",
        },
        // -------------------------------------------------- ReplicatorHost (BYO TLS)
        {
            name: "host-key-does-not-match-cert",
            resource: "ReplicatorHost",
            inputs: { ...host, tls: { ...tls, keyPem: fx.wrongHost.keyPem } },
            property: "tls.keyPem",
            reason: "does not belong to the certificate in tls.certPem",
            engine: true,
        },
        {
            name: "host-san-does-not-cover-host",
            resource: "ReplicatorHost",
            inputs: {
                ...host,
                tls: { ...tls, certPem: fx.wrongHost.certPem, keyPem: fx.wrongHost.keyPem },
            },
            property: "tls.certPem",
            reason: "does not cover 127.0.0.1",
            engine: true,
        },
        {
            name: "host-cert-from-other-ca",
            resource: "ReplicatorHost",
            inputs: {
                ...host,
                tls: { ...tls, certPem: fx.otherCa.certPem, keyPem: fx.otherCa.keyPem },
            },
            property: "tls.certPem",
            reason: "is not signed by the certificate in tls.caCertPem",
        },
        {
            name: "host-cert-not-pem",
            resource: "ReplicatorHost",
            inputs: { ...host, tls: { ...tls, certPem: GARBAGE_CERT_PEM } },
            property: "tls.certPem",
            reason: "is not a PEM-encoded X.509 certificate",
        },
        {
            name: "host-client-key-garbage",
            resource: "ReplicatorHost",
            inputs: { ...host, tls: { ...tls, clientKeyPem: GARBAGE_KEY_PEM } },
            property: "tls.clientKeyPem",
            reason: "is not a PEM-encoded private key",
        },
        {
            name: "host-client-cert-without-client-auth",
            resource: "ReplicatorHost",
            inputs: {
                ...host,
                tls: {
                    ...tls,
                    clientCertPem: fx.serverAsClient.certPem,
                    clientKeyPem: fx.serverAsClient.keyPem,
                },
            },
            property: "tls.clientCertPem",
            reason: "does not allow TLS client authentication",
        },
        {
            name: "host-staging-schema-missing",
            resource: "ReplicatorHost",
            inputs: { ...host, stagingSchema: "" },
            property: "stagingSchema",
            reason: "is required",
        },
    ];
    return cases;
}

/**
 * Inputs the providers should reject in `check` but currently accept (reported to the lead).
 * They run as `todo` tests: a failure is reported without failing the run, and the test starts
 * passing once the provider is fixed.
 */
export function knownGapCases(fx: Fixtures, endpoints: Endpoints): BadInputCase[] {
    const feed = {
        connection: endpoints.cockroach,
        tables: ["public.orders"],
        webhookUrl: `${EXTERNAL_URL}/defaultdb/public`,
        caCertPem: fx.ca.certPem,
        clientCertPem: fx.client.certPem,
        clientKeyPem: fx.client.keyPem,
    };
    return [
        {
            name: "feed-client-key-does-not-match-cert",
            resource: "Changefeed",
            inputs: { ...feed, clientKeyPem: fx.server.keyPem },
            property: "clientKeyPem",
            secret: true,
            reason: "does not belong to",
        },
    ];
}
