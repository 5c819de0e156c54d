import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import { Failback, type FailbackArgs } from "../../../src/resources/failback";
import { ownTableName, uncoveredTables } from "../../../src/resources/failback/tables";
import { failbackTargetSchema, failbackWebhookPath } from "../../../src/resources/failback/webhook";
import { makeTestCertificates } from "../../support/replicator/testCerts";
import {
    expectProgramError,
    forgetPendingPromises,
    installMocks,
    registrations,
    TYPES,
} from "./harness";

const CRDB = "postgresql://root:crdb-pass-111@crdb.example:26257/defaultdb?sslmode=verify-full";
const SECRETS = ["crdb-pass-111", "pw-admin-222", "pw-repl-333"];

function messageOf(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        return (err as Error).message;
    }
    assert.fail("expected an error");
}

function validArgs(): FailbackArgs {
    return {
        cockroachConnection: CRDB,
        stagingSchema: "defaultdb._replicator",
        target: {
            dialect: "postgres",
            adminConnection: "postgres://admin:pw-admin-222@pg.example:5432/molt",
            replicatorConnection: "postgres://replicator:pw-repl-333@pg.example:5432/molt",
            grantee: "replicator",
            database: "molt",
            schema: "public",
            tables: ["orders"],
        },
        forwardReplication: { drained: true },
    };
}

describe("Failback argument validation", () => {
    before(installMocks);

    it("reports every structural and value problem in one error, before anything is registered", () => {
        const before = registrations.length;
        const message = messageOf(
            () =>
                new Failback("bad", {
                    cockroachConnection: "mysql://root:crdb-pass-111@h:3306/x",
                    stagingSchema: "a.b.c",
                    target: {
                        dialect: "postgres",
                        adminConnection: "mysql://admin:pw-admin-222@h/db",
                        replicatorConnection: "postgres://replicator:pw-repl-333@h:5432/other",
                        grantee: "replicator",
                        granteeHost: "%",
                        schema: "public",
                        tables: [],
                    },
                    changefeedTables: ["public.orders"],
                    forwardReplication: { metricsUrl: "ftp://x", quietPeriodSeconds: 0 },
                    replicator: { port: 70000, external: { url: "http://x:1" } },
                }),
        );
        assert.equal(
            message,
            [
                'Failback "bad": 10 problems with the arguments (nothing was created):',
                '  - stagingSchema "a.b.c" must be db.schema (e.g. defaultdb._replicator) or a one-part db meaning db.public, without quotes or spaces',
                "  - target.database is required for a PostgreSQL target: the database of target.replicatorConnection, the first segment of the webhook path /<database>/<schema>",
                "  - target.granteeHost is only for a MySQL target (the host part of 'user'@'host')",
                "  - forwardReplication.metricsUrl must be the forward replicator's metrics URL, http(s)://host:port/_/varz",
                "  - forwardReplication.quietPeriodSeconds must be a positive whole number of seconds",
                "  - replicator: port must be a TCP port (1-65535)",
                "  - replicator: external.url must use https: CockroachDB webhook sinks only speak HTTPS",
                "  - cockroachConnection must be a CockroachDB SQL URL such as postgresql://user:password@host:26257/defaultdb?sslmode=verify-full",
                '  - target.adminConnection must start with postgres:// or postgresql://: target.dialect is "postgres" (PostgreSQL)',
                "  - target.tables must list at least one table",
            ].join("\n"),
        );
        for (const secret of SECRETS) assert.ok(!message.includes(secret), `${secret} leaked`);
        assert.equal(registrations.length, before, "not even the component was registered");
    });

    it("checks databases, URL schemes and changefeed table coverage", () => {
        const args = validArgs();
        const message = messageOf(
            () =>
                new Failback("bad2", {
                    ...args,
                    target: {
                        ...args.target,
                        adminConnection: "postgres://admin:pw-admin-222@h/postgres",
                        replicatorConnection: "mysql://replicator:pw-repl-333@h:5432/other",
                    },
                    changefeedTables: ["public.orders", 'defaultdb.public."Payments"', "x"],
                }),
        );
        assert.equal(
            message,
            [
                'Failback "bad2": 3 problems with the arguments (nothing was created):',
                '  - target.replicatorConnection must start with postgres://, postgresql://, pg:// or pgx://: target.dialect is "postgres" (PostgreSQL)',
                '  - target.adminConnection must name database "molt" (target.database): PostgreSQL grants are made per database (it names "postgres")',
                '  - changefeedTables "defaultdb.public.\\"Payments\\"", "x" are not in target.tables, so the replicator is granted nothing on them: add them to target.tables or remove them from changefeedTables',
            ].join("\n"),
        );
    });

    it("rejects a PostgreSQL replicator connection to another database", () => {
        const args = validArgs();
        const message = messageOf(
            () =>
                new Failback("db", {
                    ...args,
                    target: {
                        ...args.target,
                        replicatorConnection: "postgresql://replicator:pw-repl-333@h:5432/",
                    },
                }),
        );
        assert.equal(
            message,
            'Failback "db": 1 problem with the arguments (nothing was created):\n' +
                '  - target.replicatorConnection must name database "molt" (target.database): the replicator writes "molt".<schema>.<table> through it and PostgreSQL rejects cross-database names (it names no database)',
        );
    });

    it("checks MySQL and Oracle specifics, the staging schema and the drain acknowledgement", () => {
        const message = messageOf(
            () =>
                new Failback("bad3", {
                    cockroachConnection: CRDB,
                    stagingSchema: "",
                    stagingConnection: "mysql://x:y@h/z",
                    target: {
                        dialect: "mysql",
                        database: "other",
                        adminConnection: "postgres://admin:pw-admin-222@h/postgres",
                        replicatorConnection: "mysql://replicator:pw-repl-333@h:3306/other",
                        grantee: "",
                        schema: "molt",
                        tables: ["orders"],
                    },
                    changefeedTables: [],
                    forwardReplication: { drained: true, quietPeriodSeconds: 5 } as never,
                }),
        );
        assert.equal(
            message,
            [
                'Failback "bad3": 7 problems with the arguments (nothing was created):',
                "  - stagingSchema is required: the staging schema forward replication used, as db.schema (e.g. defaultdb._replicator) or a one-part db meaning db.public",
                '  - target.database ("other") must equal target.schema ("molt") for a MySQL target, whose database is the schema; leave target.database out',
                "  - forwardReplication.quietPeriodSeconds is only used when waiting for the drain (without drained: true)",
                "  - stagingConnection must be a CockroachDB SQL URL such as postgresql://user:password@host:26257/defaultdb?sslmode=verify-full",
                '  - target.adminConnection must start with mysql://: target.dialect is "mysql" (MySQL)',
                "  - target.grantee must be a non-empty role or user name",
                "  - changefeedTables must list at least one table",
            ].join("\n"),
        );

        const oracle = messageOf(
            () =>
                new Failback("ora", {
                    ...validArgs(),
                    target: {
                        dialect: "oracle",
                        database: "ORCLPDB1",
                        adminConnection: "oracle://SYSTEM:pw-admin-222@h:1521/ORCLPDB1",
                        replicatorConnection: "postgres://replicator:pw-repl-333@h:5432/x",
                        grantee: "C##REPL",
                        schema: "MIGRATION_SCHEMA",
                        tables: ["EMPLOYEES"],
                    },
                }),
        );
        assert.equal(
            oracle,
            [
                'Failback "ora": 2 problems with the arguments (nothing was created):',
                "  - target.database is not used for an Oracle target (the webhook path is /<SCHEMA>); leave it out",
                '  - target.replicatorConnection must start with oracle:// or ora://: target.dialect is "oracle" (Oracle)',
            ].join("\n"),
        );
    });

    it("reports brought-in TLS that does not cover the external replicator's host", () => {
        const certs = makeTestCertificates();
        const message = messageOf(
            () =>
                new Failback("tls", {
                    ...validArgs(),
                    replicator: {
                        external: { url: "https://replicator.example.com:30004" },
                        tls: {
                            caCertPem: certs.caPem,
                            certPem: certs.serverCertPem,
                            keyPem: certs.serverKeyPem,
                        },
                    },
                }),
        );
        assert.match(
            message,
            /^Failback "tls": 1 problem with the arguments \(nothing was created\):\n {2}- replicator\.tls\.certPem does not cover replicator\.example\.com /,
        );
        assert.ok(!message.includes("PRIVATE KEY"));
    });

    it("validates Output values when they resolve, in one error, and registers no child", async () => {
        const args = validArgs();
        const before = registrations.length;
        const errors = await expectProgramError(
            () =>
                new Failback("late", {
                    ...args,
                    cockroachConnection: pulumi.secret("postgresql://root:crdb-pass-111@h/x?x=1"),
                    target: {
                        ...args.target,
                        adminConnection: pulumi.secret("mysql://admin:pw-admin-222@h/"),
                        replicatorConnection: pulumi.secret(
                            "postgres://replicator:pw-repl-333@h:5432/other",
                        ),
                        tables: pulumi.output(["orders"]),
                    },
                    changefeedTables: pulumi.output(["payments"]),
                }),
            /Failback "late": 3 problems/,
        );
        // The engine prefixes the property path the failed input was serialized for.
        const error = errors.find((e) => /Failback "late"/.test(e.message))!;
        const message = error.message.slice(error.message.indexOf('Failback "late"'));
        assert.equal(
            message,
            [
                'Failback "late": 3 problems with the arguments (nothing was created):',
                '  - target.adminConnection must start with postgres:// or postgresql://: target.dialect is "postgres" (PostgreSQL)',
                '  - target.replicatorConnection must name database "molt" (target.database): the replicator writes "molt".<schema>.<table> through it and PostgreSQL rejects cross-database names (it names "other")',
                '  - changefeedTables "payments" is not in target.tables, so the replicator is granted nothing on it: add it to target.tables or remove it from changefeedTables',
            ].join("\n"),
        );
        for (const e of errors) {
            for (const secret of SECRETS) assert.ok(!e.message.includes(secret));
        }
        const late = registrations.slice(before).map((r) => r.type);
        assert.deepEqual(
            late.filter((t) => t !== TYPES.failback && t !== TYPES.host),
            [],
            "no child that could change a database was registered",
        );
        forgetPendingPromises();
    });
});

describe("Failback webhook path and table helpers", () => {
    it("names the target schema per dialect", () => {
        assert.deepEqual(failbackTargetSchema("postgres", "molt", "public"), ["molt", "public"]);
        assert.deepEqual(failbackTargetSchema("mysql", undefined, "molt"), ["molt"]);
        assert.deepEqual(failbackTargetSchema("oracle", undefined, "MIGRATION_SCHEMA"), [
            "MIGRATION_SCHEMA",
        ]);
        assert.equal(failbackWebhookPath("postgres", "my db", "public"), "/my%20db/public");
        assert.equal(failbackWebhookPath("mysql", undefined, "molt"), "/molt");
        assert.equal(
            failbackWebhookPath("oracle", undefined, "MIGRATION_SCHEMA"),
            "/MIGRATION_SCHEMA",
        );
    });

    it("takes a table's own name from one-, two- and three-part references", () => {
        assert.equal(ownTableName("orders"), "orders");
        assert.equal(ownTableName("public.orders"), "orders");
        assert.equal(ownTableName('defaultdb.public."Order Items"'), "Order Items");
        assert.equal(ownTableName('"a.b"'), "a.b");
        assert.equal(ownTableName('"say ""hi"""'), 'say "hi"');
    });

    it("matches changefeed tables to target tables case-insensitively", () => {
        assert.deepEqual(uncoveredTables(["public.employees"], ["EMPLOYEES"]), []);
        assert.deepEqual(uncoveredTables(["public.a", "b"], ["A"]), ["b"]);
    });
});
