/**
 * Database sessions for TargetGrants, one implementation per dialect. Each one reads the
 * privilege catalog in one query and applies a batch of GRANT/REVOKE statements in one round
 * trip (PostgreSQL: one implicit transaction; MySQL: a multi-statement batch; Oracle: one
 * anonymous PL/SQL block). Drivers are `require`d inside functions so the provider closure stays
 * small.
 */
import type * as pg from "pg";
import type * as mysql from "mysql2/promise";
import type * as oracledb from "oracledb";
import { redactUrl, scrubbedError } from "../kernel/redact";
import {
    MYSQL_CATALOG_QUERY,
    MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY,
    MYSQL_CONNECTION_ALIVE_QUERY,
    MYSQL_NO_SUCH_THREAD_ERRNO,
    MYSQL_SESSION_SETUP,
    type MysqlCatalogRow,
    mysqlCatalogParams,
    mysqlKillConnection,
    mysqlServerAnswered,
    parseMysqlCatalog,
} from "../targets/mysql";
import {
    ORACLE_CATALOG_QUERY,
    type OracleCatalogRow,
    oracleChangeBlock,
    oracleServerAnswered,
    parseOracleCatalog,
} from "../targets/oracle";
import {
    PG_CATALOG_QUERY,
    type PgCatalogRow,
    parsePgCatalog,
    pgCatalogQueryFor,
    pgServerAnswered,
} from "../targets/postgres";
import type { CatalogSnapshot, Dialect, GrantTarget } from "../targets/types";
import type { ParsedConnection } from "./connection";

/** One message to the server and its answer. `statements` counts the SQL statements it carried. */
export interface RoundTrip {
    dialect: Dialect;
    kind: "connect" | "catalog" | "setup" | "change" | "endSession";
    statements: number;
}

/** Bounds and instrumentation for a session. */
export interface SessionOptions {
    /** Time allowed to connect and authenticate. */
    connectTimeoutMs: number;
    /** Time allowed for one statement (or batch) to run. */
    statementTimeoutMs: number;
    /** Called once per round trip (used by tests to count them). */
    onRoundTrip?: (trip: RoundTrip) => void;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 30_000,
};

/** What a catalog read must include. */
export interface CatalogReadOptions {
    /** List the schema's tables (default true). */
    listTables?: boolean;
}

/** An open admin session on the target. */
export interface GrantSession {
    readonly connection: ParsedConnection;
    /** MySQL 8 `partial_revokes`; false elsewhere. */
    readonly partialRevokes: boolean;
    /**
     * Reads the privilege catalog in one query. With `options.listTables` false a dialect may
     * leave `tables` empty when listing them is costly (MySQL: only the account's privilege rows
     * are read); callers that need the tables (scope, missing tables, coverage, PostgreSQL owners)
     * leave it at its default, true.
     */
    readCatalog(target: GrantTarget, options?: CatalogReadOptions): Promise<CatalogSnapshot>;
    /**
     * Runs `revokes` then `grants` in one round trip. PostgreSQL: all or nothing. MySQL and
     * Oracle: statements before a failing one stay applied (re-read the catalog to find out).
     * With `readAfter`, a dialect that can (PostgreSQL) ends the same transaction with a catalog
     * read of that target and returns it: what the change left, grantors included, at no extra
     * round trip. Others return undefined.
     */
    applyChange(
        revokes: readonly string[],
        grants: readonly string[],
        readAfter?: GrantTarget,
    ): Promise<CatalogSnapshot | undefined>;
    /**
     * The server's id for this connection (MySQL thread id, PostgreSQL backend pid), when the
     * dialect can end it from another session; used after a lost connection to stop a batch the
     * server is still running.
     */
    readonly serverSessionId?: number;
    /**
     * Ends the server connection `serverSessionId` of another session and waits (bounded by the
     * statement timeout) until the server has let it go. Resolves `true` when the connection is
     * confirmed gone — no statement of it can still change the catalog — and `false` when that
     * could not be confirmed in time. Only dialects that set `serverSessionId` implement it.
     */
    endServerSession?(serverSessionId: number): Promise<boolean>;
    close(): Promise<void>;
}

/** Opens a session for one dialect. */
export type SessionOpener = (
    connection: ParsedConnection,
    options: SessionOptions,
) => Promise<GrantSession>;

/** Driver error codes, kept so callers can classify a failure without reading its text. */
export interface DriverErrorCodes {
    /** PostgreSQL SQLSTATE, or `ORA-nnnnn` for Oracle. */
    code?: string;
    /** MySQL errno, or the Oracle error number. */
    errno?: number;
}

/** The codes attached to an error thrown by a session. */
export function errorCodes(err: unknown): DriverErrorCodes {
    const e = err as { code?: unknown; errno?: unknown; errorNum?: unknown } | null;
    return {
        code: typeof e?.code === "string" ? e.code : undefined,
        errno:
            typeof e?.errno === "number"
                ? e.errno
                : typeof e?.errorNum === "number"
                  ? e.errorNum
                  : undefined,
    };
}

/**
 * True when a failed `applyChange` got a definite answer from the server (the batch ran until
 * that error and stopped), so re-reading the catalog shows its whole effect. False for a lost
 * connection or a client-side timeout: the server may still be running the batch.
 */
export function serverAnswered(dialect: Dialect, err: unknown): boolean {
    const { errno } = errorCodes(err);
    if (dialect === "mysql") return mysqlServerAnswered(errno);
    if (dialect === "oracle") return oracleServerAnswered(errno);
    return pgServerAnswered(errorCodes(err).code); // PostgreSQL: a SQLSTATE came back
}

const LABEL: Record<Dialect, string> = {
    postgres: "PostgreSQL",
    mysql: "MySQL/MariaDB",
    oracle: "Oracle",
};

function connectError(connection: ParsedConnection, err: unknown, timeoutMs: number): Error {
    return scrubbedError(
        `could not connect to ${LABEL[connection.dialect]} at ${redactUrl(connection.url)} ` +
            `(connect timeout ${Math.round(timeoutMs / 1000)} s)`,
        err,
        [connection.url, connection.password],
    );
}

function queryError(connection: ParsedConnection, what: string, err: unknown): Error {
    const wrapped = scrubbedError(`${what} failed on ${redactUrl(connection.url)}`, err, [
        connection.url,
        connection.password,
    ]);
    const num = (err as { errorNum?: unknown } | null)?.errorNum;
    if (typeof num === "number") (wrapped as Error & { errno?: number }).errno = num;
    return wrapped;
}

/** PostgreSQL: `pg.Client` with connect, statement, lock and client-side query timeouts. */
/**
 * The URL with its port and database written out: `pg` reads what the URL leaves out from the
 * process's environment (PGPORT, PGDATABASE) before its own defaults (5432; a database named
 * after the user), which would send the grants to another server or database than the one
 * `server` in state names. The defaults are written in explicitly instead.
 */
function withExplicitPort(connection: ParsedConnection): string {
    const url = new URL(connection.url.trim());
    if (url.port === "") url.port = String(connection.port);
    if (url.pathname === "" || url.pathname === "/") {
        url.pathname = `/${encodeURIComponent(connection.user)}`;
    }
    return url.toString();
}

export const openPostgresSession: SessionOpener = async (connection, options) => {
    const { Client } = require("pg") as typeof pg;
    const client = new Client({
        connectionString: withExplicitPort(connection),
        connectionTimeoutMillis: options.connectTimeoutMs,
        statement_timeout: options.statementTimeoutMs,
        lock_timeout: options.statementTimeoutMs,
        query_timeout: options.statementTimeoutMs + 5_000,
        application_name: "pulumi-crdb-failback",
    });
    client.on("error", () => undefined); // a dropped connection surfaces on the next query
    options.onRoundTrip?.({ dialect: "postgres", kind: "connect", statements: 0 });
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        throw connectError(connection, err, options.connectTimeoutMs);
    }
    const run = async <T extends pg.QueryResultRow>(
        what: string,
        sql: string,
        params: unknown[],
    ) => {
        try {
            return (await client.query<T>(sql, params)).rows;
        } catch (err) {
            throw queryError(connection, what, err);
        }
    };
    const processId = (client as unknown as { processID?: number }).processID;
    return {
        connection,
        partialRevokes: false,
        serverSessionId: typeof processId === "number" && processId > 0 ? processId : undefined,
        async endServerSession(pid) {
            options.onRoundTrip?.({ dialect: "postgres", kind: "endSession", statements: 1 });
            await run("ending the lost connection", "SELECT pg_catalog.pg_terminate_backend($1)", [
                pid,
            ]);
            const deadline = Date.now() + options.statementTimeoutMs;
            for (;;) {
                options.onRoundTrip?.({ dialect: "postgres", kind: "endSession", statements: 1 });
                const rows = await run<{ n: string }>(
                    "waiting for the lost connection to end",
                    "SELECT COUNT(*) AS n FROM pg_catalog.pg_stat_activity WHERE pid = $1",
                    [pid],
                );
                if (Number(rows[0]?.n ?? 0) === 0) return true;
                if (Date.now() >= deadline) return false;
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        },
        async readCatalog(target) {
            options.onRoundTrip?.({ dialect: "postgres", kind: "catalog", statements: 1 });
            const rows = await run<PgCatalogRow>(
                "reading the privilege catalog",
                PG_CATALOG_QUERY,
                [target.schema, target.grantee],
            );
            return parsePgCatalog(rows);
        },
        async applyChange(revokes, grants, readAfter) {
            const statements = [...revokes, ...grants];
            if (statements.length === 0) return undefined;
            if (readAfter) statements.push(pgCatalogQueryFor(readAfter));
            options.onRoundTrip?.({
                dialect: "postgres",
                kind: "change",
                statements: statements.length,
            });
            let results: pg.QueryResult | pg.QueryResult[];
            try {
                // Several statements in one simple-protocol message run as one implicit transaction.
                results = (await client.query(statements.join(";\n"))) as
                    pg.QueryResult | pg.QueryResult[];
            } catch (err) {
                const answered = pgServerAnswered(errorCodes(err).code);
                throw queryError(
                    connection,
                    answered
                        ? "granting/revoking privileges (rolled back)"
                        : "granting/revoking privileges (outcome unknown: no answer from the server)",
                    err,
                );
            }
            if (!readAfter) return undefined;
            const last = Array.isArray(results) ? results[results.length - 1] : results;
            return parsePgCatalog((last?.rows ?? []) as PgCatalogRow[]);
        },
        async close() {
            await client.end().catch(() => undefined);
        },
    };
};

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
            options.onRoundTrip?.({ dialect: "mysql", kind: "catalog", statements: 1 });
            const rows = await run<MysqlCatalogRow[]>(
                "reading the privilege catalog",
                listTables ? MYSQL_CATALOG_QUERY : MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY,
                mysqlCatalogParams(target, partialRevokes, listTables),
            );
            return parseMysqlCatalog(rows, target.schema);
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

/** The part of the oracledb connection API this module uses (a recording client implements it). */
export interface OracleConnectionLike {
    callTimeout?: number;
    execute<T>(
        sql: string,
        binds: Record<string, unknown>,
        options: { outFormat?: number },
    ): Promise<{ rows?: T[] }>;
    close(): Promise<void>;
}

/** Opens an oracledb connection; replaceable in tests. */
export type OracleConnector = (attributes: {
    user: string;
    password: string;
    connectString: string;
    connectTimeout: number;
    transportConnectTimeout: number;
}) => Promise<OracleConnectionLike>;

/** The real connector: node-oracledb in thin mode (no Oracle client libraries needed). */
export const oracledbConnector: OracleConnector = async (attributes) => {
    const driver = require("oracledb") as typeof oracledb;
    return (await driver.getConnection(attributes)) as unknown as OracleConnectionLike;
};

/** `oracledb.OUT_FORMAT_OBJECT`, fixed by the driver's API. */
const OUT_FORMAT_OBJECT = 4002;

/** Oracle: per-round-trip call timeout; every change in one anonymous PL/SQL block. */
export function oracleSessionOpener(connector: OracleConnector = oracledbConnector): SessionOpener {
    return async (connection, options) => {
        const host = connection.host.includes(":") ? `[${connection.host}]` : connection.host;
        const seconds = Math.max(1, Math.ceil(options.connectTimeoutMs / 1000));
        options.onRoundTrip?.({ dialect: "oracle", kind: "connect", statements: 0 });
        let conn: OracleConnectionLike;
        try {
            conn = await connector({
                user: connection.user,
                password: connection.password,
                connectString: `${host}:${connection.port}/${connection.database}`,
                connectTimeout: seconds,
                transportConnectTimeout: seconds,
            });
        } catch (err) {
            throw connectError(connection, err, options.connectTimeoutMs);
        }
        conn.callTimeout = options.statementTimeoutMs;
        return {
            connection,
            partialRevokes: false,
            async readCatalog(target) {
                options.onRoundTrip?.({ dialect: "oracle", kind: "catalog", statements: 1 });
                try {
                    const result = await conn.execute<OracleCatalogRow>(
                        ORACLE_CATALOG_QUERY,
                        { owner: target.schema, grantee: target.grantee },
                        { outFormat: OUT_FORMAT_OBJECT },
                    );
                    return parseOracleCatalog(result.rows ?? []);
                } catch (err) {
                    throw queryError(connection, "reading the privilege catalog", err);
                }
            },
            async applyChange(revokes, grants) {
                if (revokes.length + grants.length === 0) return undefined;
                options.onRoundTrip?.({
                    dialect: "oracle",
                    kind: "change",
                    statements: revokes.length + grants.length,
                });
                try {
                    await conn.execute(oracleChangeBlock(revokes, grants), {}, {});
                } catch (err) {
                    throw queryError(connection, "granting/revoking privileges", err);
                }
                return undefined;
            },
            async close() {
                await conn.close().catch(() => undefined);
            },
        };
    };
}
