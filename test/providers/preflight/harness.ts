/**
 * Pre-flight test fixtures: a CockroachDB test server holding the changefeed tables (compatible,
 * drifted, with an ignored column) and a staging schema, and the matching target tables.
 */
import { Client } from "pg";
import { startCockroachTestServer, type CockroachTestServer } from "../../support/cockroach";
import { makePreflightProvider } from "../../../src/providers/preflight/provider";
import type { TargetOpener } from "../../../src/providers/preflight/apply/run";
import type { PreflightInputs } from "../../../src/providers/preflight/types";

/** CockroachDB side: one compatible table, one with an ignored column, four drifted ones. */
export const COCKROACH_DDL = [
    "CREATE TABLE defaultdb.public.orders (id INT8 PRIMARY KEY, code VARCHAR(20), amount DECIMAL(10,2), placed_at TIMESTAMPTZ, paid BOOL)",
    "CREATE TABLE defaultdb.public.accounts (id INT8 PRIMARY KEY, name STRING, internal_note STRING)",
    "CREATE TABLE defaultdb.public.customers (id INT8 PRIMARY KEY, name STRING, email STRING)",
    "CREATE TABLE defaultdb.public.payments (id INT8 NOT NULL, region STRING NOT NULL, amount INT8, PRIMARY KEY (region, id))",
    "CREATE TABLE defaultdb.public.shipments (id INT8 PRIMARY KEY, note STRING)",
    "CREATE TABLE defaultdb.public.invoices (id INT8 PRIMARY KEY, total DECIMAL)",
    "CREATE SCHEMA _replicator",
    "CREATE TABLE defaultdb._replicator.memo (key STRING PRIMARY KEY, value BYTES)",
];

export const COMPATIBLE = ["orders"];
export const DRIFTED = ["customers", "payments", "shipments", "invoices"];

export interface CockroachFixture {
    server: CockroachTestServer;
    stop(): Promise<void>;
}

export async function startCockroach(): Promise<CockroachFixture> {
    const server = await startCockroachTestServer();
    const client = new Client({ connectionString: server.url });
    await client.connect();
    try {
        for (const statement of COCKROACH_DDL) await client.query(statement);
    } finally {
        await client.end();
    }
    return { server, stop: () => server.stop() };
}

/** Inputs for `tables`; the rest as the tests share it. */
export function inputs(
    server: CockroachTestServer,
    targetConnection: string,
    targetSchema: string,
    grantee: string,
    tables: string[],
    extra: Partial<PreflightInputs> = {},
): PreflightInputs {
    return {
        cockroachConnection: server.url,
        targetConnection,
        targetSchema,
        tables,
        grantee,
        stagingSchema: "defaultdb._replicator",
        rangefeedManaged: true,
        ...extra,
    };
}

/** Runs check and create; returns the outputs or the error's message. */
export async function create(
    preflight: PreflightInputs,
    openTarget?: TargetOpener,
): Promise<{ ok: true; outs: Record<string, unknown> } | { ok: false; message: string }> {
    const provider = makePreflightProvider(openTarget ? { openTarget } : {});
    const checked = await provider.check!({} as PreflightInputs, preflight);
    if (checked.failures && checked.failures.length > 0) {
        throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    }
    try {
        const result = await provider.create!(preflight);
        return { ok: true, outs: result.outs as unknown as Record<string, unknown> };
    } catch (err) {
        return { ok: false, message: (err as Error).message };
    }
}

/** Statements the server received that are neither a read (SELECT/SHOW) nor the fixture's DDL. */
export function writes(server: CockroachTestServer, from: number): string[] {
    return server.statements.slice(from).filter((s) => !/^\s*(SELECT|SHOW)\b/i.test(s));
}
