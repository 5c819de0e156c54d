/**
 * Test environment for the Changefeed provider: a CockroachDB test server, an HTTPS receiver
 * standing in for the replicator (it demands the client certificate and the bearer token, and
 * answers 401 otherwise), and helpers to write rows and to check what arrived.
 */
import { Client } from "pg";

import type { ChangefeedInputs } from "../../../src/providers/changefeed/types";
import { type CockroachTestServer, startCockroachTestServer } from "../cockroach";
import { createTestCertificates, type TestCertificates } from "../cockroach/feed/testCerts";
import { startWebhookReceiver, type WebhookReceiver } from "../cockroach/feed/webhookReceiver";
import { eventually, runSql } from "../cockroach/testHelpers";

export { eventually };

export const TOKEN = "test-token-Zq9";

let certificates: Promise<TestCertificates> | undefined;

/** One CA + server + client certificate set for the whole test file. */
export function testCertificates(): Promise<TestCertificates> {
    certificates ??= createTestCertificates();
    return certificates;
}

/** A received data row. */
export interface ReceivedRow {
    topic: string;
    key: string;
    after: Record<string, unknown> | null;
    updated: string;
}

export interface Environment {
    server: CockroachTestServer;
    receiver: WebhookReceiver;
    certs: TestCertificates;
    /** Runs statements as root (the operator) and returns the last one's rows. */
    sql(...statements: string[]): Promise<Record<string, unknown>[]>;
    /** Valid inputs for a feed on `tables` into the receiver at `path`. */
    inputs(tables: string[], overrides?: Partial<ChangefeedInputs>): ChangefeedInputs;
    /** Data rows of every accepted request, in arrival order. */
    rows(): ReceivedRow[];
    /** The highest resolved timestamp the receiver accepted. */
    lastResolved(): bigint;
    close(): Promise<void>;
}

export async function startEnvironment(
    serverOptions: Parameters<typeof startCockroachTestServer>[0] = {},
): Promise<Environment> {
    const certs = await testCertificates();
    const server = await startCockroachTestServer(serverOptions);
    const receiver = await startWebhookReceiver(certs.server, certs.ca.certPem);
    receiver.respond = (request) =>
        request.clientAuthorized && request.headers.authorization === `Bearer ${TOKEN}`
            ? { status: 200 }
            : { status: 401, body: "unauthorized" };
    const sql = (...statements: string[]) => runSql(server.url, statements);
    await sql("SET CLUSTER SETTING kv.rangefeed.enabled = true");
    const accepted = () =>
        receiver.requests
            .filter((r) => r.status >= 200 && r.status < 300)
            .map((r) => JSON.parse(r.body) as { payload?: ReceivedRow[]; resolved?: string });
    return {
        server,
        receiver,
        certs,
        sql,
        inputs: (tables, overrides = {}) => ({
            connection: server.url,
            tables,
            webhookUrl: `https://127.0.0.1:${receiver.port}/defaultdb/public`,
            caCertPem: certs.ca.certPem,
            clientCertPem: certs.client.certPem,
            clientKeyPem: certs.client.keyPem,
            authToken: TOKEN,
            waitForRunningSeconds: 10,
            ...overrides,
        }),
        rows: () =>
            accepted().flatMap((body) =>
                (body.payload ?? []).map((row) => ({ ...row, key: JSON.stringify(row.key) })),
            ),
        lastResolved: () =>
            accepted().reduce((max, body) => {
                if (!body.resolved) return max;
                const wall = BigInt(body.resolved.split(".")[0]!);
                return wall > max ? wall : max;
            }, 0n),
        // Server first: stopping its feeds closes their sockets, so the receiver's close() is not
        // left waiting for a connection a running feed just opened.
        close: async () => {
            await server.stop();
            await receiver.close();
        },
    };
}

/** Waits until the receiver has a resolved timestamp after "now" on the cluster: caught up. */
export async function waitCaughtUp(env: Environment, timeoutMs = 15_000): Promise<void> {
    const [row] = await env.sql("SELECT cluster_logical_timestamp()");
    const now = BigInt(String(row?.cluster_logical_timestamp).split(".")[0]!);
    await eventually(() => env.lastResolved() > now, "the feed to catch up", timeoutMs);
}

/** Writes rows with increasing ids into tables in the background until stopped. */
export function startWriter(
    env: Environment,
    tables: string[],
): { stop(): Promise<Map<string, number[]>> } {
    const written = new Map<string, number[]>(tables.map((t) => [t, []]));
    let running = true;
    const client = new Client({ connectionString: env.server.url, connectionTimeoutMillis: 5000 });
    const loop = (async () => {
        await client.connect();
        let id = 1000;
        while (running) {
            id += 1;
            for (const table of tables) {
                await client.query(`INSERT INTO ${table} (id, v) VALUES (${id}, 'w${id}')`);
                written.get(table)!.push(id);
            }
            await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await client.end();
    })();
    return {
        stop: async () => {
            running = false;
            await loop;
            return written;
        },
    };
}
