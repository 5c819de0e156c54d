import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, describe, it, mock } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import { Failback, type FailbackArgs } from "../../../src/resources/failback";
import { makeTestCertificates, type TestCertificates } from "../../support/replicator/testCerts";
import {
    construct,
    type Construction,
    installMocks,
    isSecretEnvelope,
    MOCK_CURSOR,
    MOCK_GRANTED,
    MOCK_JOB_ID,
    MOCK_PREVIOUS,
    plain,
    type Registration,
    TYPES,
    valueOf,
    visible,
} from "./harness";

const CRDB = "postgresql://root:crdb-pass-111@crdb.example:26257/defaultdb?sslmode=verify-full";
const PG_ADMIN = "postgres://admin:pg-admin-222@pg.example:5432/molt";
const PG_REPL = "postgres://replicator:pg-repl-333@pg.example:5432/molt?sslmode=verify-full";
const MY_ADMIN = "mysql://root:my-admin-444@mysql.example:3306/";
const MY_REPL = "mysql://replicator:my-repl-555@mysql.example:3306/molt";
const ORA_ADMIN = "oracle://SYSTEM:ora-admin-666@ora.example:1521/ORCLPDB1";
const ORA_REPL = "oracle://C%23%23REPL:ora-repl-777@ora.example:1521/ORCLPDB1";
const PASSWORDS = [
    "crdb-pass-111",
    "pg-admin-222",
    "pg-repl-333",
    "my-admin-444",
    "my-repl-555",
    "ora-admin-666",
    "ora-repl-777",
];

function postgresArgs(overrides: Partial<FailbackArgs> = {}): FailbackArgs {
    return {
        cockroachConnection: CRDB,
        stagingSchema: "defaultdb._replicator",
        target: {
            dialect: "postgres",
            adminConnection: PG_ADMIN,
            replicatorConnection: PG_REPL,
            grantee: "replicator",
            database: "molt",
            schema: "public",
            tables: ["orders", "Order Items"],
        },
        replicator: { namespace: "molt" },
        forwardReplication: { metricsUrl: "http://forward.molt:30005/_/varz" },
        // The runbook children without the pre-flight; the pre-flight has its own tests below.
        preflight: false,
        ...overrides,
    };
}

function only(registered: Registration[], type: string): Registration {
    const found = registered.filter((r) => r.type === type);
    assert.equal(found.length, 1, `expected exactly one ${type}, got ${found.length}`);
    return found[0]!;
}

function child(children: Construction[], type: string): Construction {
    const found = children.filter((c) => c.type === type);
    assert.equal(found.length, 1, `expected exactly one ${type}, got ${found.length}`);
    return found[0]!;
}

/** Collects every warning logged while `fn` runs (setMocks sends pulumi.log.warn to console). */
async function withWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
    const warn = mock.method(console, "warn", () => undefined);
    try {
        const result = await fn();
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { result, warnings: warn.mock.calls.map((c) => String(c.arguments[0])) };
    } finally {
        warn.mock.restore();
    }
}

describe("Failback (setMocks)", () => {
    before(installMocks);

    it("creates settings → grants → replicator → drain gate → changefeed as its children", async () => {
        const { component, children, registered } = await construct(
            (opts) => new Failback("failback", postgresArgs(), opts),
        );
        const direct = children.filter((c) => c.parent === component);
        assert.deepEqual(
            direct.map((c) => `${c.type} ${c.name}`),
            [
                `${TYPES.settings} failback-settings`,
                `${TYPES.grants} failback-grants`,
                `${TYPES.host} failback-replicator`,
                `${TYPES.gate} failback-drain-gate`,
                `${TYPES.changefeed} failback-changefeed`,
            ],
        );
        assert.equal(component.clusterSettings, direct[0]!.resource);
        assert.equal(component.grants, direct[1]!.resource);
        assert.equal(component.replicator, direct[2]!.resource);
        assert.equal(component.drainGate, direct[3]!.resource);
        assert.equal(component.changefeed, direct[4]!.resource);
        // The replicator's own children stay under the replicator.
        const authKey = child(children, TYPES.authKey);
        assert.equal(authKey.parent, component.replicator);
        assert.equal(authKey.name, "failback-replicator-auth-key");
        // Component args are not stored in state.
        assert.deepEqual(only(registered, TYPES.failback).inputs, {});
    });

    it("makes the changefeed depend on every other child, and chains the rest in runbook order", async () => {
        const { component, children } = await construct(
            (opts) => new Failback("failback", postgresArgs(), opts),
        );
        const settings = component.clusterSettings!;
        const feed = child(children, TYPES.changefeed);
        assert.deepEqual(
            new Set(feed.dependsOn),
            new Set([settings, component.grants, component.replicator, component.drainGate!]),
        );
        assert.deepEqual(child(children, TYPES.grants).dependsOn, [settings]);
        assert.deepEqual(child(children, TYPES.host).dependsOn, [settings, component.grants]);
        assert.deepEqual(child(children, TYPES.gate).dependsOn, [component.replicator]);
        // The replicator's children wait for the grants through their connection inputs.
        const authKey = child(children, TYPES.authKey);
        const stagingResources = (
            authKey.props.stagingConnection as unknown as { resources(): Set<pulumi.Resource> }
        ).resources();
        assert.ok(stagingResources.has(component.grants), "auth key waits for the grants");
        assert.ok(stagingResources.has(settings), "auth key waits for the settings");
    });

    it("wires the replicator's webhook URL, CA, client certificate, key and token into the changefeed", async () => {
        const { component, registered } = await construct(
            (opts) => new Failback("failback", postgresArgs(), opts),
        );
        const feed = only(registered, TYPES.changefeed);
        const inputs = plain(feed.inputs) as Record<string, unknown>;
        assert.equal(
            inputs.webhookUrl,
            "https://failback-replicator.molt.svc.cluster.local:30004/molt/public",
        );
        assert.equal(inputs.caCertPem, "mock-cert(failback-replicator-ca)");
        assert.equal(inputs.clientCertPem, "mock-cert(failback-replicator-client-cert)");
        assert.equal(inputs.clientKeyPem, "mock-private-key(failback-replicator-client-key)");
        assert.equal(inputs.authToken, "mock-token(failback-replicator-auth-key)");
        assert.deepEqual(inputs.tables, ["orders", "Order Items"]);
        assert.equal(inputs.connection, CRDB);

        assert.equal(await valueOf(component.webhookUrl), inputs.webhookUrl);
        assert.equal(component.webhookPath, "/molt/public");
        assert.equal(await valueOf(component.changefeedJobId), MOCK_JOB_ID);
        assert.equal(await valueOf(component.cursor), MOCK_CURSOR);
        assert.deepEqual(await valueOf(component.granted), MOCK_GRANTED);
        assert.deepEqual(await valueOf(component.settingsPrevious), MOCK_PREVIOUS);

        const grants = plain(only(registered, TYPES.grants).inputs) as Record<string, unknown>;
        assert.equal(grants.connection, PG_ADMIN);
        assert.equal(grants.dialect, "postgres");
        assert.equal(grants.grantee, "replicator");
        assert.equal(grants.schema, "public");
        assert.deepEqual(grants.tables, ["orders", "Order Items"]);
        const settings = plain(only(registered, TYPES.settings).inputs) as Record<string, unknown>;
        assert.equal(settings.connection, CRDB);
        const gate = plain(only(registered, TYPES.gate).inputs) as Record<string, unknown>;
        assert.equal(gate.metricsUrl, "http://forward.molt:30005/_/varz");
    });

    const DIALECT_CASES: Array<{
        dialect: "postgres" | "mysql" | "oracle";
        target: FailbackArgs["target"];
        path: string;
        claim: string[];
        feedTables: string[];
    }> = [
        {
            dialect: "postgres",
            target: postgresArgs().target,
            path: "/molt/public",
            claim: ["molt", "public"],
            feedTables: ["orders", "Order Items"],
        },
        {
            dialect: "mysql",
            target: {
                dialect: "mysql",
                adminConnection: MY_ADMIN,
                replicatorConnection: MY_REPL,
                grantee: "replicator",
                granteeHost: "10.%",
                schema: "molt",
                tables: ["orders"],
            },
            path: "/molt",
            claim: ["molt"],
            feedTables: ["orders"],
        },
        {
            dialect: "oracle",
            target: {
                dialect: "oracle",
                adminConnection: ORA_ADMIN,
                replicatorConnection: ORA_REPL,
                grantee: "C##REPL",
                schema: "MIGRATION_SCHEMA",
                tables: ["EMPLOYEES", "PAYMENTS"],
            },
            path: "/MIGRATION_SCHEMA",
            claim: ["MIGRATION_SCHEMA"],
            // Oracle's upper-case tables are lower case on CockroachDB by default.
            feedTables: ["employees", "payments"],
        },
    ];
    for (const c of DIALECT_CASES) {
        it(`computes the ${c.dialect} webhook path ${c.path} and the matching JWT claim`, async () => {
            const { component, registered } = await construct(
                (opts) => new Failback(`fb-${c.dialect}`, postgresArgs({ target: c.target }), opts),
            );
            assert.equal(component.webhookPath, c.path);
            const authKey = plain(only(registered, TYPES.authKey).inputs) as Record<
                string,
                unknown
            >;
            assert.deepEqual(authKey.schemas, [c.claim]);
            assert.equal(authKey.stagingSchema, "defaultdb._replicator");
            const feed = plain(only(registered, TYPES.changefeed).inputs) as Record<
                string,
                unknown
            >;
            assert.equal(
                feed.webhookUrl,
                `https://fb-${c.dialect}-replicator.molt.svc.cluster.local:30004${c.path}`,
            );
            assert.deepEqual(feed.tables, c.feedTables);
            const grants = plain(only(registered, TYPES.grants).inputs) as Record<string, unknown>;
            assert.equal(grants.dialect, c.dialect);
            assert.equal(grants.schema, c.target.schema);
            assert.equal(grants.granteeHost, c.dialect === "mysql" ? "10.%" : undefined);
            const secretInputs = only(registered, "kubernetes:core/v1:Secret").inputs;
            const stringData = plain(secretInputs.stringData) as Record<string, string>;
            assert.equal(
                Object.values(stringData).includes(c.target.replicatorConnection as string),
                true,
                "the replicator connects with target.replicatorConnection",
            );
        });
    }

    it("keeps every secret out of what a preview shows, and secret outputs secret", async () => {
        const { component, registered } = await construct(
            (opts) => new Failback("failback", postgresArgs(), opts),
        );
        const shown = JSON.stringify(registered.map((r) => visible(r.inputs)));
        for (const password of PASSWORDS) {
            assert.equal(shown.includes(password), false, `${password} is visible`);
        }
        assert.ok(!shown.includes("mock-token"), "the token is never visible");
        assert.ok(!shown.includes("mock-private-key"), "no private key is visible");
        const feed = only(registered, TYPES.changefeed).inputs;
        for (const key of ["connection", "clientKeyPem", "authToken"]) {
            assert.ok(isSecretEnvelope(feed[key]), `changefeed ${key} is secret`);
        }
        assert.ok(isSecretEnvelope(only(registered, TYPES.grants).inputs.connection));
        assert.ok(isSecretEnvelope(only(registered, TYPES.settings).inputs.connection));

        assert.equal(await pulumi.isSecret(component.replicator.authToken), true);
        assert.equal(await pulumi.isSecret(component.replicator.clientKeyPem), true);
        assert.equal(await pulumi.isSecret(component.webhookUrl), false);
        assert.equal(await pulumi.isSecret(component.cursor), false);
        assert.equal(await pulumi.isSecret(component.changefeedJobId), false);
    });

    it("passes Output secrets through secret and validates them when they resolve", async () => {
        const { registered } = await construct(
            (opts) =>
                new Failback(
                    "outputs",
                    postgresArgs({
                        cockroachConnection: pulumi.output(CRDB),
                        target: {
                            ...postgresArgs().target,
                            adminConnection: pulumi.secret(PG_ADMIN),
                            replicatorConnection: pulumi.output(PG_REPL),
                            tables: pulumi.output(["orders"]),
                        },
                    }),
                    opts,
                ),
        );
        const grants = only(registered, TYPES.grants).inputs;
        assert.ok(isSecretEnvelope(grants.connection));
        assert.deepEqual(grants.tables, ["orders"], "tables stay visible");
        assert.ok(isSecretEnvelope(only(registered, TYPES.changefeed).inputs.connection));
    });

    it("skips ClusterSettings with clusterSettings: false and passes settings through otherwise", async () => {
        const off = await construct(
            (opts) => new Failback("nosettings", postgresArgs({ clusterSettings: false }), opts),
        );
        assert.equal(off.component.clusterSettings, undefined);
        assert.equal(off.registered.filter((r) => r.type === TYPES.settings).length, 0);
        assert.equal(await valueOf(off.component.settingsPrevious), undefined);
        assert.deepEqual(
            child(off.children, TYPES.grants).dependsOn,
            [],
            "nothing to wait for before the grants",
        );

        const on = await construct(
            (opts) =>
                new Failback(
                    "tuned",
                    postgresArgs({
                        clusterSettings: {
                            closedTimestampRefreshInterval: "250ms",
                            onDelete: "restore",
                        },
                    }),
                    opts,
                ),
        );
        const settings = plain(only(on.registered, TYPES.settings).inputs) as Record<
            string,
            unknown
        >;
        assert.equal(settings.closedTimestampRefreshInterval, "250ms");
        assert.equal(settings.onDelete, "restore");
    });

    it("runs an external replicator with bring-your-own TLS and JWT key: no tls or kubernetes resources", async () => {
        const certs: TestCertificates = makeTestCertificates();
        const jwt = {
            privateKeyPem: generateKeyPairSync("ec", { namedCurve: "P-256" })
                .privateKey.export({ type: "pkcs8", format: "pem" })
                .toString(),
        };
        const { component, registered } = await construct(
            (opts) =>
                new Failback(
                    "external",
                    postgresArgs({
                        replicator: {
                            external: { url: "https://127.0.0.1:30004" },
                            tls: {
                                caCertPem: certs.caPem,
                                certPem: certs.serverCertPem,
                                keyPem: certs.serverKeyPem,
                                clientCertPem: certs.clientCertPem,
                                clientKeyPem: certs.clientKeyPem,
                            },
                            auth: { privateKeyPem: jwt.privateKeyPem },
                        },
                        changefeed: { resolved: "100ms", minCheckpointFrequency: "100ms" },
                    }),
                    opts,
                ),
        );
        assert.deepEqual(
            registered.filter((r) => r.type.startsWith("tls:") || r.type.startsWith("kubernetes:")),
            [],
        );
        const feed = plain(only(registered, TYPES.changefeed).inputs) as Record<string, unknown>;
        assert.equal(feed.webhookUrl, "https://127.0.0.1:30004/molt/public");
        assert.equal(feed.caCertPem, certs.caPem);
        assert.equal(feed.clientCertPem, certs.clientCertPem);
        assert.equal(feed.clientKeyPem, certs.clientKeyPem);
        assert.equal(feed.resolved, "100ms");
        assert.equal(feed.minCheckpointFrequency, "100ms");
        const shown = JSON.stringify(registered.map((r) => visible(r.inputs)));
        assert.ok(!shown.includes(certs.serverKeyPem.slice(40, 80)), "server key never visible");
        assert.ok(!shown.includes(certs.clientKeyPem.slice(40, 80)), "client key never visible");
        assert.ok(!shown.includes(jwt.privateKeyPem.slice(40, 80)), "JWT key never visible");
        assert.equal(await valueOf(component.webhookUrl), "https://127.0.0.1:30004/molt/public");
    });

    it("warns when the drain state is unknown and when the grantee is not the replicator's user", async () => {
        const { warnings } = await withWarnings(() =>
            construct(
                (opts) =>
                    new Failback(
                        "warned",
                        postgresArgs({
                            forwardReplication: undefined,
                            target: { ...postgresArgs().target, grantee: "replicator_role" },
                        }),
                        opts,
                    ),
            ),
        );
        const mine = warnings.filter((w) => w.includes('Failback "warned"'));
        assert.equal(mine.length, 2, mine.join("\n"));
        assert.match(mine.join("\n"), /no forwardReplication given: the changefeed's cursor/);
        assert.match(
            mine.join("\n"),
            /target\.grantee "replicator_role" is not the user target\.replicatorConnection connects as/,
        );
        for (const password of PASSWORDS) assert.ok(!warnings.join("\n").includes(password));
    });

    it("does not warn about the drain with { drained: true } or an explicit cursor, and creates no gate without a metrics URL", async () => {
        for (const overrides of [
            { forwardReplication: { drained: true as const } },
            { forwardReplication: undefined, changefeed: { cursor: MOCK_CURSOR } },
        ]) {
            const { result, warnings } = await withWarnings(() =>
                construct((opts) => new Failback("quiet", postgresArgs(overrides), opts)),
            );
            assert.deepEqual(
                warnings.filter((w) => w.includes('Failback "quiet"')),
                [],
            );
            assert.equal(result.component.drainGate, undefined);
            assert.equal(
                result.registered.filter((r) => r.type === TYPES.gate).length,
                0,
                "no gate",
            );
        }
    });

    it("records { drained: true, metricsUrl } in a gate that does not wait", async () => {
        const { registered } = await construct(
            (opts) =>
                new Failback(
                    "acked",
                    postgresArgs({
                        forwardReplication: {
                            drained: true,
                            metricsUrl: "http://forward.molt:30005/_/varz",
                        },
                    }),
                    opts,
                ),
        );
        const gate = plain(only(registered, TYPES.gate).inputs) as Record<string, unknown>;
        assert.equal(gate.drained, true);
        assert.equal(gate.metricsUrl, "http://forward.molt:30005/_/varz");
    });

    it("passes delivery verification to the changefeed: staging, staging schema and the target schema per dialect", async () => {
        for (const c of DIALECT_CASES) {
            const { registered } = await construct(
                (opts) =>
                    new Failback(`verify-${c.dialect}`, postgresArgs({ target: c.target }), opts),
            );
            const feed = only(registered, TYPES.changefeed).inputs;
            assert.deepEqual(
                feed.verifyDelivery,
                { stagingSchema: "defaultdb._replicator", targetSchema: c.claim },
                `${c.dialect}: the partition the replicator writes is the webhook path's schema`,
            );
            assert.ok(isSecretEnvelope(feed.stagingConnection), "the staging connection is secret");
            assert.equal(plain(feed.stagingConnection), CRDB, "staging defaults to CockroachDB");
        }
    });

    it("verifies on the separate staging cluster, honours verifyDeliverySeconds, and turns off with false", async () => {
        const staging = "postgresql://stager:stage-999@crdb2.example:26257/defaultdb";
        const timed = await construct(
            (opts) =>
                new Failback(
                    "verify-timed",
                    postgresArgs({
                        stagingConnection: staging,
                        changefeed: { verifyDeliverySeconds: 300, resolved: "1s" },
                    }),
                    opts,
                ),
        );
        const feed = only(timed.registered, TYPES.changefeed).inputs;
        assert.deepEqual(feed.verifyDelivery, {
            stagingSchema: "defaultdb._replicator",
            targetSchema: ["molt", "public"],
            timeoutSeconds: 300,
        });
        assert.equal(plain(feed.stagingConnection), staging);
        assert.equal(feed.resolved, "1s");
        assert.equal("verifyDeliverySeconds" in feed, false, "not a Changefeed argument");
        const shown = JSON.stringify(visible(feed));
        assert.ok(!shown.includes("stage-999"), "the staging password is never visible");

        const off = await construct(
            (opts) =>
                new Failback(
                    "verify-off",
                    postgresArgs({ changefeed: { verifyDeliverySeconds: false } }),
                    opts,
                ),
        );
        const offFeed = only(off.registered, TYPES.changefeed).inputs;
        assert.equal(offFeed.verifyDelivery, false);
        assert.equal(offFeed.stagingConnection, undefined);
    });

    it("uses stagingConnection for the replicator's staging when given", async () => {
        const staging = "postgresql://stager:stage-888@crdb2.example:26257/defaultdb";
        const { registered } = await construct(
            (opts) =>
                new Failback(
                    "staged",
                    postgresArgs({ stagingConnection: staging, stagingCreateSchema: true }),
                    opts,
                ),
        );
        const authKey = plain(only(registered, TYPES.authKey).inputs) as Record<string, unknown>;
        assert.equal(authKey.stagingConnection, staging);
        const settings = plain(only(registered, TYPES.settings).inputs) as Record<string, unknown>;
        assert.equal(settings.connection, CRDB);
        const deployment = only(registered, "kubernetes:apps/v1:Deployment").inputs as {
            spec: { template: { spec: { containers: Array<{ args: string[] }> } } };
        };
        assert.ok(
            deployment.spec.template.spec.containers[0]!.args.includes("--stagingCreateSchema"),
        );
    });
});
