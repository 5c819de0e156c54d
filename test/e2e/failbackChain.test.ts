/**
 * The whole failback chain with the real Pulumi CLI: the repository-root project (`deploy/`, one `Failback`
 * resource, driven only by stack config) against the CockroachDB test server (source and
 * staging), the replicator stand-in in `external` mode with bring-your-own TLS and JWT key
 * (staging = the test server's backing database, applying rows AS THE GRANTEE), and a real
 * target — PostgreSQL, then MariaDB.
 *
 * preview (every resource listed, no secret printed) → up → rows inserted/updated/deleted on
 * CockroachDB arrive in the target → preview (no changes) → refresh (no changes) → [PostgreSQL:
 * the table list changes in place while rows are written, none lost] → destroy (changefeed
 * cancelled, only the grants this stack added revoked, cluster settings restored).
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";

import { startCockroachTestServer, type CockroachTestServer } from "../support/cockroach";
import {
    createEngineStack,
    findLeaks,
    resourcesExceptDynamicProvider,
    type EngineStack,
} from "../support/engine/engine";
import { REPO_ROOT } from "../support/engine/packageInstall";
import { snapshotMysqlPrivileges, snapshotPostgresPrivileges } from "../support/grants/snapshots";
import { makeTestCertificates, type TestCertificates } from "../support/replicator/testCerts";
import { startReplicatorStandIn, type ReplicatorStandIn } from "../support/replicator";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import { withPg, withMysql } from "../support/sessions";

/** The repository-root project (Pulumi.yaml, `main: deploy/`). */
const DEPLOY = REPO_ROOT;
const STAGING_SCHEMA = "defaultdb._replicator";
const SETTINGS = [
    "kv.rangefeed.enabled",
    "kv.rangefeed.closed_timestamp_refresh_interval",
    "kv.closed_timestamp.target_duration",
];
const RESOURCE_TYPES = [
    "crdb-failback:index:Failback",
    "crdb-failback:ClusterSettings",
    "crdb-failback:TargetGrants",
    "crdb-failback:index:ReplicatorHost",
    "crdb-failback:ReplicatorAuthKey",
    "crdb-failback:ForwardDrainGate",
    "crdb-failback:Changefeed",
];

/** What differs between the PostgreSQL and the MariaDB run. */
interface Target {
    dialect: "postgres" | "mysql";
    /** Creates the database, users and tables; returns the stack config for the target. */
    setUp(): Promise<{ config: Record<string, string>; secrets: Record<string, string> }>;
    /** URL the stand-in applies rows with (the grantee's). */
    replicatorUrl(): string;
    /** Rows of `table` as `id=v`, sorted by id. */
    rows(table: string): Promise<string[]>;
    privileges(): Promise<string[]>;
    tearDown(): Promise<void>;
    /** Passwords that must never be printed or stored in plaintext. */
    passwords(): string[];
}

function password(): string {
    return `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
}

function postgresTarget(): Target {
    const database = uniqueName("e2e_fb_pg");
    const grantee = uniqueName("fb_repl");
    const admin = uniqueName("fb_admin");
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
    return {
        dialect: "postgres",
        async setUp() {
            await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`CREATE DATABASE ${database}`);
                await c.query(`CREATE ROLE ${grantee} LOGIN PASSWORD '${granteePassword}'`);
                await c.query(`CREATE ROLE ${admin} LOGIN SUPERUSER PASSWORD '${adminPassword}'`);
            });
            await withPg(dbUrl(), async (c) => {
                await c.query("CREATE TABLE public.orders (id int PRIMARY KEY, v text)");
                await c.query("CREATE TABLE public.items (id int PRIMARY KEY, v text)");
                // Held before the stack exists: must survive destroy.
                await c.query(`GRANT SELECT ON public.orders TO ${grantee}`);
            });
            return {
                config: { dialect: "postgres", grantee, database, schema: "public" },
                secrets: {
                    targetAdminConnection: dbUrl(admin, adminPassword),
                    targetReplicatorConnection: dbUrl(grantee, granteePassword),
                },
            };
        },
        replicatorUrl: () => dbUrl(grantee, granteePassword),
        rows: (table) =>
            withPg(dbUrl(), async (c) =>
                (await c.query(`SELECT id, v FROM public.${table} ORDER BY id`)).rows.map(
                    (r: { id: number; v: string }) => `${r.id}=${r.v}`,
                ),
            ),
        privileges: () => snapshotPostgresPrivileges(dbUrl(), "public"),
        async tearDown() {
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
                await c.query(`DROP ROLE IF EXISTS ${grantee}`);
                await c.query(`DROP ROLE IF EXISTS ${admin}`);
            });
        },
        passwords: () => [granteePassword, adminPassword],
    };
}

function mariadbTarget(): Target {
    const database = uniqueName("e2e_fb_my");
    const grantee = uniqueName("fbr").slice(0, 32);
    const admin = uniqueName("fba").slice(0, 32);
    const granteePassword = password();
    const adminPassword = password();
    const url = (user: string, pw: string, db = "") =>
        `mysql://${user}:${encodeURIComponent(pw)}@127.0.0.1:3306/${db}`;
    return {
        dialect: "mysql",
        async setUp() {
            await requireService("MariaDB", MARIADB_ADMIN_URL);
            await withMysql(async (c) => {
                await c.query(`CREATE DATABASE \`${database}\``);
                await c.query(`CREATE TABLE \`${database}\`.orders (id int PRIMARY KEY, v text)`);
                await c.query(`CREATE TABLE \`${database}\`.items (id int PRIMARY KEY, v text)`);
                await c.query(`CREATE USER '${grantee}'@'%' IDENTIFIED BY '${granteePassword}'`);
                await c.query(`CREATE USER '${admin}'@'%' IDENTIFIED BY '${adminPassword}'`);
                await c.query(`GRANT ALL ON *.* TO '${admin}'@'%' WITH GRANT OPTION`);
                // The replicator's user can already connect (it read during forward migration);
                // a privilege held before the stack exists must survive destroy.
                await c.query(`GRANT SELECT ON \`${database}\`.orders TO '${grantee}'@'%'`);
            });
            return {
                config: { dialect: "mysql", grantee, schema: database },
                secrets: {
                    targetAdminConnection: url(admin, adminPassword),
                    targetReplicatorConnection: url(grantee, granteePassword, database),
                },
            };
        },
        replicatorUrl: () => url(grantee, granteePassword, database),
        rows: (table) =>
            withMysql(async (c) => {
                const [rows] = await c.query(
                    `SELECT id, v FROM \`${database}\`.${table} ORDER BY id`,
                );
                return (rows as Array<{ id: number; v: string }>).map((r) => `${r.id}=${r.v}`);
            }),
        privileges: () => snapshotMysqlPrivileges(MARIADB_ADMIN_URL, grantee, "%"),
        async tearDown() {
            await withMysql(async (c) => {
                await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
                await c.query(`DROP USER IF EXISTS '${grantee}'@'%'`);
                await c.query(`DROP USER IF EXISTS '${admin}'@'%'`);
            });
        },
        passwords: () => [granteePassword, adminPassword],
    };
}

for (const makeTarget of [postgresTarget, mariadbTarget]) {
    const target = makeTarget();
    const postgres = target.dialect === "postgres";

    describe(`the root project (Pulumi.yaml, main: deploy/): whole failback chain with the real engine (${target.dialect} target)`, () => {
        let crdb: CockroachTestServer | undefined;
        let standIn: ReplicatorStandIn | undefined;
        let engine: EngineStack | undefined;
        let certs: TestCertificates;
        let targetConfig: { config: Record<string, string>; secrets: Record<string, string> };
        const jwtPrivateKeyPem = generateKeyPairSync("ec", { namedCurve: "P-256" })
            .privateKey.export({ type: "pkcs8", format: "pem" })
            .toString();

        before(async () => {
            targetConfig = await target.setUp();
            crdb = await startCockroachTestServer();
            await sql(crdb.url, "CREATE TABLE orders (id INT PRIMARY KEY, v STRING)");
            await sql(crdb.url, "CREATE TABLE items (id INT PRIMARY KEY, v STRING)");
            // Differs from its default before the stack: destroy must SET it back, not RESET.
            await sql(crdb.url, "SET CLUSTER SETTING kv.closed_timestamp.target_duration = '2s'");
            certs = makeTestCertificates();
            standIn = await startReplicatorStandIn({
                targetConnection: target.replicatorUrl(),
                stagingConnection: crdb.backingDatabaseUrl,
                stagingSchema: STAGING_SCHEMA,
                stagingCreateSchema: true,
                tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
                jwtKeyRefreshMs: 200,
            });
        });

        after(async () => {
            await engine?.dispose();
            await standIn?.stop();
            await crdb?.stop();
            await target.tearDown();
        });

        it("preview → up → rows flow → preview → refresh → (table change) → destroy restores everything", async () => {
            const server = crdb!;
            const sink = standIn!;
            // As the forward replicator, it has applied rows before (no counters = nothing to measure).
            sink.setCounters("defaultdb.public", "orders", { upserts: 42, deletes: 3 });
            const privilegesBefore = await target.privileges();
            const settingsBefore = await settingsSnapshot(server.url);
            const secrets = [
                ...target.passwords(),
                certs.serverKeyPem,
                certs.clientKeyPem,
                jwtPrivateKeyPem,
            ];

            engine = await createEngineStack({
                programDir: DEPLOY,
                config: {
                    ...targetConfig.config,
                    stagingSchema: STAGING_SCHEMA,
                    tables: "orders",
                    externalUrl: sink.url,
                    tlsCaCertPem: certs.caPem,
                    tlsCertPem: certs.serverCertPem,
                    tlsClientCertPem: certs.clientCertPem,
                    resolved: "100ms",
                    minCheckpointFrequency: "100ms",
                    // The stand-in's own metrics play the forward replicator: quiet, so the gate passes.
                    forwardMetricsUrl: sink.metricsUrl,
                    forwardQuietPeriodSeconds: "1",
                    forwardPollIntervalSeconds: "1",
                    forwardTimeoutSeconds: "60",
                    // The runbook chain without the pre-flight (test/e2e/preflightFailback.test.ts).
                    preflight: "false",
                },
                secrets: {
                    ...targetConfig.secrets,
                    cockroachConnection: server.url,
                    tlsKeyPem: certs.serverKeyPem,
                    tlsClientKeyPem: certs.clientKeyPem,
                    jwtPrivateKeyPem,
                },
            });

            // 1. preview: every resource, no secret, nothing touched.
            const preview = await engine.preview();
            if (postgres)
                console.log(`--- pulumi preview --diff (PostgreSQL target) ---\n${preview.stdout}`);
            for (const type of RESOURCE_TYPES) {
                assert.ok(preview.stdout.includes(type), `preview lists ${type}`);
            }
            assert.equal(preview.changeSummary.create, RESOURCE_TYPES.length + 1, preview.stdout);
            // The SQL that follows from the inputs, catalog-dependent parts marked.
            for (const sql of [
                "SET CLUSTER SETTING kv.rangefeed.enabled = true",
                "GRANT ",
                "jwt_public_keys",
                "CREATE CHANGEFEED FOR TABLE",
            ]) {
                assert.ok(preview.stdout.includes(sql), `preview shows ${sql}`);
            }
            assert.match(preview.stdout, /resolved at apply/);
            assert.deepEqual(findLeaks(preview.stdout, secrets), [], "no secret in the preview");
            assert.equal(server.jobs().length, 0, "preview creates no changefeed");
            assert.deepEqual(await target.privileges(), privilegesBefore, "preview grants nothing");

            // 2. up.
            const up = await engine.up();
            const jobId = String(up.outputs.changefeedJobId?.value);
            assert.match(jobId, /^\d+$/);
            assert.match(String(up.outputs.cursor?.value), /^\d+\.\d{10}$/);
            // up succeeded only after the replicator applied rows up to a checkpoint newer than the cursor.
            assert.ok(
                !Number.isNaN(Date.parse(String(up.outputs.deliveryVerifiedAt?.value))),
                "delivery was verified",
            );
            const [cursorWall, delivered] = [
                up.outputs.cursor?.value,
                up.outputs.lastDeliveredResolved?.value,
            ].map((v) => BigInt(String(v).split(".")[0]!));
            assert.ok(delivered! >= cursorWall!, "the proof is a checkpoint after the cursor");
            const path = postgres
                ? `/${targetConfig.config.database}/public`
                : `/${targetConfig.config.schema}`;
            assert.equal(up.outputs.webhookUrl?.value, `${sink.url}${path}`);
            assert.equal(server.jobs().find((j) => j.jobId === jobId)?.status, "running");
            assert.ok(
                (await settingsSnapshot(server.url)).some((s) =>
                    s.startsWith("kv.rangefeed.enabled=true "),
                ),
                "rangefeeds are on",
            );

            // 3. Rows written on CockroachDB after up arrive in the target, applied as the grantee.
            await sql(server.url, "INSERT INTO orders VALUES (1, 'one'), (2, 'two'), (3, 'three')");
            await sql(server.url, "UPDATE orders SET v = 'TWO' WHERE id = 2");
            await sql(server.url, "DELETE FROM orders WHERE id = 3");
            await waitFor(
                async () => (await target.rows("orders")).join(",") === "1=one,2=TWO",
                30_000,
                "inserted, updated and deleted rows reach the target",
            );
            assert.ok(
                sink.requests.some((r) => r.path === path && r.status === 200 && r.authorized),
                "the changefeed authenticated with the minted token",
            );

            // 4. Nothing to change, no drift.
            const second = await engine.preview();
            assert.deepEqual(
                second.changeSummary,
                { same: RESOURCE_TYPES.length + 1 },
                second.stdout,
            );
            const refreshed = await engine.refresh();
            assert.equal(refreshed.changeSummary.update ?? 0, 0, refreshed.stdout);

            // 5. PostgreSQL: a new table list is an in-place update; no row written meanwhile is lost.
            if (postgres) {
                await engine.setConfig("tables", "orders,items");
                let next = 100;
                let writing = true;
                const writer = (async () => {
                    while (writing) {
                        await sql(server.url, `INSERT INTO orders VALUES (${next}, 'w${next}')`);
                        next++;
                        await new Promise((r) => setTimeout(r, 50));
                    }
                })();
                let changed: Awaited<ReturnType<EngineStack["up"]>>;
                try {
                    await sql(server.url, "INSERT INTO items VALUES (1, 'item')");
                    changed = await engine.up();
                } finally {
                    writing = false;
                    await writer;
                }
                assert.equal(
                    String(changed.outputs.changefeedJobId?.value),
                    jobId,
                    "the same job, altered in place",
                );
                const written = next;
                await waitFor(
                    async () => (await target.rows("orders")).length === 2 + (written - 100),
                    30_000,
                    `all ${written - 100} rows written during the update reach the target`,
                );
                const ids = (await target.rows("orders")).map((r) => Number(r.split("=")[0]));
                for (let id = 100; id < written; id++) assert.ok(ids.includes(id), `row ${id}`);
                await waitFor(
                    async () => (await target.rows("items")).join(",") === "1=item",
                    30_000,
                    "the added table's rows reach the target",
                );
            }

            const state = await engine.exportState();
            assert.deepEqual(
                findLeaks(resourcesExceptDynamicProvider(state), [...secrets, server.url]),
                [],
                "no secret in state",
            );

            // 6. destroy: changefeed cancelled, only this stack's grants revoked, settings back.
            await engine.destroy();
            assert.equal(server.jobs().find((j) => j.jobId === jobId)?.status, "canceled");
            assert.equal(server.jobs().filter((j) => j.status === "running").length, 0);
            assert.deepEqual(await target.privileges(), privilegesBefore);
            assert.deepEqual(await settingsSnapshot(server.url), settingsBefore);
            assert.deepEqual(findLeaks(engine.log(), secrets), [], "no secret in any CLI output");
        });
    });
}

async function sql(url: string, text: string): Promise<Array<Record<string, unknown>>> {
    return withPg(url, async (c) => (await c.query(text)).rows);
}

async function settingsSnapshot(url: string): Promise<string[]> {
    const rows = await sql(url, "SHOW ALL CLUSTER SETTINGS");
    return rows
        .filter((r) => SETTINGS.includes(String(r.variable)))
        .map((r) => `${r.variable}=${r.value} (${r.origin})`)
        .sort();
}

async function waitFor(
    condition: () => Promise<boolean>,
    timeoutMs: number,
    what: string,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
        }
        await new Promise((r) => setTimeout(r, 200));
    }
}
