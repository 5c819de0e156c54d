import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ReplicatorHostArgs } from "../../../src/resources/replicatorHost/args";
import { tuningFlags } from "../../../src/resources/replicatorHost/flags";
import {
    defaultServiceName,
    parseExternalUrl,
    serviceDnsNames,
    targetSchemaFromWebhookPath,
    webhookPathFor,
} from "../../../src/resources/replicatorHost/names";
import { connectionProblems, planReplicatorHost } from "../../../src/resources/replicatorHost/plan";

const base: ReplicatorHostArgs = {
    targetDialect: "postgres",
    targetConnection: "postgres://u:p@pg:5432/molt",
    stagingConnection: "postgresql://root@crdb:26257/defaultdb",
    stagingSchema: "defaultdb._replicator",
    targetSchema: ["molt", "public"],
};

const FIXED_ARGS = [
    "start",
    "--bindAddr=:30004",
    "--metricsAddr=:30005",
    "--stagingSchema=defaultdb._replicator",
    "--tlsCertificate=/tls/tls.crt",
    "--tlsPrivateKey=/tls/tls.key",
    "--targetConn=$(TARGET_CONN)",
    "--stagingConn=$(STAGING_CONN)",
    "--dataDir=/data",
];

describe("planReplicatorHost", () => {
    it("derives the defaults", () => {
        const plan = planReplicatorHost("Failback_Host", base);
        assert.equal(plan.serviceName, "failback-host");
        assert.equal(plan.secretName, "failback-host-secret");
        assert.equal(plan.port, 30004);
        assert.equal(plan.metricsPort, 30005);
        assert.equal(plan.replicas, 1);
        assert.equal(plan.serviceType, "ClusterIP");
        assert.equal(plan.authMode, "jwt");
        assert.equal(plan.tlsValidityHours, 8760);
        assert.equal(plan.tlsEarlyRenewalHours, 720);
        assert.deepEqual(plan.staging, { database: "defaultdb", schema: "_replicator" });
        assert.equal(plan.webhookPath, "/molt/public");
        assert.deepEqual(plan.args, FIXED_ARGS);
        assert.equal(plan.external, undefined);
    });

    it("passes tuning flags only when set, then extraArgs last", () => {
        const plan = planReplicatorHost("r", {
            ...base,
            stagingCreateSchema: true,
            auth: { mode: "disabled" },
            parallelism: 8,
            flushSize: 500,
            flushPeriod: "500ms",
            quiescentPeriod: "5s",
            scanSize: 2000,
            targetMaxPoolSize: 16,
            stagingMaxPoolSize: 32,
            applyTimeout: "1m",
            bestEffortWindow: "0",
            bestEffortOnly: false,
            immediate: true,
            verbosity: 2,
            logFormat: "fluent",
            extraArgs: ["--schemaRefresh=30s"],
        });
        assert.deepEqual(plan.args, [
            ...FIXED_ARGS,
            "--stagingCreateSchema",
            "--disableAuthentication",
            "--parallelism=8",
            "--flushSize=500",
            "--flushPeriod=500ms",
            "--quiescentPeriod=5s",
            "--scanSize=2000",
            "--targetMaxPoolSize=16",
            "--stagingMaxPoolSize=32",
            "--applyTimeout=1m",
            "--bestEffortWindow=0",
            "--bestEffortOnly=false",
            "--immediate=true",
            "--logFormat=fluent",
            "-vv",
            "--schemaRefresh=30s",
        ]);
        assert.deepEqual(tuningFlags({}), []);
        assert.deepEqual(tuningFlags({ verbosity: 1 }), ["-v"]);
        assert.deepEqual(tuningFlags({ verbosity: 0 }), []);
    });

    it("accepts a one-part staging schema as db.public and passes it as given", () => {
        const plan = planReplicatorHost("r", { ...base, stagingSchema: "_replicator" });
        assert.deepEqual(plan.staging, { database: "_replicator", schema: "public" });
        assert.ok(plan.args.includes("--stagingSchema=_replicator"));
    });

    it("takes one target schema part for MySQL and Oracle", () => {
        const my = planReplicatorHost("r", {
            ...base,
            targetDialect: "mysql",
            targetSchema: ["molt"],
        });
        assert.equal(my.webhookPath, "/molt");
        const ora = planReplicatorHost("r", {
            ...base,
            targetDialect: "oracle",
            targetSchema: ["MIGRATION_SCHEMA"],
        });
        assert.equal(ora.webhookPath, "/MIGRATION_SCHEMA");
    });

    it("reports every problem at once", () => {
        assert.throws(
            () =>
                planReplicatorHost("r", {
                    ...base,
                    stagingSchema: "a.b.c",
                    targetSchema: ["molt"],
                    port: 30005,
                    replicas: -1,
                    serviceName: "Bad_Name",
                    parallelism: 0,
                    flushPeriod: "1 second",
                    bestEffortOnly: "yes" as unknown as boolean,
                    extraArgs: ["--targetConn=postgres://u:secret@h/db", "-v"],
                    tlsEarlyRenewalHours: 9000,
                }),
            {
                message: [
                    "stagingSchema is required: the staging schema forward replication used, as `db.schema` (e.g. defaultdb._replicator) or a one-part `db` meaning `db.public`",
                    'targetSchema must be ["<database>", "<schema>"] for a PostgreSQL target',
                    "port and metricsPort must differ",
                    "replicas must be a whole number ≥ 0",
                    `serviceName "Bad_Name" must be a DNS label: lower-case letters, digits and '-', starting with a letter, at most 63 characters`,
                    "tlsEarlyRenewalHours must be a whole number of hours below tlsValidityHours",
                    "parallelism must be a positive whole number",
                    'flushPeriod must be a Go duration such as "500ms", "10s" or "1h"',
                    "bestEffortOnly must be true or false",
                    "extraArgs must not set --targetConn: the component sets it (use the typed argument)",
                    "extraArgs must not set -v: the component sets it (use the typed argument)",
                ].join("; "),
            },
        );
    });

    it("requires stagingSchema and a known dialect", () => {
        assert.throws(
            () =>
                planReplicatorHost("r", {
                    ...base,
                    stagingSchema: undefined as unknown as string,
                    targetDialect: "sqlite" as "postgres",
                }),
            /^Error: targetDialect must be "postgres", "mysql" or "oracle"; stagingSchema is required/,
        );
    });

    it("wants parallelism below targetMaxPoolSize", () => {
        assert.throws(
            () => planReplicatorHost("r", { ...base, parallelism: 16, targetMaxPoolSize: 16 }),
            {
                message: "parallelism must be below targetMaxPoolSize",
            },
        );
    });

    it("needs targetConnection unless external", () => {
        assert.throws(() => planReplicatorHost("r", { ...base, targetConnection: undefined }), {
            message: "targetConnection is required unless external is set",
        });
        const plan = planReplicatorHost("r", {
            ...base,
            targetConnection: undefined,
            external: {
                url: "https://replicator.example.com:30004/ignored",
                metricsUrl: "http://replicator.example.com:30005/_/varz",
            },
        });
        assert.deepEqual(plan.external, {
            origin: "https://replicator.example.com:30004",
            host: "replicator.example.com",
            metricsUrl: "http://replicator.example.com:30005/_/varz",
        });
    });

    it("rejects a non-https external URL", () => {
        assert.throws(
            () => planReplicatorHost("r", { ...base, external: { url: "http://h:30004" } }),
            {
                message: "external.url must use https: CockroachDB webhook sinks only speak HTTPS",
            },
        );
    });
});

describe("connectionProblems", () => {
    const pg = { targetDialect: "postgres" as const, targetSchema: ["molt", "public"] };
    const staging = "postgresql://root@crdb:26257/defaultdb";

    it("accepts matching URLs", () => {
        assert.deepEqual(connectionProblems(pg, "postgres://u:p@h/molt", staging), []);
        assert.deepEqual(
            connectionProblems(
                { targetDialect: "mysql", targetSchema: ["molt"] },
                "mysql://u:p@h:3306/molt",
                staging,
            ),
            [],
        );
        assert.deepEqual(
            connectionProblems(
                { targetDialect: "oracle", targetSchema: ["S"] },
                "oracle://C%23%23U:p@h:1521/ORCLPDB1",
                staging,
            ),
            [],
        );
    });

    it("names the problem without echoing the secret", () => {
        const problems = connectionProblems(
            pg,
            "mysql://u:hunter2@h/molt",
            "mysql://x:hunter3@h/db",
        );
        assert.deepEqual(problems, [
            "stagingConnection must be a CockroachDB SQL URL such as postgresql://user:password@host:26257/defaultdb?sslmode=verify-full",
            "targetConnection must be a postgres:// or postgresql:// or pg:// or pgx:// URL for a postgres target",
        ]);
        assert.ok(!problems.join().includes("hunter"));
    });

    it("wants the PostgreSQL webhook database to be the connection's", () => {
        assert.deepEqual(connectionProblems(pg, "postgres://u:p@h/other", staging), [
            'targetConnection must name database "molt" (targetSchema[0]): the replicator writes "molt"."public".<table> through it, and PostgreSQL rejects cross-database names (it names "other")',
        ]);
    });
});

describe("names", () => {
    it("builds the Service DNS names", () => {
        assert.deepEqual(serviceDnsNames("r", "ns", "cluster.local"), [
            "r",
            "r.ns",
            "r.ns.svc",
            "r.ns.svc.cluster.local",
        ]);
    });

    it("derives a DNS-label service name", () => {
        assert.equal(defaultServiceName("My.Replicator_1"), "my-replicator-1");
        assert.equal(defaultServiceName("123"), "replicator");
    });

    it("maps webhook paths and target schemas both ways", () => {
        assert.equal(webhookPathFor(["my db", "public"]), "/my%20db/public");
        assert.deepEqual(targetSchemaFromWebhookPath("postgres", "/my%20db/public"), [
            "my db",
            "public",
        ]);
        assert.deepEqual(targetSchemaFromWebhookPath("mysql", "/molt/"), ["molt"]);
        assert.equal(targetSchemaFromWebhookPath("oracle", "/a/b"), undefined);
    });

    it("parses external URLs, writing the port", () => {
        assert.deepEqual(parseExternalUrl("https://[::1]"), {
            origin: "https://[::1]:443",
            host: "::1",
        });
        assert.equal(
            parseExternalUrl("https://u:p@h"),
            "external.url must not contain credentials",
        );
    });
});
