/**
 * `Failback` runs the pre-flight first: with a drifted schema (a CockroachDB column the target
 * lacks, a NOT NULL target column CockroachDB never sends) `pulumi up` of the repository-root
 * project (`deploy/`) fails at the pre-flight with the problems listed, and leaves nothing
 * behind — no changefeed job, no grant or other change on the target (full PostgreSQL
 * snapshot), cluster settings as they were. The pre-flight command (`preflightReport` on the
 * same stack configuration) lists the same problems.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";

import { inputsFromStackConfig, preflightReport } from "../../src/cli/preflight";
import { startCockroachTestServer, type CockroachTestServer } from "../support/cockroach";
import { sql } from "../support/changefeed/engineSetup";
import { createEngineStack, findLeaks, type EngineStack } from "../support/engine/engine";
import { REPO_ROOT } from "../support/engine/packageInstall";
import { makeTestCertificates } from "../support/replicator/testCerts";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../support/services";
import { withPg } from "../support/sessions";
import { snapshotClusterSettings } from "../support/snapshot/cockroachSettings";
import { snapshotPostgres } from "../support/snapshot/postgres";

const STAGING_SCHEMA = "defaultdb._replicator";

function password(): string {
    return `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
}

/** The problem lines (ERROR …) of a pre-flight report, wherever it is printed. */
function errorLines(text: string): string[] {
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("ERROR ["));
    return [...new Set(lines)].sort();
}

describe("Failback with a drifted schema: up fails at the pre-flight and creates nothing (real engine)", () => {
    const database = uniqueName("e2e_pf_pg");
    const grantee = uniqueName("pf_repl");
    const admin = uniqueName("pf_admin");
    const granteePassword = password();
    const adminPassword = password();
    const dbUrl = (user?: string, pw?: string) => {
        const u = new URL(POSTGRES_ADMIN_URL);
        u.pathname = `/${database}`;
        if (user) {
            u.username = user;
            u.password = pw ?? "";
        }
        return u.toString();
    };
    let crdb: CockroachTestServer | undefined;
    let engine: EngineStack | undefined;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${database}`);
            await c.query(`CREATE ROLE ${grantee} LOGIN PASSWORD '${granteePassword}'`);
            await c.query(`CREATE ROLE ${admin} LOGIN SUPERUSER PASSWORD '${adminPassword}'`);
        });
        await withPg(dbUrl(), async (c) => {
            await c.query(
                "CREATE TABLE public.orders (id int PRIMARY KEY, v text, region text NOT NULL)",
            );
        });
        crdb = await startCockroachTestServer();
        await sql(crdb.url, "CREATE TABLE orders (id INT PRIMARY KEY, v STRING, note STRING)");
    });

    after(async () => {
        await engine?.dispose();
        await crdb?.stop();
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${grantee}`);
            await c.query(`DROP ROLE IF EXISTS ${admin}`);
        });
    });

    it("up fails listing the problems; nothing is left; the command reports the same problems", async () => {
        const server = crdb!;
        const certs = makeTestCertificates();
        const jwtPrivateKeyPem = generateKeyPairSync("ec", { namedCurve: "P-256" })
            .privateKey.export({ type: "pkcs8", format: "pem" })
            .toString();
        const config = {
            dialect: "postgres",
            grantee,
            database,
            schema: "public",
            stagingSchema: STAGING_SCHEMA,
            tables: "orders",
            externalUrl: "https://127.0.0.1:30004",
            tlsCaCertPem: certs.caPem,
            tlsCertPem: certs.serverCertPem,
            tlsClientCertPem: certs.clientCertPem,
            forwardDrained: "true",
        };
        const secrets = {
            cockroachConnection: server.url,
            targetAdminConnection: dbUrl(admin, adminPassword),
            targetReplicatorConnection: dbUrl(grantee, granteePassword),
            tlsKeyPem: certs.serverKeyPem,
            tlsClientKeyPem: certs.clientKeyPem,
            jwtPrivateKeyPem,
        };
        const targetBefore = await snapshotPostgres(dbUrl());
        const settingsBefore = await snapshotClusterSettings(server.url);

        engine = await createEngineStack({ programDir: REPO_ROOT, config, secrets });
        let upError = "";
        await assert.rejects(
            engine.up(),
            (err: Error) => {
                upError = `${err.message}\n${engine!.log()}`;
                return true;
            },
            "up must fail",
        );
        assert.match(upError, /Pre-flight of .* failed/);
        const upProblems = errorLines(upError);
        assert.ok(
            upProblems.some((l) => l.includes("note")),
            `the extra CockroachDB column is listed:\n${upError}`,
        );
        assert.ok(
            upProblems.some((l) => l.includes("region")),
            `the NOT NULL target column is listed:\n${upError}`,
        );
        const leaks = findLeaks(engine.log(), [adminPassword, granteePassword, certs.serverKeyPem]);
        assert.deepEqual(leaks, [], "no secret printed");

        // Nothing left behind.
        assert.deepEqual(server.jobs(), [], "no changefeed job");
        assert.deepEqual(await snapshotPostgres(dbUrl()), targetBefore, "target unchanged");
        assert.deepEqual(
            await snapshotClusterSettings(server.url),
            settingsBefore,
            "cluster settings unchanged",
        );
        const state = await engine.exportState();
        for (const type of ["TargetGrants", "ClusterSettings", "Changefeed", "ReplicatorAuthKey"]) {
            assert.ok(!state.includes(`crdb-failback:${type}`), `no ${type} in state`);
        }

        // The command on the same configuration lists the same problems.
        const { code, report } = await preflightReport(
            inputsFromStackConfig({ ...config, ...secrets }),
        );
        console.log(`--- crdb-failback-preflight on the same configuration ---\n${report}`);
        assert.equal(code, 1, report);
        assert.deepEqual(errorLines(report), upProblems, report);
    });
});
