/** MySQL/MariaDB session: mysql2 with multi-statement batches, a normalized sql_mode and timeouts. */
import type * as mysql from "mysql2/promise";
import {
    MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY,
    MYSQL_SESSION_SETUP,
    type MysqlCatalogRow,
    addListedTables,
    mysqlCatalogParams,
    mysqlTableListStatement,
    parseMysqlCatalog,
} from "./mysqlCatalog";
import {
    MYSQL_CONNECTION_ALIVE_QUERY,
    MYSQL_NO_SUCH_THREAD_ERRNO,
    MYSQL_TABLE_LIST_NOTHING_VISIBLE_ERRNOS,
    mysqlKillConnection,
} from "./mysqlCodes";
import { connectError, errorCodes, queryError, type SessionOpener } from "./session";

/** Largest multi-statement batch sent to MySQL in one message (well under max_allowed_packet). */
const MYSQL_BATCH_BYTES = 1_000_000;

/** MySQL/MariaDB: mysql2 with multi-statement batches, a normalized sql_mode and timeouts. */
export const openMysqlSession: SessionOpener = async (connection, options) => {
    const mysql2 = require("mysql2/promise") as typeof mysql;
    options.onRoundTrip?.({ dialect: "mysql", kind: "connect", statements: 0 });
    let conn: mysql.Connection;
    try {
        conn = await mysql2.createConnection({
            ...mysqlDriverParams(connection.params),
            host: connection.host,
            port: connection.port,
            user: connection.user,
            password: connection.password,
            connectTimeout: options.connectTimeoutMs,
            multipleStatements: true,
            charset: "utf8mb4",
        });
    } catch (err) {
        throw connectError(connection, err, options.connectTimeoutMs);
    }
    conn.on("error", () => undefined);
    const run = async <T>(what: string, sql: string, params?: unknown[]): Promise<T> => {
        try {
            const [rows] = await conn.query({ sql, timeout: options.statementTimeoutMs }, params);
            return rows as T;
        } catch (err) {
            throw queryError(connection, what, err);
        }
    };
    let partialRevokes = false;
    try {
        options.onRoundTrip?.({ dialect: "mysql", kind: "setup", statements: 2 });
        const results = await run<unknown[]>("preparing the session", MYSQL_SESSION_SETUP);
        const variables = (results[1] ?? []) as { Value?: string }[];
        partialRevokes = variables.some((v) => String(v.Value).toUpperCase() === "ON");
    } catch (err) {
        await conn.end().catch(() => undefined);
        throw err;
    }
    return {
        connection,
        partialRevokes,
        serverSessionId: conn.threadId,
        async endServerSession(threadId) {
            options.onRoundTrip?.({ dialect: "mysql", kind: "endSession", statements: 1 });
            try {
                await run("ending the lost connection", mysqlKillConnection(threadId));
            } catch (err) {
                if (errorCodes(err).errno !== MYSQL_NO_SUCH_THREAD_ERRNO) throw err;
            }
            const deadline = Date.now() + options.statementTimeoutMs;
            for (;;) {
                options.onRoundTrip?.({ dialect: "mysql", kind: "endSession", statements: 1 });
                const rows = await run<{ n: number | string }[]>(
                    "waiting for the lost connection to end",
                    MYSQL_CONNECTION_ALIVE_QUERY,
                    [threadId],
                );
                if (Number(rows[0]?.n ?? 0) === 0) return true;
                if (Date.now() >= deadline) return false;
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        },
        async readCatalog(target, read) {
            const listTables = read?.listTables ?? true;
            const params = mysqlCatalogParams(target, partialRevokes);
            const readPrivileges = async () => {
                options.onRoundTrip?.({ dialect: "mysql", kind: "catalog", statements: 1 });
                const rows = await run<MysqlCatalogRow[]>(
                    "reading the privilege catalog",
                    MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY,
                    params,
                );
                return parseMysqlCatalog(rows, target.schema);
            };
            if (!listTables) return readPrivileges();
            // One round trip: the privilege query with its values bound by the driver (exactly as
            // for any query with values), then the table list, which takes a quoted identifier.
            const batch =
                `${conn.format(MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY, params)};\n` +
                mysqlTableListStatement(target.schema);
            options.onRoundTrip?.({ dialect: "mysql", kind: "catalog", statements: 2 });
            let results: unknown[];
            try {
                [results] = (await conn.query({
                    sql: batch,
                    timeout: options.statementTimeoutMs,
                })) as [unknown[], unknown];
            } catch (err) {
                // No visible table in this database: the privilege query alone tells the rest.
                const { errno } = errorCodes(err);
                if (errno !== undefined && MYSQL_TABLE_LIST_NOTHING_VISIBLE_ERRNOS.has(errno)) {
                    return readPrivileges();
                }
                throw queryError(connection, "reading the privilege catalog", err);
            }
            const snapshot = parseMysqlCatalog(results[0] as MysqlCatalogRow[], target.schema);
            addListedTables(snapshot, results[1] as Record<string, unknown>[]);
            return snapshot;
        },
        async applyChange(revokes, grants) {
            for (const batch of batches([...revokes, ...grants], MYSQL_BATCH_BYTES)) {
                options.onRoundTrip?.({
                    dialect: "mysql",
                    kind: "change",
                    statements: batch.length,
                });
                await run("granting/revoking privileges", batch.join(";\n"));
            }
            return undefined;
        },
        async close() {
            await conn.end().catch(() => conn.destroy());
        },
    };
};

/**
 * URL query parameters passed to mysql2 as options, as its own `uri` parsing does (JSON values
 * such as `ssl={"rejectUnauthorized":true}` are decoded).
 */
function mysqlDriverParams(params: Record<string, string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) {
        try {
            out[key] = JSON.parse(value);
        } catch {
            out[key] = value;
        }
    }
    return out;
}

/** Splits statements into batches whose joined text stays under `maxBytes`. */
export function batches(statements: readonly string[], maxBytes: number): string[][] {
    const out: string[][] = [];
    let current: string[] = [];
    let size = 0;
    for (const statement of statements) {
        const bytes = Buffer.byteLength(statement) + 2;
        if (current.length > 0 && size + bytes > maxBytes) {
            out.push(current);
            current = [];
            size = 0;
        }
        current.push(statement);
        size += bytes;
    }
    if (current.length > 0) out.push(current);
    return out;
}
