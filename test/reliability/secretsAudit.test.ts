/**
 * Secrets audit with the real engine: a stack of TargetGrants + ClusterSettings + Changefeed
 * whose secrets arrive as PLAIN config values runs preview → up → preview → refresh → destroy.
 * Neither the raw state file (resources; the default dynamic provider holds the plain stack
 * config by engine design) nor anything the CLI printed may contain a password, the client
 * private key, the JWT or the unredacted sink URI — in plaintext, base64, URL-encoded or
 * JSON-escaped form.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import {
    createEngineStack,
    type EngineStack,
    findLeaks,
    resourcesExceptDynamicProvider,
} from "../support/engine/engine";
import { createTestCertificates, type TestCertificates } from "../support/cockroach/feed/testCerts";
import {
    startWebhookReceiver,
    type WebhookReceiver,
} from "../support/cockroach/feed/webhookReceiver";
import { snapshotPostgresPrivileges } from "../support/grants/snapshots";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../support/services";
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
