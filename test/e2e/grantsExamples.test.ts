/**
 * Engine tests: the grants examples run with the real Pulumi CLI (package installed from its
 * npm tarball): preview → up → preview (no changes) → refresh (no changes) → destroy, and the
 * database's privileges after destroy equal those before.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { snapshotMysqlPrivileges, snapshotPostgresPrivileges } from "../support/grants/snapshots";
import {
    createEngineStack,
    findLeaks,
    resourcesExceptDynamicProvider,
    type EngineStack,
} from "../support/engine/engine";
import { REPO_ROOT } from "../support/engine/packageInstall";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import { withPg, withMysql } from "../support/sessions";

const EXAMPLES = path.join(REPO_ROOT, "examples");

describe("examples/grants-postgres with the real engine", () => {
    const database = uniqueName("e2e_grants");
    const grantee = uniqueName("replicator");
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    const adminRole = uniqueName("admin");
    let adminUrl = "";
    let engine: EngineStack | undefined;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${database}`);
            await c.query(`CREATE ROLE ${grantee} LOGIN PASSWORD 'x'`);
            await c.query(`CREATE ROLE ${adminRole} LOGIN SUPERUSER PASSWORD '${password}'`);
        });
        const dbUrl = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${database}`);
        await withPg(dbUrl, async (c) => {
            await c.query(`CREATE TABLE public.orders (id int PRIMARY KEY, v text)`);
            await c.query(`CREATE TABLE public."Order Items" (id int PRIMARY KEY, v text)`);
            // Held before the stack exists: must survive destroy.
            await c.query(`GRANT SELECT ON public.orders TO ${grantee}`);
        });
        const u = new URL(dbUrl);
        u.username = adminRole;
        u.password = password;
        adminUrl = u.toString();
    });

    after(async () => {
        await engine?.dispose();
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${grantee}`);
            await c.query(`DROP ROLE IF EXISTS ${adminRole}`);
        });
    });

    it("runs preview → up → preview → refresh → destroy and restores privileges", async () => {
        const dbUrl = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${database}`);
        const before = await snapshotPostgresPrivileges(dbUrl, "public");

        engine = await createEngineStack({
            programDir: path.join(EXAMPLES, "grants-postgres"),
            config: { grantee, schema: "public" },
            secrets: { connection: adminUrl },
        });
        const preview = await engine.preview();
        assert.equal(preview.changeSummary.create, 2, preview.stdout);

        const up = await engine.up();
        const granted = up.outputs.granted?.value as unknown[];
        assert.ok(Array.isArray(granted) && granted.length > 0, "granted is reported");
        const during = (await snapshotPostgresPrivileges(dbUrl, "public")).join("\n");
        assert.match(during, new RegExp(`table orders grantee=${grantee} privilege=DELETE`));
        assert.match(during, new RegExp(`table "Order Items" grantee=${grantee} privilege=INSERT`));

        const second = await engine.preview();
        assert.deepEqual(second.changeSummary, { same: 2 }, second.stdout);
        const refreshed = await engine.refresh();
        assert.equal(refreshed.changeSummary.update ?? 0, 0, refreshed.stdout);

        const state = await engine.exportState();
        assert.deepEqual(findLeaks(state, [password]), [], "no plaintext password in state");

        await engine.destroy();
        assert.deepEqual(await snapshotPostgresPrivileges(dbUrl, "public"), before);
        assert.deepEqual(findLeaks(engine.log(), [password]), [], "no password in CLI output");
    });
});

describe("examples/grants-mysql with the real engine", () => {
    const database = uniqueName("e2e_grants");
    const grantee = uniqueName("repl").slice(0, 32);
    const adminUser = uniqueName("adm").slice(0, 32);
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    let engine: EngineStack | undefined;

    before(async () => {
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        await withMysql(async (c) => {
            await c.query(`CREATE DATABASE \`${database}\``);
            await c.query(`CREATE TABLE \`${database}\`.orders (id int PRIMARY KEY, v text)`);
            await c.query(`CREATE USER '${grantee}'@'%' IDENTIFIED BY 'x'`);
            await c.query(`CREATE USER '${adminUser}'@'%' IDENTIFIED BY '${password}'`);
            await c.query(`GRANT ALL ON *.* TO '${adminUser}'@'%' WITH GRANT OPTION`);
            await c.query(`GRANT SELECT ON \`${database}\`.orders TO '${grantee}'@'%'`);
        });
    });

    after(async () => {
        await engine?.dispose();
        await withMysql(async (c) => {
            await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
            await c.query(`DROP USER IF EXISTS '${grantee}'@'%'`);
            await c.query(`DROP USER IF EXISTS '${adminUser}'@'%'`);
        });
    });

    it("runs preview → up → preview → refresh → destroy with the documented secret connection", async () => {
        const before = await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, grantee, "%");
        const connection = `mysql://${adminUser}:${encodeURIComponent(password)}@127.0.0.1:3306/`;
        // Pulumi.yaml declares connection secret: the CLI refuses it in plaintext.
        const plain = await createEngineStack({
            programDir: path.join(EXAMPLES, "grants-mysql"),
            config: { grantee, database, connection },
        }).catch((err: Error) => err);
        if (!(plain instanceof Error)) {
            try {
                await assert.rejects(plain.preview(), /must be encrypted as it's secret/);
            } finally {
                await plain.dispose();
            }
        }
        engine = await createEngineStack({
            programDir: path.join(EXAMPLES, "grants-mysql"),
            config: { grantee, database },
            secrets: { connection },
        });
        const preview = await engine.preview();
        assert.equal(preview.changeSummary.create, 2, preview.stdout);
        await engine.up();
        const during = await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, grantee, "%");
        assert.ok(
            during.some((g) => /DELETE/.test(g)),
            during.join("\n"),
        );

        const second = await engine.preview();
        assert.deepEqual(second.changeSummary, { same: 2 }, second.stdout);
        const refreshed = await engine.refresh();
        assert.equal(refreshed.changeSummary.update ?? 0, 0, refreshed.stdout);

        const state = await engine.exportState();
        // Secret config stays encrypted everywhere, the dynamic provider's copy included.
        assert.deepEqual(findLeaks(state, [password]), [], "no plaintext password in state");
        const resourcesOnly = resourcesExceptDynamicProvider(state);
        assert.ok(resourcesOnly.includes("crdb-failback:TargetGrants"), "state has the resource");
        assert.deepEqual(
            findLeaks(resourcesOnly, [password]),
            [],
            "no plaintext password in resource state",
        );

        await engine.destroy();
        assert.deepEqual(await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, grantee, "%"), before);
    });
});
