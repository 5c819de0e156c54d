/**
 * Short-lived admin sessions on the real PostgreSQL and MariaDB servers the tests use, with
 * bounded connect timeouts; each is closed whatever `fn` does.
 */
import mysql = require("mysql2/promise");
import { Client } from "pg";

import { MARIADB_ADMIN_URL } from "./services";

const CONNECT_TIMEOUT_MS = 10_000;

/** Runs `fn` with a PostgreSQL client on `url`, always closing it. */
export async function withPg<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({
        connectionString: url,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end();
    }
}

/** Runs `fn` with a MariaDB connection on `url` (root by default), always closing it. */
export async function withMysql<T>(
    fn: (conn: mysql.Connection) => Promise<T>,
    url = MARIADB_ADMIN_URL,
): Promise<T> {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: CONNECT_TIMEOUT_MS });
    try {
        return await fn(conn);
    } finally {
        await conn.end();
    }
}
