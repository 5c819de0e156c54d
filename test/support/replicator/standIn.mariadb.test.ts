/**
 * The replicator stand-in against a REAL MariaDB target (staging on the real PostgreSQL): a
 * database and a grantee user with SELECT/INSERT/UPDATE/DELETE on it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import { Client } from "pg";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, requireService, uniqueName } from "../services";
import { ReplicatorStandIn, startReplicatorStandIn } from "./index";
import { makeTestCertificates, TestCertificates } from "./testCerts";
import { send, waitUntil } from "./testClient";
import { newEcKeyPair, replicatorClaims, signEs256 } from "./testTokens";

async function pgAdmin(sql: string, params: unknown[] = [], db?: string): Promise<unknown[]> {
    const url = new URL(POSTGRES_ADMIN_URL);
    if (db) url.pathname = `/${db}`;
    const client = new Client({
        connectionString: url.toString(),
        connectionTimeoutMillis: 10_000,
    });
    await client.connect();
    try {
        return (await client.query(sql, params)).rows;
    } finally {
        await client.end();
    }
}

describe("replicator stand-in with a MariaDB target", () => {
    const stagingDb = uniqueName("repl_stg");
    const targetDb = uniqueName("repl_my");
    const user = uniqueName("repl_u").slice(0, 60);
    const password = randomBytes(12).toString("hex");
    const keys = newEcKeyPair();
    let admin: mysql.Connection;
    let certs: TestCertificates;
    let standIn: ReplicatorStandIn;
    let token: string;

    /** `bearer: null` sends no Authorization header. */
    const post = (path: string, body: string, bearer: string | null = token) =>
        send(`${standIn.url}${path}`, { body, token: bearer ?? undefined, ca: certs.caPem });
    const rows = (items: object[]) => JSON.stringify({ payload: items, length: items.length });
    const ts = (n: number) => `${1_700_000_000_000_000_000n + BigInt(n)}.0000000000`;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        certs = makeTestCertificates();
        const adminUrl = new URL(MARIADB_ADMIN_URL);
        admin = await mysql.createConnection({
            host: adminUrl.hostname,
            port: Number(adminUrl.port || 3306),
            user: decodeURIComponent(adminUrl.username),
            password: decodeURIComponent(adminUrl.password),
            connectTimeout: 10_000,
        });
        await admin.query(`CREATE DATABASE \`${targetDb}\``);
        await admin.query(
            `CREATE TABLE \`${targetDb}\`.items (id BIGINT PRIMARY KEY, name VARCHAR(50), qty INT, flag BOOLEAN)`,
        );
        await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
        await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${targetDb}\`.* TO ?@'%'`, [
            user,
        ]);
        await pgAdmin(`CREATE DATABASE ${stagingDb}`);

        const stagingUrl = new URL(POSTGRES_ADMIN_URL);
        stagingUrl.pathname = `/${stagingDb}`;
        const targetUrl = new URL(`mysql://${adminUrl.host}/${targetDb}`);
        targetUrl.username = user;
        targetUrl.password = password;
        standIn = await startReplicatorStandIn({
            targetConnection: targetUrl.toString(),
            stagingConnection: stagingUrl.toString(),
            stagingSchema: "_replicator.public",
            stagingCreateSchema: true,
            tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
            jwtKeyRefreshMs: 100,
            applyRetryMs: 100,
        });
        token = signEs256(keys.privateKey, replicatorClaims([[targetDb]]));
        await pgAdmin(
            `INSERT INTO public.jwt_public_keys (public_key) VALUES ($1)`,
            [keys.publicKeyPem],
            stagingDb,
        );
        await waitUntil(
            "the JWT key refresh",
            async () => (await post(`/${targetDb}`, "")).status === 200,
        );
    });

    after(async () => {
        await standIn?.stop();
        if (admin) {
            await admin.query(`DROP DATABASE IF EXISTS \`${targetDb}\``);
            await admin.query(`DROP USER IF EXISTS ?@'%'`, [user]);
            await admin.end();
        }
        await pgAdmin(`DROP DATABASE IF EXISTS ${stagingDb} WITH (FORCE)`);
    });

    it("takes one path segment and a token naming [db]", async () => {
        assert.deepEqual(await post(`/${targetDb}`, ""), { status: 200, body: "OK" });
        assert.equal((await post(`/`, "")).status, 404);
        assert.equal((await post(`/${targetDb}/items/extra`, "")).status, 404);
        const twoParts = signEs256(keys.privateKey, replicatorClaims([[targetDb, "public"]]));
        assert.equal((await post(`/${targetDb}`, "", twoParts)).status, 401);
        assert.equal((await post(`/${targetDb}`, "", null)).status, 401);
    });

    it("applies upserts and deletes in one transaction per resolved timestamp", async () => {
        const p = `/${targetDb}`;
        const batch = rows([
            {
                after: { id: 1, name: "one", qty: 1, flag: true },
                key: [1],
                topic: "items",
                updated: ts(1),
            },
            {
                after: { id: 2, name: "two", qty: 2, flag: false },
                key: [2],
                topic: "items",
                updated: ts(2),
            },
            {
                after: { id: 1, name: "one-b", qty: 5, flag: false },
                key: [1],
                topic: "items",
                updated: ts(3),
            },
        ]);
        assert.deepEqual(await post(p, batch), { status: 200, body: "OK" });
        const [before] = await admin.query<mysql.RowDataPacket[]>(
            `SELECT * FROM \`${targetDb}\`.items`,
        );
        assert.equal(before.length, 0);
        assert.equal((await post(p, JSON.stringify({ resolved: ts(3) }))).status, 200);
        await waitUntil("the background apply", async () => standIn.stats().resolved.length === 1);
        const [applied] = await admin.query<mysql.RowDataPacket[]>(
            `SELECT id, name, qty, flag FROM \`${targetDb}\`.items ORDER BY id`,
        );
        assert.deepEqual(
            applied.map((r) => ({ ...r })),
            [
                { id: 1, name: "one-b", qty: 5, flag: 0 },
                { id: 2, name: "two", qty: 2, flag: 0 },
            ],
        );

        assert.equal(
            (await post(p, rows([{ after: null, key: [2], topic: "items", updated: ts(4) }])))
                .status,
            200,
        );
        assert.equal((await post(p, JSON.stringify({ resolved: ts(4) }))).status, 200);
        await waitUntil("the background apply", async () => standIn.stats().resolved.length === 2);
        const [left] = await admin.query<mysql.RowDataPacket[]>(
            `SELECT id FROM \`${targetDb}\`.items`,
        );
        assert.deepEqual(
            left.map((r) => r.id),
            [1],
        );
        assert.deepEqual(standIn.stats(), { upserts: 2, deletes: 1, resolved: [ts(3), ts(4)] });
    });

    it("records checkpoints for the one-part schema and rejects going backwards", async () => {
        const group = targetDb.toLowerCase();
        const checkpoints = await pgAdmin(
            `SELECT source_hlc::TEXT AS hlc FROM public.checkpoints WHERE group_name = $1 AND partition = $1
              ORDER BY source_hlc`,
            [group],
            stagingDb,
        );
        assert.deepEqual(checkpoints, [{ hlc: ts(3) }, { hlc: ts(4) }]);
        const backwards = await post(`/${targetDb}`, JSON.stringify({ resolved: ts(2) }));
        assert.equal(backwards.status, 400);
        assert.match(
            backwards.body,
            /^proposed checkpoint timestamp for group=.* is going backwards/,
        );
        assert.equal((await post(`/${targetDb}`, JSON.stringify({ resolved: ts(4) }))).status, 200);
    });

    it("stages rows for a table outside the database and fails to apply them in the background", async () => {
        const res = await post(
            `/${targetDb}`,
            rows([{ after: { id: 1 }, key: [1], topic: "nope", updated: ts(9) }]),
        );
        assert.deepEqual(res, { status: 200, body: "OK" });
        assert.equal((await post(`/${targetDb}`, JSON.stringify({ resolved: ts(9) }))).status, 200);
        const group = targetDb.toLowerCase();
        await waitUntil("the apply failure in the log", async () =>
            standIn
                .logs()
                .some((l) =>
                    l.includes(
                        `msg="error while copying data for ${group}; will restart" error="update sent to unknown tables: ${group}.nope"`,
                    ),
                ),
        );
        const [latest] = await pgAdmin(
            `SELECT target_applied_at IS NOT NULL AS applied FROM public.checkpoints
              WHERE group_name = $1 ORDER BY source_hlc DESC LIMIT 1`,
            [group],
            stagingDb,
        );
        assert.deepEqual(latest, { applied: false });
        const varz = (await send(`${standIn.metricsUrl}/_/varz`)).body;
        assert.match(
            varz,
            new RegExp(`apply_upserts_total\\{schema="${targetDb}",table="items"\\} 2\n`),
        );
        assert.match(
            varz,
            new RegExp(`apply_deletes_total\\{schema="${targetDb}",table="items"\\} 1\n`),
        );
    });
});
