import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { readState } from "../../../src/providers/changefeed/apply/outputs";
import { parseChangefeed } from "../../../src/providers/changefeed/check";
import { sinkUriOf } from "../../../src/providers/changefeed/plan";
import type { ChangefeedInputs } from "../../../src/providers/changefeed/types";
import { makeTestCertificates } from "../../support/replicator/testCerts";

const certs = makeTestCertificates();

const inputs: ChangefeedInputs = {
    connection: "postgresql://root@127.0.0.1:26257/shop?sslmode=disable",
    tables: ["orders", "public.Items", "other.public.t"],
    webhookUrl: "https://replicator.example:30004/shop/public",
    caCertPem: certs.caPem,
    authToken: "tok-123",
};

describe("Changefeed state and parsed configuration", () => {
    it("reads state written before versioning as version 1", () => {
        const state = readState({ jobId: "1", cursor: "1.0000000000" });
        assert.equal(state.stateVersion, 1);
        assert.equal(state.jobId, "1");
    });

    it("refuses state written by a newer package version", () => {
        assert.throws(
            () => readState({ jobId: "1", stateVersion: 2 }),
            /Changefeed state version 2 was written by a newer version/,
        );
    });

    it("parses the connection's database, the tables, the sink and the sink URI once", () => {
        const config = parseChangefeed(inputs);
        assert.deepEqual(
            config.tables.map((t) => t.key),
            ["shop.public.orders", "shop.public.items", "other.public.t"],
        );
        assert.equal(config.tableKeys, "other.public.t,shop.public.items,shop.public.orders");
        assert.equal(config.sink.host, "replicator.example");
        assert.equal(config.sink.port, "30004");
        assert.equal(config.sinkUri, sinkUriOf(inputs));
        assert.ok(config.secrets.includes(config.sinkUri), "the sink URI is scrubbed");
        assert.ok(config.secrets.includes("tok-123"), "the token is scrubbed");
        assert.equal(config.exclusive, true);
        assert.equal(config.waitMs, 60_000);
        assert.equal(config.verify, undefined);
    });
});
