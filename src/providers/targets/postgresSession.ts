/** PostgreSQL session: `pg.Client` with connect, statement, lock and client-side query timeouts. */
import type * as pg from "pg";
import {
    parsePgCatalog,
    PG_CATALOG_QUERY,
    type PgCatalogRow,
    pgCatalogQueryFor,
} from "./postgresCatalog";
import { pgServerAnswered } from "./postgresCodes";
import type { ParsedConnection } from "./dialect";
import { connectError, errorCodes, queryError, type SessionOpener } from "./session";

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
