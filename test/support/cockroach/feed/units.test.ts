import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goCause, hostnameErrorText } from "./goErrors";
import { planFlush } from "./flush";
import { compactJson, encodeBatch, encodeResolved, encodeRow } from "./messages";
import { readFeedOptions, readSinkConfig } from "./options";
import { decodeBase64Param, encodeCertParam, parseWebhookSinkUri } from "./sinkUrl";

describe("webhook sink URI", () => {
    it("strips webhook-, decodes and removes the TLS params, re-encodes the rest like Go", () => {
        const pem = "x>>>???\n-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
        const encoded = encodeCertParam(pem);
        assert.match(encoded, /%2B/);
        assert.match(encoded, /%2F/);
        const target = parseWebhookSinkUri(
            `webhook-https://replicator:30004/molt/public?z=1&ca_cert=${encoded}` +
                `&client_cert=${encoded}&client_key=${encoded}&insecure_tls_skip_verify=false` +
                "&access_token=a%2Bb%20c",
        );
        assert.equal(target.url, "https://replicator:30004/molt/public?access_token=a%2Bb+c&z=1");
        assert.equal(target.caCertPem, pem);
        assert.equal(target.clientCertPem, pem);
        assert.equal(target.clientKeyPem, pem);
        assert.equal(target.skipVerify, false);
        assert.equal(
            parseWebhookSinkUri("webhook-https://h:1/p?insecure_tls_skip_verify=true").url,
            "https://h:1/p",
        );
        assert.equal(
            parseWebhookSinkUri("webhook-https://h:1/p?insecure_tls_skip_verify=true").skipVerify,
            true,
        );
    });

    it("rejects base64 whose '+' was not URL-encoded (Go decodes '+' as a space)", () => {
        const raw = Buffer.from("x>>>???").toString("base64");
        assert.match(raw, /\+/);
        assert.throws(
            () => parseWebhookSinkUri(`webhook-https://h:1/p?ca_cert=${raw}`),
            /^Error: param ca_cert must be base 64 encoded$/,
        );
        assert.throws(
            () => decodeBase64Param("client_key", "abc"),
            /param client_key must be base 64 encoded/,
        );
    });

    it("only accepts webhook-https", () => {
        assert.throws(
            () => parseWebhookSinkUri("webhook-http://h/p"),
            /this sink requires webhook-https/,
        );
    });
});

describe("Flush policy", () => {
    const msg = (queuedAt: number, bytes = 10) => ({ json: "{}", bytes, queuedAt });

    it("sends every message alone when the config is all zero", () => {
        const plan = planFlush(
            [msg(0), msg(0)],
            { messages: 0, bytes: 0, frequencyMs: 0 },
            0,
            false,
        );
        assert.deepEqual(
            plan.batches.map((b) => b.length),
            [1, 1],
        );
    });

    it("cuts batches at Messages or Bytes and holds the rest until Frequency", () => {
        const queue = [msg(0), msg(0), msg(0), msg(5), msg(5)];
        const byCount = planFlush(queue, { messages: 2, bytes: 0, frequencyMs: 100 }, 50, false);
        assert.deepEqual(
            byCount.batches.map((b) => b.length),
            [2, 2],
        );
        assert.equal(byCount.nextDueAt, 105);
        const byBytes = planFlush(queue, { messages: 0, bytes: 30, frequencyMs: 100 }, 50, false);
        assert.deepEqual(
            byBytes.batches.map((b) => b.length),
            [3],
        );
        const due = planFlush(queue, { messages: 0, bytes: 0, frequencyMs: 100 }, 100, false);
        assert.deepEqual(
            due.batches.map((b) => b.length),
            [5],
        );
        const forced = planFlush(queue, { messages: 0, bytes: 0, frequencyMs: 100 }, 1, true);
        assert.deepEqual(
            forced.batches.map((b) => b.length),
            [5],
        );
    });
});

describe("Go error texts", () => {
    it("words host name mismatches like x509.HostnameError", () => {
        assert.equal(
            hostnameErrorText("c", { subjectaltname: "DNS:a, DNS:b, IP Address:10.0.0.1" }),
            "x509: certificate is valid for a, b, not c",
        );
        assert.equal(
            hostnameErrorText("127.0.0.1", { subjectaltname: "DNS:localhost" }),
            "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
        );
        assert.equal(
            hostnameErrorText("h", { subjectaltname: "" }),
            "x509: certificate is not valid for any names, but wanted to match h",
        );
    });

    it("words transport errors like net/http", () => {
        assert.equal(
            goCause({ code: "ECONNREFUSED", address: "::1", port: 9 }),
            "dial tcp [::1]:9: connect: connection refused",
        );
        assert.equal(
            goCause({ code: "SELF_SIGNED_CERT_IN_CHAIN" }),
            "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        );
        assert.equal(
            goCause({ code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" }),
            "remote error: tls: certificate required",
        );
    });
});

describe("messages and options", () => {
    it("encodes rows, batches and resolved messages", () => {
        const ts = { wallNanos: 5n, logical: 1 };
        const row = encodeRow(
            {
                schema: "public",
                table: "t",
                key: "[1]",
                before: null,
                after: '{"a": 1.50, "s": "x y"}',
                updated: ts,
                mvcc: ts,
            },
            { updated: true, diff: true, mvccTimestamp: false, topicOf: (_s, t) => t },
        );
        assert.equal(
            row,
            '{"after":{"a":1.50,"s":"x y"},"before":null,"key":[1],"topic":"t","updated":"5.0000000001"}',
        );
        assert.equal(encodeBatch([row, row]), `{"payload":[${row},${row}],"length":2}`);
        assert.equal(encodeResolved(ts), '{"resolved":"5.0000000001"}');
        assert.equal(compactJson('{"a": "b \\" c", "d": [1, 2]}'), '{"a":"b \\" c","d":[1,2]}');
    });

    it("reads options with CockroachDB's defaults", () => {
        const defaults = readFeedOptions({});
        assert.equal(defaults.minCheckpointFrequencyMs, 30_000);
        assert.equal(defaults.clientTimeoutMs, 3_000);
        assert.deepEqual(defaults.sinkConfig.retry, { max: 3, backoffMs: 500 });
        const set = readFeedOptions({
            resolved: null,
            updated: null,
            webhook_client_timeout: "10s",
            min_checkpoint_frequency: "250ms",
        });
        assert.equal(set.resolved, true);
        assert.equal(set.resolvedIntervalMs, 0);
        assert.equal(set.clientTimeoutMs, 10_000);
        assert.equal(set.minCheckpointFrequencyMs, 250);
        assert.deepEqual(
            readSinkConfig(
                '{"Flush":{"Bytes":1048576,"Frequency":"1s"},"Retry":{"Max":"inf","Backoff":"10s"}}',
            ),
            {
                flush: { messages: 0, bytes: 1048576, frequencyMs: 1000 },
                retry: { max: Infinity, backoffMs: 10_000 },
            },
        );
    });
});
