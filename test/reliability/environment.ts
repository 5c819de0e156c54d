/**
 * Shared plumbing for the reliability suite: admin sessions on the real PostgreSQL and MariaDB
 * servers, a CockroachDB test server with an operator session, and a stopwatch.
 */
import type { Client } from "pg";

import { type CockroachTestServer, startCockroachTestServer } from "../support/cockroach";
import { eventually, runSql } from "../support/cockroach/testHelpers";
import { POSTGRES_ADMIN_URL } from "../support/services";
import { withPg as withPgAt } from "../support/sessions";

export { eventually };
export { withMysql } from "../support/sessions";

/** Runs `fn` with a PostgreSQL client on `url` (admin by default), always closing it. */
export function withPg<T>(
    fn: (client: Client) => Promise<T>,
    url = POSTGRES_ADMIN_URL,
): Promise<T> {
    return withPgAt(url, fn);
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
    const sql = (...statements: string[]) => runSql(server.url, statements, 10_000);
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
