/**
 * create + delete leaves every database exactly as it was: the grantee's privileges (catalog
 * snapshot, including privileges it held beforehand) and the cluster settings (value and
 * origin of every setting in SHOW ALL CLUSTER SETTINGS).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { provider as clusterSettingsProvider } from "../../src/providers/clusterSettings/provider";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { snapshotMysqlPrivileges, snapshotPostgresPrivileges } from "../support/grants/snapshots";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import {
    type Cockroach,
    postgresDatabaseUrl,
    startCockroach,
    withMysql,
    withPg,
} from "./environment";

const grants = makeTargetGrantsProvider({
    sessionOptions: { connectTimeoutMs: 10_000, statementTimeoutMs: 30_000 },
});

describe("TargetGrants create + delete restores privileges", () => {
    const database = uniqueName("restore_pg");
    const grantee = uniqueName("restore_r");
    const owner = uniqueName("restore_o");
    const myDatabase = uniqueName("restore_my");
    const myGrantee = uniqueName("rst").slice(0, 32);
    const dbUrl = postgresDatabaseUrl(database);

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        await withPg(async (c) => {
            await c.query(`CREATE DATABASE ${database}`);
            await c.query(`CREATE ROLE ${grantee} LOGIN`);
            await c.query(`CREATE ROLE ${owner}`);
        });
        await withPg(async (c) => {
            await c.query(`CREATE TABLE public.orders (id int PRIMARY KEY)`);
            await c.query(`CREATE TABLE public."Order ""Items""" (id int PRIMARY KEY)`);
            await c.query(`CREATE TABLE public.owned (id int PRIMARY KEY)`);
            await c.query(`ALTER TABLE public.owned OWNER TO ${owner}`);
            // Held beforehand: must be recorded as preexisting and survive delete.
            await c.query(`GRANT SELECT, UPDATE ON public.orders TO ${grantee}`);
            await c.query(`GRANT USAGE ON SCHEMA public TO ${grantee}`);
            await c.query(
                `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT ON TABLES TO ${grantee}`,
            );
        }, dbUrl);
        await withMysql(async (conn) => {
            await conn.query(`CREATE DATABASE \`${myDatabase}\``);
            await conn.query(`CREATE TABLE \`${myDatabase}\`.orders (id INT PRIMARY KEY)`);
            await conn.query(`CREATE TABLE \`${myDatabase}\`.\`odd\`\`name\` (id INT PRIMARY KEY)`);
            await conn.query("CREATE USER ?@'%' IDENTIFIED BY 'x'", [myGrantee]);
            await conn.query(`GRANT SELECT ON \`${myDatabase}\`.orders TO ?@'%'`, [myGrantee]);
            await conn.query(`GRANT INSERT ON \`${myDatabase}\`.* TO ?@'%'`, [myGrantee]);
        });
    });

    after(async () => {
        await withPg(async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${grantee}`);
            await c.query(`DROP ROLE IF EXISTS ${owner}`);
        });
        await withMysql(async (conn) => {
            await conn.query(`DROP DATABASE IF EXISTS \`${myDatabase}\``);
            await conn.query("DROP USER IF EXISTS ?@'%'", [myGrantee]);
        });
    });

    it("PostgreSQL: every table and future tables, then delete → identical catalog snapshot", async () => {
        const before = await snapshotPostgresPrivileges(dbUrl, "public");
        const { id, outs } = await grants.create({ connection: dbUrl, grantee, schema: "public" });
        const during = await snapshotPostgresPrivileges(dbUrl, "public");
        assert.notDeepEqual(during, before, "create changed nothing");
        assert.ok(
            during.some((l) => l.includes(`grantee=${grantee} privilege=DELETE`)),
            during.join("\n"),
        );
        await grants.delete(id, outs);
        assert.deepEqual(await snapshotPostgresPrivileges(dbUrl, "public"), before);
    });

    it("PostgreSQL: listed tables with explicit privileges → identical catalog snapshot", async () => {
        const before = await snapshotPostgresPrivileges(dbUrl, "public");
        const { id, outs } = await grants.create({
            connection: dbUrl,
            grantee,
            schema: "public",
            tables: ["orders", 'Order "Items"'],
            privileges: ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"],
        });
        await grants.delete(id, outs);
        assert.deepEqual(await snapshotPostgresPrivileges(dbUrl, "public"), before);
    });

    it("MariaDB: db.* and per-table grants → identical SHOW GRANTS", async () => {
        for (const tables of [undefined, ["orders", "odd`name"]]) {
            const before = await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, myGrantee, "%");
            const { id, outs } = await grants.create({
                connection: MARIADB_ADMIN_URL,
                grantee: myGrantee,
                schema: myDatabase,
                ...(tables ? { tables } : {}),
            });
            const during = await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, myGrantee, "%");
            assert.notDeepEqual(during, before, "create changed nothing");
            await grants.delete(id, outs);
            assert.deepEqual(
                await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, myGrantee, "%"),
                before,
                `tables=${JSON.stringify(tables)}`,
            );
        }
    });
});

describe("ClusterSettings create + delete restores every setting (value and origin)", () => {
    let cockroach: Cockroach;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        cockroach = await startCockroach({ rangefeeds: false });
        // An operator override that must come back as an override with its value.
        await cockroach.sql("SET CLUSTER SETTING kv.closed_timestamp.target_duration = '2s'");
        await cockroach.sql("SET CLUSTER SETTING jobs.retention_time = '96h'");
    });

    after(async () => {
        await cockroach?.stop();
    });

    async function snapshot(): Promise<string[]> {
        const rows = await cockroach.sql("SHOW ALL CLUSTER SETTINGS");
        return rows
            .map((r) => `${String(r.variable)}=${String(r.value)} origin=${String(r.origin)}`)
            .sort();
    }

    for (const onDelete of ["restore", undefined] as const) {
        it(`onDelete ${onDelete ?? "(default)"}: SHOW ALL CLUSTER SETTINGS identical after delete`, async () => {
            const before = await snapshot();
            const { id, outs } = await clusterSettingsProvider.create({
                connection: cockroach.server.url,
                rangefeedEnabled: true,
                closedTimestampRefreshInterval: "250ms",
                closedTimestampTargetDuration: "1s",
                concurrentCatchupIterators: 32,
                settings: { "jobs.retention_time": "72h", "changefeed.sink_io_workers": 4 },
                ...(onDelete ? { onDelete } : {}),
            });
            const during = await snapshot();
            assert.notDeepEqual(during, before, "create changed nothing");
            await clusterSettingsProvider.delete(id, outs);
            assert.deepEqual(await snapshot(), before);
        });
    }
});
