/**
 * Secrets audit with the real engine: a stack of TargetGrants + ClusterSettings + Changefeed
 * whose secrets arrive as PLAIN config values runs preview → up → preview → refresh → destroy.
 * Neither the raw state file (resources; the default dynamic provider holds the plain stack
 * config by engine design) nor anything the CLI printed may contain a password, the client
 * private key, the JWT or the unredacted sink URI — in plaintext, base64, URL-encoded or
 * JSON-escaped form.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import {
    backendFiles,
    createEngineStack,
    type EngineStack,
    findBackendLeaks,
    findLeaks,
    resourcesExceptDynamicProvider,
} from "../support/engine/engine";
import { REPO_ROOT } from "../support/engine/packageInstall";
import { createTestCertificates, type TestCertificates } from "../support/cockroach/feed/testCerts";
import {
    startWebhookReceiver,
    type WebhookReceiver,
} from "../support/cockroach/feed/webhookReceiver";
import { snapshotPostgresPrivileges } from "../support/grants/snapshots";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import { withMysql as withMysqlAdmin } from "../support/sessions";
import {
    type Cockroach,
    eventually,
    postgresDatabaseUrl,
    startCockroach,
    withPg,
} from "./environment";

const PROGRAM = path.join(__dirname, "programs", "secrets-audit");

/** A JWT-shaped bearer token (header.claims.signature, base64url). */
function jwtShapedToken(): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const signature = Buffer.from(`sig-${Math.random()}-${Date.now()}`).toString("base64url");
    return `${part({ alg: "ES256", typ: "JWT" })}.${part({
        jti: uniqueName("jti"),
        "https://github.com/cockroachdb/replicator": { schemas: ["defaultdb.public"] },
    })}.${signature}`;
}

describe("secrets audit: state and CLI output of a full stack", () => {
    const database = uniqueName("audit_db");
    const grantee = uniqueName("audit_r");
    const adminRole = uniqueName("audit_admin");
    const pgPassword = `pg-${Math.random().toString(36).slice(2)}-Secret!`;
    const crdbPassword = `crdb-${Math.random().toString(36).slice(2)}-Secret`;
    const token = jwtShapedToken();
    const dbUrl = postgresDatabaseUrl(database);
    let targetConnection = "";
    let cockroach: Cockroach;
    let certs: TestCertificates;
    let receiver: WebhookReceiver;
    let engine: EngineStack | undefined;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(async (c) => {
            await c.query(`CREATE DATABASE ${database}`);
            await c.query(`CREATE ROLE ${grantee} LOGIN`);
            await c.query(
                `CREATE ROLE ${adminRole} LOGIN SUPERUSER PASSWORD '${pgPassword.replace(/'/g, "''")}'`,
            );
        });
        await withPg((c) => c.query("CREATE TABLE public.orders (id int PRIMARY KEY)"), dbUrl);
        const url = new URL(dbUrl);
        url.username = adminRole;
        url.password = encodeURIComponent(pgPassword);
        targetConnection = url.toString();

        certs = await createTestCertificates();
        cockroach = await startCockroach();
        await cockroach.sql("CREATE TABLE t1 (id INT PRIMARY KEY, v TEXT)");
        receiver = await startWebhookReceiver(certs.server, certs.ca.certPem);
        receiver.respond = (request) =>
            request.clientAuthorized && request.headers.authorization === `Bearer ${token}`
                ? { status: 200 }
                : { status: 401, body: "unauthorized" };
    });

    after(async () => {
        // A failed run may have left resources behind: destroy is idempotent.
        await engine?.destroy().catch(() => undefined);
        await engine?.dispose();
        await receiver?.close();
        await cockroach?.stop();
        await withPg(async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${grantee}`);
            await c.query(`DROP ROLE IF EXISTS ${adminRole}`);
        });
    });

    let secrets: string[] = [];

    it("preview of the full stack prints no secret", async () => {
        const cockroachConnection = cockroach.server.urlFor("root", crdbPassword);
        engine = await createEngineStack({
            programDir: PROGRAM,
            config: {
                targetConnection,
                grantee,
                cockroachConnection,
                webhookUrl: `https://127.0.0.1:${receiver.port}/defaultdb/public`,
                caCertPem: certs.ca.certPem,
                clientCertPem: certs.client.certPem,
                clientKeyPem: certs.client.keyPem,
                authToken: token,
            },
        });
        secrets = [
            pgPassword,
            crdbPassword,
            targetConnection,
            cockroachConnection,
            certs.client.keyPem,
            token,
        ];
        const mark = cockroach.server.statements.length;
        const preview = await engine.preview();
        assert.equal(preview.changeSummary.create, 4, preview.stdout);
        assert.deepEqual(findLeaks(engine.log(), secrets), [], "a secret is in the preview");
        assert.deepEqual(
            cockroach.server.statements.slice(mark),
            [],
            "preview ran statements on CockroachDB",
        );
    });

    it("up → preview → refresh → destroy leaks no secret to state or output", async () => {
        assert.ok(engine, "the stack exists");
        const privilegesBefore = await snapshotPostgresPrivileges(dbUrl, "public");
        const states: Array<[string, string]> = [];
        try {
            await engine.up();
        } catch (err) {
            // Even a failed update must not print or store a secret.
            assert.deepEqual(findLeaks(engine.log(), secrets), [], "a secret is in the output");
            const state = resourcesExceptDynamicProvider(await engine.exportState());
            assert.deepEqual(findLeaks(state, secrets), [], "a secret is in state");
            throw err;
        }
        const up = { outputs: await engine.stack.outputs() };
        assert.equal(up.outputs.status?.value, "running");
        const jobId = String(up.outputs.jobId?.value);
        const sinkUri = String(up.outputs.sinkUri?.value);
        assert.equal(up.outputs.sinkUri?.secret, true, "sinkUri is a secret output");
        assert.match(sinkUri, /client_key=/);
        secrets.push(sinkUri);
        states.push(["after up", await engine.exportState()]);
        await eventually(
            () => receiver.requests.some((r) => r.status === 200),
            "the feed to deliver with the client certificate and token",
        );

        const second = await engine.preview();
        assert.deepEqual(second.changeSummary, { same: 4 }, second.stdout);
        await engine.refresh();
        states.push(["after refresh", await engine.exportState()]);

        await engine.destroy();
        states.push(["after destroy", await engine.exportState()]);
        assert.equal(
            cockroach.server.jobs().find((j) => j.jobId === jobId)?.status,
            "canceled",
            "destroy cancelled the feed",
        );
        assert.deepEqual(await snapshotPostgresPrivileges(dbUrl, "public"), privilegesBefore);

        for (const [when, state] of states) {
            const resources = resourcesExceptDynamicProvider(state);
            if (when !== "after destroy") {
                for (const type of ["TargetGrants", "ClusterSettings", "Changefeed"]) {
                    assert.ok(resources.includes(`crdb-failback:${type}`), `${when}: ${type}`);
                }
            }
            assert.deepEqual(findLeaks(resources, secrets), [], `${when}: a secret is in state`);
        }
        const log = engine.log();
        assert.ok(log.length > 0, "the CLI printed something");
        assert.deepEqual(findLeaks(log, secrets), [], "a secret is in the CLI output");
    });
});

/**
 * The config keys a project documents as secret: `secret: true` in its Pulumi.yaml, or (for an
 * optional key, which Pulumi does not let carry `secret: true` with a default) a description
 * that starts with SECRET. These are the keys its README sets with `pulumi config set --secret`.
 */
function documentedSecretKeys(projectDir: string): Set<string> {
    const yaml = require("js-yaml") as { load(text: string): unknown };
    const project = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
        config?: Record<string, { secret?: boolean; description?: string }>;
    };
    return new Set(
        Object.entries(project.config ?? {})
            .filter(([, d]) => d.secret === true || /^SECRET\b/.test(d.description ?? ""))
            .map(([key]) => key),
    );
}

/** Splits `values` into plain config and secrets as the project documents them. */
function documentedConfig(
    projectDir: string,
    values: Record<string, string>,
): { config: Record<string, string>; secrets: Record<string, string> } {
    const secretKeys = documentedSecretKeys(projectDir);
    const config: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        (secretKeys.has(key) ? secrets : config)[key] = value;
    }
    return { config, secrets };
}

/** Asserts that no file of the backend (state, backups, history) holds any of `secrets`. */
function assertBackendClean(engine: EngineStack, secrets: string[], what: string): void {
    const files = backendFiles(engine.stateDir).map((f) => f.file);
    assert.ok(
        files.some((f) => f.includes(`${path.sep}history${path.sep}`)),
        `${what}: the backend keeps history files (${files.join(", ")})`,
    );
    assert.ok(
        files.some((f) => f.endsWith(".bak")),
        `${what}: the backend keeps backups`,
    );
    assert.deepEqual(
        findBackendLeaks(engine.stateDir, secrets),
        [],
        `${what}: a password is in a state, backup or history file`,
    );
}

describe("secrets audit: each example run with its documented config, every backend file", () => {
    const examples = path.join(REPO_ROOT, "examples");
    const engines: EngineStack[] = [];

    after(async () => {
        for (const engine of engines) {
            await engine.destroy().catch(() => undefined);
            await engine.dispose();
        }
    });

    /** preview → up → refresh → destroy with the documented config, then the backend audit. */
    async function runDocumented(
        projectDir: string,
        values: Record<string, string>,
        passwords: string[],
    ): Promise<void> {
        const engine = await createEngineStack({
            programDir: projectDir,
            ...documentedConfig(projectDir, values),
        });
        engines.push(engine);
        await engine.preview();
        await engine.up();
        await engine.refresh();
        await engine.destroy();
        assertBackendClean(engine, passwords, path.basename(projectDir));
        assert.deepEqual(findLeaks(engine.log(), passwords), [], "a password is in the output");
    }

    it("examples/grants-postgres", async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        const database = uniqueName("doc_pg");
        const grantee = uniqueName("doc_r");
        const admin = uniqueName("doc_admin");
        const password = `pgdoc-${Math.random().toString(36).slice(2)}`;
        await withPg(async (c) => {
            await c.query(`CREATE DATABASE ${database}`);
            await c.query(`CREATE ROLE ${grantee} LOGIN`);
            await c.query(`CREATE ROLE ${admin} LOGIN SUPERUSER PASSWORD '${password}'`);
        });
        try {
            const url = new URL(postgresDatabaseUrl(database));
            url.username = admin;
            url.password = password;
            await runDocumented(
                path.join(examples, "grants-postgres"),
                { connection: url.toString(), grantee, schema: "public" },
                [password],
            );
        } finally {
            await withPg(async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
                await c.query(`DROP ROLE IF EXISTS ${grantee}`);
                await c.query(`DROP ROLE IF EXISTS ${admin}`);
            });
        }
    });

    it("examples/grants-mysql", async () => {
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        const database = uniqueName("doc_my");
        const grantee = uniqueName("docr").slice(0, 32);
        const admin = uniqueName("doca").slice(0, 32);
        const password = `mydoc-${Math.random().toString(36).slice(2)}`;
        await withMysqlAdmin(async (c) => {
            await c.query(`CREATE DATABASE \`${database}\``);
            await c.query(`CREATE TABLE \`${database}\`.orders (id int PRIMARY KEY)`);
            await c.query(`CREATE USER '${grantee}'@'%' IDENTIFIED BY 'x'`);
            await c.query(`CREATE USER '${admin}'@'%' IDENTIFIED BY '${password}'`);
            await c.query(`GRANT ALL ON *.* TO '${admin}'@'%' WITH GRANT OPTION`);
        });
        try {
            await runDocumented(
                path.join(examples, "grants-mysql"),
                {
                    connection: `mysql://${admin}:${password}@127.0.0.1:3306/`,
                    grantee,
                    database,
                },
                [password],
            );
        } finally {
            await withMysqlAdmin(async (c) => {
                await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
                await c.query(`DROP USER IF EXISTS '${grantee}'@'%'`);
                await c.query(`DROP USER IF EXISTS '${admin}'@'%'`);
            });
        }
    });

    it("examples/crdb-changefeed", async () => {
        const crdbPassword = `crdbdoc-${Math.random().toString(36).slice(2)}`;
        const token = jwtShapedToken();
        const docCerts = await createTestCertificates();
        const crdb = await startCockroach();
        const sink = await startWebhookReceiver(docCerts.server, docCerts.ca.certPem);
        try {
            await crdb.sql("CREATE TABLE orders (id INT PRIMARY KEY, v STRING)");
            await runDocumented(
                path.join(examples, "crdb-changefeed"),
                {
                    cockroachConnection: crdb.server.urlFor("root", crdbPassword),
                    tables: "orders",
                    webhookUrl: `https://localhost:${sink.port}/defaultdb/public`,
                    caCertPem: docCerts.ca.certPem,
                    clientCertPem: docCerts.client.certPem,
                    clientKeyPem: docCerts.client.keyPem,
                    authToken: token,
                    resolved: "100ms",
                    minCheckpointFrequency: "100ms",
                },
                [crdbPassword, token, docCerts.client.keyPem],
            );
        } finally {
            await sink.close();
            await crdb.stop();
        }
    });

    it("deploy/: an optional secret key set in plaintext is refused by preview, nothing stored", async () => {
        const secretKeys = documentedSecretKeys(REPO_ROOT);
        for (const key of [
            "stagingConnection",
            "tlsKeyPem",
            "tlsClientKeyPem",
            "jwtPrivateKeyPem",
        ]) {
            assert.ok(secretKeys.has(key), `Pulumi.yaml documents ${key} as SECRET`);
        }
        const password = `deploydoc-${Math.random().toString(36).slice(2)}`;
        const engine = await createEngineStack({
            programDir: REPO_ROOT,
            config: {
                dialect: "postgres",
                stagingSchema: "defaultdb._replicator",
                grantee: "replicator",
                database: "molt",
                schema: "public",
                tables: "orders",
                // Documented as SECRET, given in plaintext by mistake.
                stagingConnection: `postgresql://root:${password}@127.0.0.1:1/defaultdb`,
            },
            secrets: {
                cockroachConnection: `postgresql://root:${password}@127.0.0.1:1/defaultdb`,
                targetAdminConnection: `postgres://admin:${password}@127.0.0.1:1/molt`,
                targetReplicatorConnection: `postgres://replicator:${password}@127.0.0.1:1/molt`,
            },
        });
        engines.push(engine);
        const refused = /stagingConnection.*pulumi config set --secret stagingConnection/s;
        await assert.rejects(engine.preview(), refused);
        assert.deepEqual(findBackendLeaks(engine.stateDir, [password]), []);
        // An `up` is refused too, before any resource (or the provider that would hold a copy
        // of the config) is registered.
        await assert.rejects(engine.up(), refused);
        const resources =
            JSON.parse(await engine.exportState()).checkpoint?.latest?.resources ?? [];
        assert.deepEqual(
            (resources as Array<{ type: string }>)
                .map((r) => r.type)
                .filter((t) => t !== "pulumi:pulumi:Stack"),
            [],
            "no resource (and no provider holding the config) was registered",
        );
    });
});
