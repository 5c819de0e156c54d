import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    buildSinkUri,
    encodeSinkParam,
    parseWebhookUrl,
    sameSink,
    sameSinkResolved,
    sinkIdentityOf,
} from "../../../src/providers/changefeed/sink";
import { scrubEchoedText } from "../../../src/providers/changefeed/echo";

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
            hostKey: "replicator.svc",
            pathKey: "migration_db/public",
        });
        assert.deepEqual(parseWebhookUrl("https://127.0.0.1:8443/MIGRATION_SCHEMA"), {
            host: "127.0.0.1",
            port: "8443",
            path: "/MIGRATION_SCHEMA",
            hostKey: "loopback",
            pathKey: "migration_schema",
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

describe("one changefeed per replicator: sinks compared as the replicator and network see them", () => {
    const at = (url: string) => sinkIdentityOf(`webhook-${url}?ca_cert=redacted`);
    const base = "https://127.0.0.1:30004/defaultdb/public";

    for (const other of [
        "https://localhost:30004/defaultdb/public",
        "https://[::1]:30004/defaultdb/public",
        "https://127.0.0.2:30004/defaultdb/public",
        "https://LOCALHOST:30004/defaultdb/public/",
        "https://127.0.0.1:30004/defaultdb/Public",
        "https://127.0.0.1:30004/DefaultDB/PUBLIC",
        "https://127.0.0.1:30004/defaultdb/%70ublic",
        "https://127.0.0.1:30004//defaultdb//public",
    ]) {
        it(`${other} is the same replicator as ${base}`, () => {
            assert.equal(sameSink(at(base), at(other)), true);
        });
    }

    it("the default port counts: https://host/db/s = https://host:443/db/s", () => {
        assert.equal(
            sameSink(at("https://replicator/db/s"), at("https://replicator:443/db/s")),
            true,
        );
    });

    it("another port, host or schema is another replicator target", () => {
        assert.equal(sameSink(at(base), at("https://127.0.0.1:30005/defaultdb/public")), false);
        assert.equal(sameSink(at(base), at("https://127.0.0.1:30004/defaultdb/other")), false);
        assert.equal(sameSink(at(base), at("https://10.0.0.1:30004/defaultdb/public")), false);
    });

    it("a path segment is query-unescaped like the replicator does ('+' is a space)", () => {
        assert.equal(
            sameSink(at("https://h:1/db/my+schema"), at("https://h:1/db/my%20schema")),
            true,
        );
    });

    it("an escaped '/' stays inside its segment, as the replicator splits before unescaping", () => {
        // request.go parseURL: /a%2Fb is the one-segment target "a/b", /a/b the schema b of a.
        assert.equal(sameSink(at("https://h:1/a%2Fb"), at("https://h:1/a/b")), false);
        assert.equal(sameSink(at("https://h:1/a%2Fb"), at("https://h:1/A%2fB")), true);
    });

    it("names that resolve to a shared address are the same replicator", async () => {
        const resolve = async (host: string) =>
            host === "replicator.svc" ? ["10.0.0.7"] : host === "10.0.0.7" ? ["10.0.0.7"] : [];
        assert.equal(
            await sameSinkResolved(
                at("https://replicator.svc:30004/db/s"),
                at("https://10.0.0.7:30004/db/s"),
                resolve,
            ),
            true,
        );
        assert.equal(
            await sameSinkResolved(
                at("https://replicator.svc:30004/db/s"),
                at("https://10.0.0.8:30004/db/s"),
                resolve,
            ),
            false,
        );
    });
});

describe("job text CockroachDB echoes back is scrubbed", () => {
    it("removes query values, user info, bearer tokens, auth headers and secret options", () => {
        const text =
            'transient error: Post "https://alice:s3cret@replicator:30004/db/public?ca_cert=QUJD&client_key=S0VZ": 401 ' +
            "Authorization: Bearer tok-123 webhook_auth_header = 'Bearer tok-456' Bearer tok-789";
        const scrubbed = scrubEchoedText(text);
        for (const secret of ["s3cret", "alice", "QUJD", "S0VZ", "tok-123", "tok-456", "tok-789"]) {
            assert.ok(!scrubbed.includes(secret), `${secret} in ${scrubbed}`);
        }
        assert.match(scrubbed, /replicator:30004\/db\/public/);
    });
});
