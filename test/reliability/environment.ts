/**
 * Shared plumbing for the reliability suite: admin sessions on the real PostgreSQL and MariaDB
 * servers, a CockroachDB test server with an operator session, and a stopwatch.
 */
import mysql = require("mysql2/promise");
import { Client, types as pgTypes } from "pg";

import { type CockroachTestServer, startCockroachTestServer } from "../support/cockroach";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL } from "../support/services";

/** Runs `fn` with a PostgreSQL client on `url` (admin by default), always closing it. */
export async function withPg<T>(
    fn: (client: Client) => Promise<T>,
    url = POSTGRES_ADMIN_URL,
): Promise<T> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end();
    }
}

/** Runs `fn` with a MariaDB root connection, always closing it. */
export async function withMysql<T>(fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
    const conn = await mysql.createConnection({ uri: MARIADB_ADMIN_URL, connectTimeout: 10_000 });
    try {
        return await fn(conn);
    } finally {
        await conn.end();
    }
}

/** `POSTGRES_ADMIN_URL` pointed at another database. */
export function postgresDatabaseUrl(database: string, base = POSTGRES_ADMIN_URL): string {
    const url = new URL(base);
    url.pathname = `/${database}`;
    return url.toString();
}

/** A CockroachDB test server with rangefeeds enabled and an operator session helper. */
export interface Cockroach {
    server: CockroachTestServer;
    /** Runs statements as root (out of band) and returns the last one's rows. */
    sql(...statements: string[]): Promise<Record<string, unknown>[]>;
    stop(): Promise<void>;
}

export async function startCockroach(
    options: { rangefeeds?: boolean; clusterId?: string } = {},
): Promise<Cockroach> {
    const server = await startCockroachTestServer(
        options.clusterId ? { clusterId: options.clusterId } : {},
    );
    const sql = async (...statements: string[]) => {
        const client = new Client({
            connectionString: server.url,
            connectionTimeoutMillis: 10_000,
            // INTERVAL as the server's text (00:00:00.25), not the driver's object.
            types: {
                getTypeParser: ((oid: number) =>
                    oid === 1186 ? (v: string) => v : pgTypes.getTypeParser(oid)) as never,
            },
        });
        await client.connect();
        try {
            let rows: Record<string, unknown>[] = [];
            for (const statement of statements) rows = (await client.query(statement)).rows;
            return rows;
        } finally {
            await client.end();
        }
    };
    if (options.rangefeeds ?? true) await sql("SET CLUSTER SETTING kv.rangefeed.enabled = true");
    return { server, sql, stop: () => server.stop() };
}

/** Runs `fn`, returning its outcome (error or value) and how long it took. */
export async function timed<T>(
    fn: () => Promise<T>,
): Promise<{ ms: number; value?: T; error?: Error }> {
    const start = performance.now();
    try {
        const value = await fn();
        return { ms: performance.now() - start, value };
    } catch (err) {
        return { ms: performance.now() - start, error: err as Error };
    }
}

/** Polls `condition` every 50 ms; throws after `timeoutMs`. */
export async function eventually(
    condition: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs = 15_000,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
