/**
 * Engine test (real `pulumi`): a failed `up` followed by a retry loses no write. The first `up`
 * fails — (a) on a dead sink, after the job was created; (b) with rangefeeds off, where the
 * job never runs — rows are written on CockroachDB, the cause is fixed and `up` runs again:
 * the retry starts from the first `up`'s cursor (kept in state through the partial-state
 * error) and every row written since arrives. No secret is in state after the failed `up`.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { CockroachTestServer } from "../support/cockroach";
import type { TestCertificates } from "../support/cockroach/feed/testCerts";
import type { WebhookReceiver } from "../support/cockroach/feed/webhookReceiver";
import {
    type FeedTestbed,
    receivedIds as receivedRows,
    sql,
    startFeedTestbed,
    waitFor,
} from "../support/changefeed/engineSetup";
import {
    createEngineStack,
    findLeaks,
    resourcesExceptDynamicProvider,
    type EngineStack,
} from "../support/engine/engine";
import { REPO_ROOT } from "../support/engine/packageInstall";

const PROGRAM = path.join(REPO_ROOT, "test", "e2e", "programs", "changefeed-retry");

describe("a failed up followed by a retry loses no write (real engine)", () => {
    let crdb: CockroachTestServer;
    let certs: TestCertificates;
    let receiver: WebhookReceiver;
    const engines: EngineStack[] = [];
    let testbed: FeedTestbed;
    let token: string;

    before(async () => {
        testbed = await startFeedTestbed();
        ({ crdb, certs, receiver, token } = testbed);
        await sql(crdb.url, "SET CLUSTER SETTING kv.rangefeed.enabled = true");
        await sql(crdb.url, "CREATE TABLE orders (id INT PRIMARY KEY, v STRING)");
    });

    after(async () => {
        for (const engine of engines) await engine.dispose();
        await testbed?.close();
    });

    async function stack(name: string, webhookUrl: string): Promise<EngineStack> {
        const engine = await createEngineStack({
            programDir: PROGRAM,
            stackName: name,
            config: {
                webhookUrl,
                caCertPem: certs.ca.certPem,
                clientCertPem: certs.client.certPem,
                waitForRunningSeconds: "4",
            },
            secrets: {
                cockroachConnection: crdb.url,
                clientKeyPem: certs.client.keyPem,
                authToken: token,
            },
        });
        engines.push(engine);
        return engine;
    }

    /** The cursor the failed `up` recorded for the Changefeed (from the exported state). */
    async function recordedCursor(engine: EngineStack): Promise<string> {
        const state = JSON.parse(await engine.exportState()) as {
            checkpoint?: {
                latest?: { resources?: Array<{ type: string; outputs?: { cursor?: string } }> };
            };
        };
        const feed = state.checkpoint?.latest?.resources?.find((r) =>
            r.type.endsWith("Changefeed"),
        );
        assert.ok(feed?.outputs?.cursor, "the failed up recorded the Changefeed with its cursor");
        return feed.outputs.cursor;
    }

    async function assertNoLeaks(engine: EngineStack): Promise<void> {
        const state = await engine.exportState();
        const secrets = [token, certs.client.keyPem, crdb.url];
        assert.deepEqual(findLeaks(resourcesExceptDynamicProvider(state), secrets), []);
        assert.deepEqual(findLeaks(engine.log(), [token, certs.client.keyPem]), []);
    }

    it("dead sink: the job is created and cancelled; the retry starts from the first cursor", async () => {
        const live = `https://localhost:${receiver.port}/defaultdb/public`;
        const engine = await stack(
            "deadsink",
            `https://127.0.0.1:${await closedPort()}/defaultdb/public`,
        );
        await assert.rejects(engine.up(), /The cursor \d+\.\d{10} is kept in state/);
        const cursor = await recordedCursor(engine);
        await assertNoLeaks(engine);
        assert.equal(crdb.jobs().filter((j) => j.status === "running").length, 0);

        await sql(crdb.url, "INSERT INTO orders VALUES (1, 'after the failed up'), (2, 'x')");
        await engine.setConfig("webhookUrl", live);
        const retry = await engine.up();
        assert.equal(retry.outputs.cursor?.value, cursor, "the retry starts from the first cursor");
        assert.equal(retry.outputs.deliveryVerified?.value, false);
        await waitFor(
            () => [1, 2].every((id) => receivedIds(receiver).includes(id)),
            30_000,
            "rows 1 and 2 arrive",
        );
        await assertNoLeaks(engine);
        await engine.destroy();
    });

    it("rangefeeds off: the job never runs; after enabling them the retry starts from the first cursor", async () => {
        const live = `https://127.0.0.1:${receiver.port}/defaultdb/public`;
        await sql(crdb.url, "SET CLUSTER SETTING kv.rangefeed.enabled = false");
        const engine = await stack("norangefeed", live);
        await assert.rejects(engine.up(), /The cursor \d+\.\d{10} is kept in state/);
        const cursor = await recordedCursor(engine);

        await sql(crdb.url, "INSERT INTO orders VALUES (3, 'after the failed up'), (4, 'y')");
        await sql(crdb.url, "SET CLUSTER SETTING kv.rangefeed.enabled = true");
        const retry = await engine.up();
        assert.equal(retry.outputs.cursor?.value, cursor);
        await waitFor(
            () => [3, 4].every((id) => receivedIds(receiver).includes(id)),
            30_000,
            "rows 3 and 4 arrive",
        );
        await assertNoLeaks(engine);
        await engine.destroy();
    });
});

function closedPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

function receivedIds(receiver: WebhookReceiver): number[] {
    return receivedRows(receiver, true);
}
