/**
 * Shared setup of the Changefeed engine tests: the CockroachDB test server, an HTTPS receiver
 * standing in for the replicator (it demands the client certificate and the bearer token), a
 * per-run token, and small helpers to run SQL, wait, and read what arrived.
 */
import { Client } from "pg";

import { type CockroachTestServer, startCockroachTestServer } from "../cockroach";
import { createTestCertificates, type TestCertificates } from "../cockroach/feed/testCerts";
import { startWebhookReceiver, type WebhookReceiver } from "../cockroach/feed/webhookReceiver";
import { POSTGRES_ADMIN_URL, requireService } from "../services";

/** A test server, a receiver and the TLS material and token of one engine test file. */
export interface FeedTestbed {
    crdb: CockroachTestServer;
    certs: TestCertificates;
    receiver: WebhookReceiver;
    token: string;
    /** The secrets that must never appear in state or CLI output. */
    secrets(): string[];
    close(): Promise<void>;
}

/** Starts the server and the receiver (after making sure PostgreSQL is there). */
export async function startFeedTestbed(): Promise<FeedTestbed> {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
    const token = `tok-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const crdb = await startCockroachTestServer();
    const certs = await createTestCertificates();
    const receiver = await startWebhookReceiver(certs.server, certs.ca.certPem);
    return {
        crdb,
        certs,
        receiver,
        token,
        secrets: () => [token, certs.client.keyPem, crdb.url],
        async close() {
            await receiver.close();
            await crdb.stop();
        },
    };
}

/** Runs one statement on `url` and returns its rows. */
export async function sql(url: string, text: string): Promise<Array<Record<string, unknown>>> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return (await client.query(text)).rows;
    } finally {
        await client.end();
    }
}

/**
 * The first key column of every row the receiver got; `acceptedOnly` counts only requests it
 * answered with 2xx.
 */
export function receivedIds(receiver: WebhookReceiver, acceptedOnly = false): number[] {
    const ids: number[] = [];
    for (const request of receiver.requests) {
        if (acceptedOnly && (request.status < 200 || request.status >= 300)) continue;
        const body = JSON.parse(request.body || "{}") as { payload?: Array<{ key: unknown[] }> };
        for (const row of body.payload ?? []) ids.push(Number(row.key[0]));
    }
    return ids;
}

export async function waitFor(
    condition: () => boolean,
    timeoutMs: number,
    what: string,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}
