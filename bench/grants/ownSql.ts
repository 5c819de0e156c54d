/**
 * The provider's own SQL, without the provider: while one provider step runs, every query it
 * sends through its drivers (`pg`, `mysql2`) is recorded — text and bound parameters, in order,
 * one entry per round trip — and the `own SQL` contender replays exactly those round trips on a
 * new connection of the same driver, with no planning, parsing of results into a snapshot,
 * reconciliation or state encoding.
 *
 * It splits the provider's ratio to the DBA's script in two: own SQL / cli is what the provider's
 * round trips cost the server and the driver (the catalog read before a change, the catalog read
 * that ends the change batch, names listed table by table), provider / own SQL is the work the
 * provider does on the client.
 */
import { Client } from "pg";
import mysql = require("mysql2/promise");

/** One query as the driver received it. */
export interface RecordedQuery {
    driver: "pg" | "mysql";
    sql: string;
    params?: unknown[];
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

function sqlOf(first: unknown): string | undefined {
    if (typeof first === "string") return first;
    if (first && typeof first === "object" && "sql" in first) {
        return String((first as { sql: unknown }).sql);
    }
    if (first && typeof first === "object" && "text" in first) {
        return String((first as { text: unknown }).text);
    }
    return undefined;
}

/** Replaces `owner[key]` with a recording wrapper; returns the function that puts it back. */
function wrap(
    owner: Record<string, unknown>,
    key: string,
    driver: RecordedQuery["driver"],
    into: RecordedQuery[],
): () => void {
    const original = owner[key] as AnyFunction;
    owner[key] = function (this: unknown, ...args: unknown[]) {
        const sql = sqlOf(args[0]);
        if (sql !== undefined) {
            const params = Array.isArray(args[1]) ? [...(args[1] as unknown[])] : undefined;
            into.push({ driver, sql, ...(params ? { params } : {}) });
        }
        return original.apply(this, args);
    };
    return () => {
        owner[key] = original;
    };
}

/** Runs `work` and returns the queries it sent through `pg` and `mysql2`, in order. */
export async function recordQueries(work: () => Promise<unknown>): Promise<RecordedQuery[]> {
    const queries: RecordedQuery[] = [];
    const pgPrototype = Client.prototype as unknown as Record<string, unknown>;
    const myPrototype = (mysql as unknown as { PromiseConnection: { prototype: object } })
        .PromiseConnection.prototype as Record<string, unknown>;
    const restore = [
        wrap(pgPrototype, "query", "pg", queries),
        wrap(myPrototype, "query", "mysql", queries),
        wrap(myPrototype, "execute", "mysql", queries),
    ];
    try {
        await work();
    } finally {
        for (const undo of restore) undo();
    }
    return queries;
}

/** Where a replay connects: the provider's connection URL. */
export interface ReplayTarget {
    url: string;
}

/** Replays `queries` on a new connection: connect, each query in order, close. */
export async function replayQueries(
    target: ReplayTarget,
    queries: readonly RecordedQuery[],
): Promise<void> {
    if (queries.length === 0) return;
    if (queries.every((q) => q.driver === "pg")) {
        const client = new Client({
            connectionString: target.url,
            connectionTimeoutMillis: 10_000,
        });
        await client.connect();
        try {
            for (const q of queries) await client.query(q.sql, q.params);
        } finally {
            await client.end();
        }
        return;
    }
    const url = new URL(target.url);
    const conn = await mysql.createConnection({
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: decodeURIComponent(url.pathname.slice(1)) || undefined,
        multipleStatements: true,
        charset: "utf8mb4",
        connectTimeout: 10_000,
    });
    try {
        for (const q of queries) await conn.query(q.sql, q.params);
    } finally {
        await conn.end();
    }
}
