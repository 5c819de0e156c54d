import assert from "node:assert/strict";
import { after, before, describe, it, mock } from "node:test";

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "kubernetes-models/apps/v1";
import { Secret, Service } from "kubernetes-models/v1";

import {
    DEFAULT_IMAGE,
    DEFAULT_ORACLE_IMAGE,
    ReplicatorHost,
    type ReplicatorHostArgs,
} from "../../../src/resources/replicatorHost";
import { type KeyPair, TestPki } from "../../support/tls/openssl";
import {
    construct,
    expectProgramError,
    forgetPendingPromises,
    installMocks,
    isSecretEnvelope,
    plain,
    type Registration,
    SECRET_SIG,
    valueOf,
} from "./harness";

const PG_TARGET = "postgres://replicator:pg-pass-123@pg.example:5432/molt?sslmode=verify-full";
const MY_TARGET = "mysql://replicator:my-pass-456@mysql.example:3306/molt";
const ORA_TARGET = "oracle://C%23%23REPL:ora-pass-789@ora.example:1521/ORCLPDB1";
const STAGING = "postgresql://crdb:stage-pass-000@crdb.example:26257/defaultdb?sslmode=verify-full";
const SECRETS = ["pg-pass-123", "my-pass-456", "ora-pass-789", "stage-pass-000"];

const K8S_TYPES = [
    "kubernetes:core/v1:Secret",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:core/v1:Service",
];

function fixedArgs(stagingSchema = "defaultdb._replicator"): string[] {
    return [
        "start",
        "--bindAddr=:30004",
        "--metricsAddr=:30005",
        `--stagingSchema=${stagingSchema}`,
        "--tlsCertificate=/tls/tls.crt",
        "--tlsPrivateKey=/tls/tls.key",
        "--targetConn=$(TARGET_CONN)",
        "--stagingConn=$(STAGING_CONN)",
        "--dataDir=/data",
    ];
}

function only(registered: Registration[], type: string): Registration {
    const found = registered.filter((r) => r.type === type);
    assert.equal(found.length, 1, `expected exactly one ${type}, got ${found.length}`);
    return found[0]!;
}

interface PodSpecShape {
    nodeSelector?: Record<string, string>;
    containers: Array<{ image: string; args: string[] }>;
}
function podSpec(deployment: Registration): PodSpecShape {
    return (deployment.inputs.spec as { template: { spec: PodSpecShape } }).template.spec;
}

describe("ReplicatorHost (setMocks)", () => {
    before(installMocks);

    it("wires a PostgreSQL host: tls, auth key, Secret, Deployment, Service, all children of the component", async () => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        const { component, children, registered } = await construct(
            (opts) =>
                new ReplicatorHost(
                    "pg-failback",
                    {
                        namespace: "molt",
                        targetDialect: "postgres",
                        targetConnection: PG_TARGET,
                        stagingConnection: STAGING,
                        stagingSchema: "defaultdb._replicator",
                        targetSchema: ["molt", "public"],
                        hostnames: ["replicator.example.com", "10.1.2.3"],
                        parallelism: 8,
                        bestEffortWindow: "0",
                        provider,
                    },
                    opts,
                ),
        );

        assert.deepEqual(
            children.map((c) => `${c.type} ${c.name}`),
            [
                "tls:index/privateKey:PrivateKey pg-failback-ca-key",
                "tls:index/selfSignedCert:SelfSignedCert pg-failback-ca",
                "tls:index/privateKey:PrivateKey pg-failback-server-key",
                "tls:index/certRequest:CertRequest pg-failback-server-csr",
                "tls:index/locallySignedCert:LocallySignedCert pg-failback-server-cert",
                "tls:index/privateKey:PrivateKey pg-failback-client-key",
                "tls:index/certRequest:CertRequest pg-failback-client-csr",
                "tls:index/locallySignedCert:LocallySignedCert pg-failback-client-cert",
                "kubernetes:core/v1:Secret pg-failback-secret",
                "kubernetes:apps/v1:Deployment pg-failback-deployment",
                "kubernetes:core/v1:Service pg-failback-service",
                "tls:index/privateKey:PrivateKey pg-failback-jwt-key",
                "pulumi-nodejs:dynamic/crdb-failback:ReplicatorAuthKey pg-failback-auth-key",
            ],
        );
        for (const child of children) {
            assert.equal(child.parent, component, `${child.name} is a child of the component`);
            const expectProvider = child.type.startsWith("kubernetes:");
            assert.equal(child.provider === provider, expectProvider, `${child.name} provider`);
        }
        for (const r of registered.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.match(r.provider ?? "", /pulumi:providers:kubernetes::k8s::/);
        }

        // Component args are not stored in state, except the auth mode the policy pack reads.
        assert.deepEqual(only(registered, "crdb-failback:index:ReplicatorHost").inputs, {
            authMode: "jwt",
        });

        // TLS requests: CA, server SANs, usages.
        const ca = registered.find((r) => r.name === "pg-failback-ca")!;
        assert.equal(ca.inputs.isCaCertificate, true);
        assert.deepEqual(ca.inputs.allowedUses, [
            "cert_signing",
            "crl_signing",
            "digital_signature",
        ]);
        assert.equal(ca.inputs.validityPeriodHours, 87600);
        const csr = registered.find((r) => r.name === "pg-failback-server-csr")!;
        assert.deepEqual(csr.inputs.dnsNames, [
            "pg-failback",
            "pg-failback.molt",
            "pg-failback.molt.svc",
            "pg-failback.molt.svc.cluster.local",
            "replicator.example.com",
        ]);
        assert.deepEqual(csr.inputs.ipAddresses, ["10.1.2.3"]);
        const serverCert = registered.find((r) => r.name === "pg-failback-server-cert")!;
        assert.deepEqual(serverCert.inputs.allowedUses, ["digital_signature", "server_auth"]);
        assert.equal(serverCert.inputs.validityPeriodHours, 8760);
        assert.equal(serverCert.inputs.earlyRenewalHours, 720);
        assert.equal(serverCert.inputs.caCertPem, "mock-cert(pg-failback-ca)");
        const clientCert = registered.find((r) => r.name === "pg-failback-client-cert")!;
        assert.deepEqual(clientCert.inputs.allowedUses, ["digital_signature", "client_auth"]);
        for (const key of registered.filter((r) => r.type === "tls:index/privateKey:PrivateKey")) {
            assert.deepEqual(key.inputs, { algorithm: "ECDSA", ecdsaCurve: "P256" });
        }

        // Auth key registration.
        const authKey = only(registered, "pulumi-nodejs:dynamic/crdb-failback:ReplicatorAuthKey");
        assert.ok(
            isSecretEnvelope(authKey.inputs.stagingConnection),
            "stagingConnection is secret",
        );
        assert.ok(isSecretEnvelope(authKey.inputs.privateKeyPem), "privateKeyPem is secret");
        assert.equal(plain(authKey.inputs.stagingConnection), STAGING);
        assert.equal(authKey.inputs.stagingSchema, "defaultdb._replicator");
        assert.equal(plain(authKey.inputs.privateKeyPem), "mock-private-key(pg-failback-jwt-key)");
        assert.deepEqual(authKey.inputs.schemas, [["molt", "public"]]);
        assert.equal(typeof authKey.inputs.__provider, "string");

        // Secret.
        const secret = only(registered, "kubernetes:core/v1:Secret");
        assert.deepEqual(secret.inputs.metadata, {
            name: "pg-failback-secret",
            namespace: "molt",
            labels: {
                "app.kubernetes.io/name": "replicator",
                "app.kubernetes.io/instance": "pg-failback",
                "app.kubernetes.io/component": "failback-webhook",
                "app.kubernetes.io/managed-by": "pulumi",
            },
        });
        assert.ok(isSecretEnvelope(secret.inputs.stringData), "the Secret's stringData is secret");
        assert.deepEqual(plain(secret.inputs.stringData), {
            "tls.crt": "mock-cert(pg-failback-server-cert)",
            "tls.key": "mock-private-key(pg-failback-server-key)",
            "ca.crt": "mock-cert(pg-failback-ca)",
            TARGET_CONN: PG_TARGET,
            STAGING_CONN: STAGING,
        });
        const secretChild = children.find((c) => c.name === "pg-failback-secret")!;
        assert.equal(
            await pulumi.isSecret(secretChild.props.stringData as pulumi.Output<unknown>),
            true,
        );

        // Deployment.
        const deployment = only(registered, "kubernetes:apps/v1:Deployment");
        const pod = podSpec(deployment);
        assert.equal(pod.containers[0]!.image, DEFAULT_IMAGE);
        assert.deepEqual(pod.containers[0]!.args, [
            ...fixedArgs(),
            "--parallelism=8",
            "--bestEffortWindow=0",
        ]);
        assert.equal(pod.nodeSelector, undefined);
        assertNoSecretIn(deployment);
        assertNoSecretIn(only(registered, "kubernetes:core/v1:Service"));

        // Every manifest as registered is schema-valid.
        validateK8s(registered);

        // Outputs.
        assert.equal(
            await valueOf(component.webhookBaseUrl),
            "https://pg-failback.molt.svc.cluster.local:30004",
        );
        assert.equal(
            await valueOf(component.webhookUrl),
            "https://pg-failback.molt.svc.cluster.local:30004/molt/public",
        );
        assert.equal(
            await valueOf(component.webhookUrlFor("other/public")),
            "https://pg-failback.molt.svc.cluster.local:30004/other/public",
        );
        assert.equal(
            await valueOf(component.metricsUrl),
            "http://pg-failback.molt.svc.cluster.local:30005/_/varz",
        );
        assert.equal(await valueOf(component.serviceName), "pg-failback");
        assert.equal(await valueOf(component.caCertPem), "mock-cert(pg-failback-ca)");
        assert.equal(await valueOf(component.clientCertPem), "mock-cert(pg-failback-client-cert)");
        assert.equal(
            await valueOf(component.clientKeyPem),
            "mock-private-key(pg-failback-client-key)",
        );
        assert.equal(await valueOf(component.authToken), "mock-token(pg-failback-auth-key)");
        assert.equal(await valueOf(component.serverKeyPem), undefined);
        assert.equal(await pulumi.isSecret(component.authToken), true);
        assert.equal(await pulumi.isSecret(component.clientKeyPem), true);
        assert.equal(await pulumi.isSecret(component.webhookUrl), false);
        assert.equal(await pulumi.isSecret(component.caCertPem), false);
    });

    it("wires a MySQL host with exact args", async () => {
        const { registered } = await construct(
            (opts) =>
                new ReplicatorHost(
                    "my-failback",
                    {
                        namespace: "molt",
                        targetDialect: "mysql",
                        targetConnection: MY_TARGET,
                        stagingConnection: STAGING,
                        stagingSchema: "_replicator",
                        stagingCreateSchema: true,
                        targetSchema: ["molt"],
                        port: 8443,
                        metricsPort: 9090,
                        flushSize: 2000,
                        logFormat: "fluent",
                        extraArgs: ["--schemaRefresh=30s"],
                        serviceType: "LoadBalancer",
                        replicas: 2,
                    },
                    opts,
                ),
        );
        const pod = podSpec(only(registered, "kubernetes:apps/v1:Deployment"));
        assert.deepEqual(pod.containers[0]!.args, [
            "start",
            "--bindAddr=:8443",
            "--metricsAddr=:9090",
            "--stagingSchema=_replicator",
            "--tlsCertificate=/tls/tls.crt",
            "--tlsPrivateKey=/tls/tls.key",
            "--targetConn=$(TARGET_CONN)",
            "--stagingConn=$(STAGING_CONN)",
            "--dataDir=/data",
            "--stagingCreateSchema",
            "--flushSize=2000",
            "--logFormat=fluent",
            "--schemaRefresh=30s",
        ]);
        const service = only(registered, "kubernetes:core/v1:Service");
        assert.equal((service.inputs.spec as { type: string }).type, "LoadBalancer");
        assert.deepEqual(
            only(registered, "pulumi-nodejs:dynamic/crdb-failback:ReplicatorAuthKey").inputs
                .schemas,
            [["molt"]],
        );
        assertNoSecretIn(only(registered, "kubernetes:apps/v1:Deployment"));
        validateK8s(registered);
    });

    it("wires an Oracle host on the amd64-only Oracle image, and says so", async () => {
        const warn = mock.method(console, "warn", () => undefined);
        try {
            const { registered } = await construct(
                (opts) =>
                    new ReplicatorHost(
                        "ora-failback",
                        {
                            namespace: "molt",
                            targetDialect: "oracle",
                            targetConnection: ORA_TARGET,
                            stagingConnection: STAGING,
                            stagingSchema: "defaultdb._replicator",
                            targetSchema: ["MIGRATION_SCHEMA"],
                            verbosity: 1,
                        },
                        opts,
                    ),
            );
            const pod = podSpec(only(registered, "kubernetes:apps/v1:Deployment"));
            assert.equal(pod.containers[0]!.image, DEFAULT_ORACLE_IMAGE);
            assert.deepEqual(pod.nodeSelector, { "kubernetes.io/arch": "amd64" });
            assert.deepEqual(pod.containers[0]!.args, [...fixedArgs(), "-v"]);
            assertNoSecretIn(only(registered, "kubernetes:apps/v1:Deployment"));
            validateK8s(registered);
            const messages = warn.mock.calls.map((c) => String(c.arguments[0]));
            assert.ok(
                messages.some(
                    (m) =>
                        m.includes("Oracle-capable replicator build") && m.includes("linux/amd64"),
                ),
                messages.join("\n"),
            );
        } finally {
            warn.mock.restore();
        }
    });

    it("uses image and oracleImage overrides", async () => {
        const { registered } = await construct(
            (opts) =>
                new ReplicatorHost(
                    "ora-custom",
                    {
                        targetDialect: "oracle",
                        targetConnection: ORA_TARGET,
                        stagingConnection: STAGING,
                        stagingSchema: "defaultdb._replicator",
                        targetSchema: ["S"],
                        oracleImage: "registry.example/replicator:oracle-v1.3.0",
                    },
                    opts,
                ),
        );
        assert.equal(
            podSpec(only(registered, "kubernetes:apps/v1:Deployment")).containers[0]!.image,
            "registry.example/replicator:oracle-v1.3.0",
        );
        assert.deepEqual(only(registered, "kubernetes:apps/v1:Deployment").inputs.metadata, {
            name: "ora-custom",
            namespace: "default",
            labels: {
                "app.kubernetes.io/name": "replicator",
                "app.kubernetes.io/instance": "ora-custom",
                "app.kubernetes.io/component": "failback-webhook",
                "app.kubernetes.io/managed-by": "pulumi",
            },
        });
    });

    it("disables auth on request: --disableAuthentication, a warning, no key, no token", async () => {
        const warn = mock.method(console, "warn", () => undefined);
        try {
            const { component, registered } = await construct(
                (opts) =>
                    new ReplicatorHost(
                        "noauth",
                        {
                            namespace: "molt",
                            targetDialect: "postgres",
                            targetConnection: PG_TARGET,
                            stagingConnection: STAGING,
                            stagingSchema: "defaultdb._replicator",
                            targetSchema: ["molt", "public"],
                            auth: { mode: "disabled" },
                        },
                        opts,
                    ),
            );
            assert.ok(
                !registered.some(
                    (r) => r.type.includes("ReplicatorAuthKey") || r.name === "noauth-jwt-key",
                ),
            );
            assert.deepEqual(
                podSpec(only(registered, "kubernetes:apps/v1:Deployment")).containers[0]!.args,
                [...fixedArgs(), "--disableAuthentication"],
            );
            assert.equal(await valueOf(component.authToken), undefined);
            assert.ok(
                warn.mock.calls.some((c) =>
                    String(c.arguments[0]).includes("authentication is disabled"),
                ),
            );
        } finally {
            warn.mock.restore();
        }
    });

    describe("external mode with bring-your-own TLS and JWT key", () => {
        const pki = new TestPki();
        let ca: KeyPair;
        let server: KeyPair;
        let client: KeyPair;
        let jwtKey: string;

        before(() => {
            ca = pki.selfSigned({
                commonName: "ext CA",
                allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
                isCaCertificate: true,
                validityHours: 48,
            });
            server = pki.signed(
                {
                    commonName: "ext",
                    dnsNames: ["replicator.example.com"],
                    allowedUses: ["digital_signature", "server_auth"],
                },
                ca,
            );
            client = pki.signed(
                { commonName: "cf", allowedUses: ["digital_signature", "client_auth"] },
                ca,
            );
            jwtKey = pki.ecKey();
        });
        after(() => pki.dispose());

        const externalArgs = (): ReplicatorHostArgs => ({
            targetDialect: "postgres",
            stagingConnection: STAGING,
            stagingSchema: "defaultdb._replicator",
            targetSchema: ["molt", "public"],
            external: {
                url: "https://replicator.example.com:30004",
                metricsUrl: "http://replicator.example.com:30005/_/varz",
            },
            tls: {
                caCertPem: ca.certPem,
                certPem: server.certPem,
                keyPem: server.keyPem,
                clientCertPem: client.certPem,
                clientKeyPem: client.keyPem,
            },
            auth: { privateKeyPem: jwtKey },
        });

        it("registers no @pulumi/tls and no @pulumi/kubernetes resource", async () => {
            const { component, registered } = await construct(
                (opts) => new ReplicatorHost("ext", externalArgs(), opts),
            );
            assert.deepEqual(
                registered.map((r) => r.type),
                [
                    "crdb-failback:index:ReplicatorHost",
                    "pulumi-nodejs:dynamic/crdb-failback:ReplicatorAuthKey",
                ],
            );
            const authKey = registered[1]!;
            assert.ok(isSecretEnvelope(authKey.inputs.privateKeyPem));
            assert.equal(plain(authKey.inputs.privateKeyPem), jwtKey);
            assert.equal(
                await valueOf(component.webhookUrl),
                "https://replicator.example.com:30004/molt/public",
            );
            assert.equal(
                await valueOf(component.metricsUrl),
                "http://replicator.example.com:30005/_/varz",
            );
            assert.equal(await valueOf(component.serviceName), undefined);
            assert.equal(await valueOf(component.caCertPem), ca.certPem);
            assert.equal(await valueOf(component.serverCertPem), server.certPem);
            assert.equal(await valueOf(component.serverKeyPem), server.keyPem);
            assert.equal(await valueOf(component.clientKeyPem), client.keyPem);
            assert.equal(await pulumi.isSecret(component.serverKeyPem), true);
            assert.equal(await pulumi.isSecret(component.clientKeyPem), true);
            assert.equal(await pulumi.isSecret(component.authToken), true);
            assert.equal(await pulumi.isSecret(component.caCertPem), false);
        });

        it("fails at construction with the exact error when the certificate does not cover the external host", () => {
            const args = externalArgs();
            args.external = { url: "https://other.example.net:30004" };
            assert.throws(() => new ReplicatorHost("ext-bad", args), {
                message:
                    'ReplicatorHost "ext-bad": invalid tls: tls.certPem does not cover other.example.net ' +
                    "(its subjectAltName: DNS:replicator.example.com); " +
                    "reissue it with these names as DNS (or IP) subject alternative names",
            });
        });

        it("checks TLS given as Outputs when they resolve, with the same message", async () => {
            const args = externalArgs();
            const tls = args.tls!;
            args.tls = { ...tls, keyPem: pulumi.secret(client.keyPem) };
            const errors = await expectProgramError(
                () => new ReplicatorHost("ext-late", args),
                /invalid tls/,
            );
            const messages = errors.map((e) => e.message);
            assert.ok(
                messages.some((m) =>
                    m.endsWith(
                        'ReplicatorHost "ext-late": invalid tls: tls.keyPem does not belong to the certificate in tls.certPem',
                    ),
                ),
                messages.join("\n"),
            );
            for (const m of messages) assert.ok(!m.includes("PRIVATE KEY"));
        });

        it("covers the Service names with bring-your-own TLS in cluster mode", () => {
            assert.throws(
                () =>
                    new ReplicatorHost("byo", {
                        namespace: "molt",
                        targetDialect: "postgres",
                        targetConnection: PG_TARGET,
                        stagingConnection: STAGING,
                        stagingSchema: "defaultdb._replicator",
                        targetSchema: ["molt", "public"],
                        tls: {
                            caCertPem: ca.certPem,
                            certPem: server.certPem,
                            keyPem: server.keyPem,
                        },
                    }),
                {
                    message:
                        'ReplicatorHost "byo": invalid tls: tls.certPem does not cover byo, byo.molt, byo.molt.svc, ' +
                        "byo.molt.svc.cluster.local (its subjectAltName: DNS:replicator.example.com); " +
                        "reissue it with these names as DNS (or IP) subject alternative names",
                },
            );
        });
    });

    it("rejects invalid arguments synchronously with every problem", () => {
        assert.throws(
            () =>
                new ReplicatorHost("bad", {
                    targetDialect: "mysql",
                    targetConnection: MY_TARGET,
                    stagingConnection: STAGING,
                    stagingSchema: "",
                    targetSchema: ["a", "b"],
                }),
            (err: Error) => {
                assert.ok(err instanceof pulumi.ResourceError);
                assert.equal(
                    err.message,
                    'ReplicatorHost "bad": stagingSchema is required: the staging schema forward replication used, ' +
                        "as `db.schema` (e.g. defaultdb._replicator) or a one-part `db` meaning `db.public`; " +
                        'targetSchema must be ["<database>"] for a MySQL target',
                );
                return true;
            },
        );
    });

    it("rejects a target connection of the wrong dialect without echoing it", () => {
        assert.throws(
            () =>
                new ReplicatorHost("wrong-scheme", {
                    targetDialect: "postgres",
                    targetConnection: MY_TARGET,
                    stagingConnection: STAGING,
                    stagingSchema: "defaultdb._replicator",
                    targetSchema: ["molt", "public"],
                }),
            {
                message:
                    'ReplicatorHost "wrong-scheme": targetConnection must be a postgres:// or postgresql:// ' +
                    "or pg:// or pgx:// URL for a postgres target",
            },
        );
    });

    it("checks connection strings given as secret Outputs when they resolve", async () => {
        const errors = await expectProgramError(
            () =>
                new ReplicatorHost("late-conn", {
                    targetDialect: "postgres",
                    targetConnection: pulumi.secret("postgres://u:pg-pass-123@pg/other"),
                    stagingConnection: STAGING,
                    stagingSchema: "defaultdb._replicator",
                    targetSchema: ["molt", "public"],
                }),
            /late-conn/,
        );
        assert.ok(
            errors.some((e) => e.message.includes('targetConnection must name database "molt"')),
        );
        for (const e of errors) assert.ok(!SECRETS.some((s) => e.message.includes(s)), e.message);
        // The failed program leaves the Kubernetes registrations waiting on the rejected inputs,
        // as a real run would; forget them so the leak check at exit judges only the other tests.
        forgetPendingPromises();
    });
});

function assertNoSecretIn(registration: Registration): void {
    const text = JSON.stringify(registration.inputs);
    for (const secret of [
        ...SECRETS,
        PG_TARGET,
        MY_TARGET,
        ORA_TARGET,
        STAGING,
        "mock-private-key",
        SECRET_SIG,
    ]) {
        assert.ok(
            !text.includes(secret),
            `${registration.type} ${registration.name} contains ${secret}`,
        );
    }
}

function validateK8s(registered: Registration[]): void {
    for (const r of registered) {
        if (!K8S_TYPES.includes(r.type)) continue;
        const object = plain(r.inputs) as Record<string, unknown>;
        if (r.type === "kubernetes:core/v1:Secret")
            new Secret(object as ConstructorParameters<typeof Secret>[0]).validate();
        if (r.type === "kubernetes:apps/v1:Deployment")
            new Deployment(object as ConstructorParameters<typeof Deployment>[0]).validate();
        if (r.type === "kubernetes:core/v1:Service")
            new Service(object as ConstructorParameters<typeof Service>[0]).validate();
    }
}
