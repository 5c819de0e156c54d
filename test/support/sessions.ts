/**
 * Short-lived admin sessions on the real PostgreSQL and MariaDB servers the tests use, with
 * bounded connect timeouts; each is closed whatever `fn` does.
 */
import mysql = require("mysql2/promise");
import { Client } from "pg";

import { MARIADB_ADMIN_URL } from "./services";

export interface SessionOptions {
    /** Connect timeout; default 10 s. */
    connectTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Runs `fn` with a PostgreSQL client on `url`, always closing it. */
export async function withPg<T>(
    url: string,
    fn: (client: Client) => Promise<T>,
    options: SessionOptions = {},
): Promise<T> {
    const client = new Client({
        connectionString: url,
        connectionTimeoutMillis: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    });
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end();
    }
}

/**
 * Runs `fn` with a MariaDB connection on `url` (root by default), always closing it. Set-up
 * scripts may send several statements at once.
 */
export async function withMysql<T>(
    fn: (conn: mysql.Connection) => Promise<T>,
    url = MARIADB_ADMIN_URL,
    options: SessionOptions = {},
): Promise<T> {
    const conn = await mysql.createConnection({
        uri: url,
        connectTimeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
        multipleStatements: true,
    });
    try {
        return await fn(conn);
    } finally {
        await conn.end();
    }
}
