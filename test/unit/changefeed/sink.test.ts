import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    buildSinkUri,
    encodeSinkParam,
    parseWebhookUrl,
    sameSink,
    sinkIdentityOf,
} from "../../../src/providers/changefeed/sink";

// Base64 of these bytes contains both "+" and "/": ">>>" → "Pj4+", "???" → "Pz8/".
const PEM_WITH_PLUS_AND_SLASH = "-----BEGIN CERTIFICATE-----\n>>>???\n-----END CERTIFICATE-----\n";

describe("sink URI encoding", () => {
    it("base64-encodes the PEM and then URL-encodes + / and =", () => {
        const base64 = Buffer.from(PEM_WITH_PLUS_AND_SLASH).toString("base64");
        assert.ok(base64.includes("+") && base64.includes("/"), "fixture must exercise + and /");
        const encoded = encodeSinkParam(PEM_WITH_PLUS_AND_SLASH);
        assert.ok(!/[+/=]/.test(encoded), encoded);
        assert.ok(encoded.includes("%2B") && encoded.includes("%2F"));
        // CockroachDB query-decodes first, then base64-decodes: the round trip gives the PEM back.
        const query = new URLSearchParams(`ca_cert=${encoded}`);
        assert.equal(
            Buffer.from(query.get("ca_cert")!, "base64").toString(),
            PEM_WITH_PLUS_AND_SLASH,
        );
    });

    it("builds webhook-https://…?ca_cert=&client_cert=&client_key=", () => {
        const uri = buildSinkUri("https://replicator:30004/db/public", {
            caCertPem: "CA",
            clientCertPem: "CERT",
            clientKeyPem: "KEY",
        });
        assert.equal(
            uri,
            `webhook-https://replicator:30004/db/public?ca_cert=${encodeSinkParam("CA")}` +
                `&client_cert=${encodeSinkParam("CERT")}&client_key=${encodeSinkParam("KEY")}`,
        );
    });

    it("leaves out client_cert/client_key when no client certificate is given", () => {
        assert.equal(
            buildSinkUri("https://r:1/db", { caCertPem: "CA" }),
            `webhook-https://r:1/db?ca_cert=${encodeSinkParam("CA")}`,
        );
    });
});

describe("webhook URL validation", () => {
    it("accepts one or two path segments with an explicit port", () => {
        assert.deepEqual(parseWebhookUrl("https://Replicator.svc:30004/migration_db/public"), {
            host: "replicator.svc",
            port: "30004",
            path: "/migration_db/public",
        });
        assert.deepEqual(parseWebhookUrl("https://127.0.0.1:8443/MIGRATION_SCHEMA"), {
            host: "127.0.0.1",
            port: "8443",
            path: "/MIGRATION_SCHEMA",
        });
    });

    for (const bad of [
        "http://r:1/db",
        "https://r/db",
        "https://r:1",
        "https://r:1/",
        "https://r:1/a/b/c",
        "https://r:1/db/",
        "https://r:1/db?access_token=x",
        "https://user:pw@r:1/db",
        "https://r:70000/db",
    ]) {
        it(`rejects ${bad}`, () => {
            assert.ok("problem" in parseWebhookUrl(bad));
        });
    }
});

describe("sink identity", () => {
    it("matches CockroachDB's redacted sink_uri against the webhook URL", () => {
        const shown =
            "webhook-https://replicator:30004/db/public?ca_cert=redacted&client_cert=redacted&client_key=redacted";
        const want = parseWebhookUrl("https://replicator:30004/db/public");
        assert.ok(!("problem" in want));
        assert.ok(sameSink(sinkIdentityOf(shown), want));
        assert.ok(!sameSink(sinkIdentityOf(shown.replace("/public", "/other")), want));
        assert.ok(!sameSink(sinkIdentityOf(shown.replace("30004", "30005")), want));
        assert.equal(sinkIdentityOf("kafka://broker:9092"), undefined);
    });
});
