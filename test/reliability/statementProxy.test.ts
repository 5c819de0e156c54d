/**
 * The statement-aware fault proxy against the real PostgreSQL, the real MariaDB and the
 * CockroachDB test server: statements are counted and recorded, "before" keeps statement k from
 * the server, "after" lets the server run it and answer, and the client never sees that answer.
 */
import assert from "node:assert/strict";
import { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import mysql = require("mysql2/promise");
import { Client } from "pg";

import { startCockroachTestServer, type CockroachTestServer } from "../support/cockroach";
import { startStatementProxy, type StatementProxy } from "../support/faults/statementProxy";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import { withMysql, withPg } from "../support/sessions";

async function pgSession<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on("error", () => undefined);
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end().catch(() => undefined);
    }
}

async function mysqlSession<T>(
    url: string,
    fn: (conn: mysql.Connection) => Promise<T>,
): Promise<T> {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 5000 });
    conn.on("error", () => undefined);
    try {
        return await fn(conn);
    } finally {
        await conn.end().catch(() => undefined);
    }
}

describe("statementProxy on PostgreSQL (pgwire, simple and extended protocol)", () => {
    const table = uniqueName("sp");
    let proxy: StatementProxy;
    let url: string;
    const rows = () =>
        withPg(POSTGRES_ADMIN_URL, async (c) =>
            (await c.query(`SELECT v FROM ${table} ORDER BY v`)).rows.map(
                (r: { v: number }) => r.v,
            ),
        );

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE TABLE ${table} (v int)`));
        proxy = await startStatementProxy({
            protocol: "pgwire",
            targetPort: Number(new URL(POSTGRES_ADMIN_URL).port),
        });
        url = proxy.urlFor(POSTGRES_ADMIN_URL);
    });
    after(async () => {
        await proxy.close();
        await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`DROP TABLE ${table}`));
    });

    it("records simple and extended statements in order", async () => {
        proxy.reset();
        await pgSession(url, async (c) => {
            await c.query("SELECT 1");
            assert.deepEqual((await c.query("SELECT $1::int AS n", [7])).rows, [{ n: 7 }]);
            await c.query({ name: "named", text: "SELECT $1::text AS t", values: ["a"] });
            await c.query({ name: "named", text: "SELECT $1::text AS t", values: ["b"] });
        });
        assert.deepEqual(proxy.statements, [
            "SELECT 1",
            "SELECT $1::int AS n",
            "SELECT $1::text AS t",
            "SELECT $1::text AS t",
        ]);
    });

    it("answers an SSLRequest with 'N' itself, so the session stays in clear text", async () => {
        const answer = await new Promise<string>((resolve, reject) => {
            const socket = new Socket();
            socket.on("error", reject);
            socket.once("data", (chunk) => {
                socket.destroy();
                resolve(chunk.toString());
            });
            const sslRequest = Buffer.alloc(8);
            sslRequest.writeInt32BE(8, 0);
            sslRequest.writeInt32BE(80877103, 4);
            socket.connect(proxy.port, "127.0.0.1", () => socket.write(sslRequest));
        });
        assert.equal(answer, "N");
    });

    for (const extended of [false, true]) {
        const insert = (c: Client, v: number) =>
            extended
                ? c.query(`INSERT INTO ${table} VALUES ($1)`, [v])
                : c.query(`INSERT INTO ${table} VALUES (${v})`);
        const kind = extended ? "extended" : "simple";

        it(`before k (${kind}): statement k never reaches the server; earlier ones answer`, async () => {
            await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`TRUNCATE ${table}`));
            proxy.reset();
            proxy.armCut({ statement: 2, when: "before" });
            await pgSession(url, async (c) => {
                await insert(c, 1);
                await assert.rejects(insert(c, 2));
            });
            assert.deepEqual(await rows(), [1]);
            assert.equal(proxy.fired.length, 1);
            assert.match(proxy.fired[0]?.text ?? "", /INSERT/);
        });

        it(`after k (${kind}): the server commits statement k, the client gets no answer`, async () => {
            await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`TRUNCATE ${table}`));
            proxy.reset();
            proxy.armCut({ statement: 2, when: "after" });
            await pgSession(url, async (c) => {
                await insert(c, 1);
                const outcome = await insert(c, 2).then(
                    () => "answered",
                    (err: Error) => err.message,
                );
                assert.notEqual(outcome, "answered");
            });
            assert.deepEqual(await rows(), [1, 2]);
        });
    }

    it("after k waits for the whole answer of a long statement", async () => {
        await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`TRUNCATE ${table}`));
        proxy.reset();
        proxy.armCut({ statement: 1, when: "after" });
        await pgSession(url, async (c) => {
            await assert.rejects(c.query(`INSERT INTO ${table} SELECT 1 FROM pg_sleep(0.3)`));
        });
        assert.deepEqual(await rows(), [1]);
    });
});

describe("statementProxy on MariaDB (COM_QUERY, COM_STMT_PREPARE/EXECUTE)", () => {
    const database = uniqueName("sp");
    let proxy: StatementProxy;
    let url: string;
    const rows = () =>
        withMysql(async (c) => {
            const [result] = await c.query(`SELECT v FROM ${database}.t ORDER BY v`);
            return (result as Array<{ v: number }>).map((r) => r.v);
        });

    before(async () => {
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        await withMysql((c) =>
            c.query(`CREATE DATABASE ${database}; CREATE TABLE ${database}.t (v int)`),
        );
        proxy = await startStatementProxy({
            protocol: "mysql",
            targetPort: Number(new URL(MARIADB_ADMIN_URL).port),
        });
        url = proxy.urlFor(MARIADB_ADMIN_URL);
    });
    after(async () => {
        await proxy.close();
        await withMysql((c) => c.query(`DROP DATABASE ${database}`));
    });

    it("records queries and executed prepared statements, result sets included", async () => {
        proxy.reset();
        await mysqlSession(url, async (c) => {
            const [many] = await c.query("SELECT 1 AS a UNION SELECT 2");
            assert.equal((many as unknown[]).length, 2);
            const [one] = await c.execute("SELECT ? AS b", [5]);
            assert.deepEqual(one, [{ b: 5 }]);
            await c.execute("SELECT ? AS b", [6]);
        });
        assert.deepEqual(proxy.statements, [
            "SELECT 1 AS a UNION SELECT 2",
            "SELECT ? AS b",
            "SELECT ? AS b",
        ]);
    });

    for (const prepared of [false, true]) {
        const insert = (c: mysql.Connection, v: number) =>
            prepared
                ? c.execute(`INSERT INTO ${database}.t VALUES (?)`, [v])
                : c.query(`INSERT INTO ${database}.t VALUES (${v})`);
        const kind = prepared ? "prepared" : "text";

        it(`before k (${kind}): statement k never reaches the server`, async () => {
            await withMysql((c) => c.query(`TRUNCATE ${database}.t`));
            proxy.reset();
            proxy.armCut({ statement: 3, when: "before" });
            await mysqlSession(url, async (c) => {
                await c.query("SELECT 1 UNION SELECT 2");
                await insert(c, 1);
                await assert.rejects(insert(c, 2));
            });
            assert.deepEqual(await rows(), [1]);
        });

        it(`after k (${kind}): the server runs statement k, the client gets no answer`, async () => {
            await withMysql((c) => c.query(`TRUNCATE ${database}.t`));
            proxy.reset();
            proxy.armCut({ statement: 3, when: "after" });
            await mysqlSession(url, async (c) => {
                await c.query("SELECT 1 UNION SELECT 2");
                await insert(c, 1);
                await assert.rejects(insert(c, 2));
            });
            assert.deepEqual(await rows(), [1, 2]);
        });
    }

    it("after k on a result set cuts once the last row arrived, not before", async () => {
        proxy.reset();
        proxy.armCut({ statement: 1, when: "after" });
        await mysqlSession(url, async (c) => {
            await assert.rejects(c.query("SELECT SLEEP(0.2) AS s UNION SELECT 2"));
        });
        assert.equal(proxy.fired.length, 1);
    });

    it("a multi-statement COM_QUERY is one statement; after k waits for its last result", async () => {
        await withMysql((c) => c.query(`TRUNCATE ${database}.t`));
        proxy.reset();
        proxy.armCut({ statement: 1, when: "after" });
        const conn = await mysql.createConnection({ uri: url, multipleStatements: true });
        conn.on("error", () => undefined);
        await assert.rejects(
            conn.query(
                `SELECT 1; INSERT INTO ${database}.t VALUES (1); SELECT SLEEP(0.2); INSERT INTO ${database}.t VALUES (2)`,
            ),
        );
        conn.destroy();
        assert.equal(proxy.statements.length, 1);
        assert.deepEqual(await rows(), [1, 2]);
    });
});

describe("statementProxy on the CockroachDB test server", () => {
    let crdb: CockroachTestServer;
    let proxy: StatementProxy;
    const setting = (url: string) =>
        pgSession(
            url,
            async (c) =>
                (await c.query("SHOW CLUSTER SETTING kv.rangefeed.enabled")).rows[0][
                    "kv.rangefeed.enabled"
                ] as unknown,
        );

    before(async () => {
        crdb = await startCockroachTestServer();
        proxy = await startStatementProxy({ protocol: "pgwire", targetPort: crdb.port });
    });
    after(async () => {
        await proxy.close();
        await crdb.stop();
    });

    it("before: SET CLUSTER SETTING never applied; after: applied without an answer", async () => {
        const through = proxy.urlFor(crdb.url);
        proxy.armCut({ statement: 1, when: "before" });
        await assert.rejects(
            pgSession(through, (c) => c.query("SET CLUSTER SETTING kv.rangefeed.enabled = true")),
        );
        assert.equal(String(await setting(crdb.url)), "false");

        proxy.reset();
        proxy.armCut({ statement: 1, when: "after" });
        await assert.rejects(
            pgSession(through, (c) => c.query("SET CLUSTER SETTING kv.rangefeed.enabled = true")),
        );
        assert.equal(String(await setting(crdb.url)), "true");
        assert.deepEqual(proxy.statements, ["SET CLUSTER SETTING kv.rangefeed.enabled = true"]);
    });
});
