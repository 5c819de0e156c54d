/**
 * Engine test of examples/crdb-changefeed with the real CLI: ClusterSettings + Changefeed
 * against the CockroachDB test server, sinking into a local HTTPS receiver that requires the
 * client certificate. preview → up → preview (no changes) → refresh → destroy; after destroy no
 * job is running and every setting has its prior value; job id and cursor are stack outputs and
 * no secret appears in state, outputs or CLI output.
 */
import assert from "node:assert/strict";
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

const SETTINGS = [
    "kv.rangefeed.enabled",
    "kv.rangefeed.closed_timestamp_refresh_interval",
    "kv.closed_timestamp.target_duration",
];

describe("examples/crdb-changefeed with the real engine", () => {
    let crdb: CockroachTestServer;
    let certs: TestCertificates;
    let receiver: WebhookReceiver;
    let engine: EngineStack | undefined;
    let testbed: FeedTestbed;
    let token: string;

    before(async () => {
        testbed = await startFeedTestbed();
        ({ crdb, certs, receiver, token } = testbed);
        await sql(crdb.url, "CREATE TABLE orders (id INT PRIMARY KEY, v STRING)");
        // A setting that already differs from its default: restore must SET it back, not RESET.
        await sql(crdb.url, "SET CLUSTER SETTING kv.closed_timestamp.target_duration = '2s'");
    });

    after(async () => {
        await engine?.dispose();
        await testbed?.close();
    });

    it("runs preview → up → preview → refresh → destroy and restores the cluster", async () => {
        const settingsBefore = await settingsSnapshot(crdb.url);
        engine = await createEngineStack({
            programDir: path.join(REPO_ROOT, "examples", "crdb-changefeed"),
            config: {
                tables: "orders",
                webhookUrl: `https://localhost:${receiver.port}/defaultdb/public`,
                caCertPem: certs.ca.certPem,
                clientCertPem: certs.client.certPem,
                resolved: "100ms",
                minCheckpointFrequency: "100ms",
            },
            secrets: {
                cockroachConnection: crdb.url,
                clientKeyPem: certs.client.keyPem,
                authToken: token,
            },
        });

        const preview = await engine.preview();
        assert.equal(preview.changeSummary.create, 3, preview.stdout);
        assert.equal(crdb.jobs().length, 0, "preview creates nothing");

        const up = await engine.up();
        const jobId = up.outputs.jobId;
        const cursor = up.outputs.cursor;
        assert.match(String(jobId?.value), /^\d+$/);
        assert.equal(jobId?.secret, false);
        assert.match(String(cursor?.value), /^\d+\.\d{10}$/);
        assert.equal(up.outputs.status?.value, "running");

        await sql(crdb.url, "INSERT INTO orders VALUES (1, 'one'), (2, 'two')");
        await waitFor(() => receivedIds(receiver).includes(2), 30_000, "rows reach the sink");
        const dataRequest = receiver.requests.find((r) => r.body.includes('"payload"'))!;
        assert.equal(dataRequest.headers.authorization, `Bearer ${token}`);
        assert.equal(dataRequest.clientAuthorized, true, "client certificate presented");

        const second = await engine.preview();
        assert.deepEqual(second.changeSummary, { same: 3 }, second.stdout);
        const refreshed = await engine.refresh();
        assert.equal(refreshed.changeSummary.update ?? 0, 0, refreshed.stdout);

        const state = await engine.exportState();
        const secrets = [token, certs.client.keyPem, crdb.url];
        assert.deepEqual(findLeaks(resourcesExceptDynamicProvider(state), secrets), []);
        assert.deepEqual(findLeaks(JSON.stringify(up.outputs), [token, certs.client.keyPem]), []);

        await engine.destroy();
        const job = crdb.jobs().find((j) => j.jobId === String(jobId!.value));
        assert.ok(job, "the job is known to the server");
        assert.equal(job.status, "canceled");
        assert.equal(crdb.jobs().filter((j) => j.status === "running").length, 0);
        assert.deepEqual(await settingsSnapshot(crdb.url), settingsBefore);
        assert.deepEqual(findLeaks(engine.log(), [token, certs.client.keyPem]), []);
    });
});

async function settingsSnapshot(url: string): Promise<string[]> {
    const rows = await sql(url, "SHOW ALL CLUSTER SETTINGS");
    return rows
        .filter((r) => SETTINGS.includes(String(r.variable)))
        .map((r) => `${r.variable}=${r.value} (${r.origin})`)
        .sort();
}

function receivedIds(receiver: WebhookReceiver): number[] {
    return receivedRows(receiver, false);
}
