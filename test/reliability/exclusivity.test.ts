/**
 * Two Changefeed resources pointed at one replicator: the second create must fail with a clear
 * message naming the first job, and change nothing — no second job, and only reads on the
 * server while it ran.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { provider as changefeedProvider } from "../../src/providers/changefeed/provider";
import type { ChangefeedInputs, ChangefeedOutputs } from "../../src/providers/changefeed/types";
import { createTestCertificates, type TestCertificates } from "../support/cockroach/feed/testCerts";
import {
    startWebhookReceiver,
    type WebhookReceiver,
} from "../support/cockroach/feed/webhookReceiver";
import { POSTGRES_ADMIN_URL, requireService } from "../support/services";
import { type Cockroach, eventually, startCockroach } from "./environment";

/** Statements that only read (what the guard may run before refusing). */
const READ_ONLY = /^\s*(SELECT|SHOW)\b/i;

describe("Changefeed exclusivity: one changefeed per replicator", () => {
    let cockroach: Cockroach;
    let certs: TestCertificates;
    let receiver: WebhookReceiver;
    let first: ChangefeedOutputs | undefined;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        certs = await createTestCertificates();
        cockroach = await startCockroach();
        receiver = await startWebhookReceiver(certs.server, certs.ca.certPem);
        await cockroach.sql(
            "CREATE TABLE t1 (id INT PRIMARY KEY, v TEXT)",
            "CREATE TABLE t2 (id INT PRIMARY KEY, v TEXT)",
        );
    });

    after(async () => {
        if (first) await changefeedProvider.delete("first", first);
        await receiver?.close();
        await cockroach?.stop();
    });

    const inputs = (tables: string[], path = "/defaultdb/public"): ChangefeedInputs => ({
        connection: cockroach.server.url,
        tables,
        webhookUrl: `https://127.0.0.1:${receiver.port}${path}`,
        caCertPem: certs.ca.certPem,
        clientCertPem: certs.client.certPem,
        clientKeyPem: certs.client.keyPem,
        authToken: "exclusive-token-Q7",
        waitForRunningSeconds: 10,
    });

    it("refuses a second feed into the same replicator, naming the first job; changes nothing", async () => {
        first = (await changefeedProvider.create(inputs(["t1"]))).outs as ChangefeedOutputs;
        assert.equal(first.status, "running");
        const jobIds = () => cockroach.server.jobs().map((j) => `${j.jobId} ${j.status}`);
        const jobsBefore = jobIds();
        const mark = cockroach.server.statements.length;

        // Another table, same host/port/path: still the same replicator.
        const error = await changefeedProvider.create(inputs(["t2"])).then(
            () => undefined,
            (err: unknown) => err as Error,
        );
        assert.ok(error, "the second create succeeded");
        assert.match(error.message, /only one changefeed per replicator/);
        assert.ok(
            error.message.includes(first.jobId),
            `the first job is not named: ${error.message}`,
        );
        assert.ok(!error.message.includes("exclusive-token-Q7"), "the token leaked");

        assert.deepEqual(jobIds(), jobsBefore, "jobs changed");
        const written = cockroach.server.statements.slice(mark).filter((s) => !READ_ONLY.test(s));
        assert.deepEqual(written, [], "statements other than reads ran");
    });

    it("after the first feed is deleted, the second create succeeds", async () => {
        assert.ok(first);
        await changefeedProvider.delete("first", first);
        first = undefined;
        const second = (await changefeedProvider.create(inputs(["t2"]))).outs as ChangefeedOutputs;
        try {
            assert.equal(second.status, "running");
        } finally {
            await changefeedProvider.delete("second", second);
        }
        await eventually(
            () => cockroach.server.jobs().every((j) => j.status !== "running"),
            "every feed to stop",
        );
    });
});
