import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { checkChangefeed } from "../../../src/providers/changefeed/check";
import {
    optionsNotOnVersion,
    parseClusterVersion,
} from "../../../src/providers/changefeed/clusterVersion";

const base = {
    connection: "postgresql://root@crdb:26257/defaultdb?sslmode=verify-full",
    tables: ["employees"],
    webhookUrl: "https://replicator:30004/defaultdb/public",
    caCertPem: undefined,
};

function optionFailures(options: Record<string, unknown>) {
    return (checkChangefeed({ ...base, options }).failures ?? []).filter((f) =>
        f.property.startsWith("options."),
    );
}

describe("Changefeed options: only what CockroachDB's option lists take", () => {
    it("sink query parameters are not WITH options: a clear error naming the property and the fix", () => {
        const failures = optionFailures({
            insecure_tls_skip_verify: "true",
            ca_cert: "abc",
            client_key: "abc",
            topic_name: "x",
        });
        assert.deepEqual(
            failures.map((f) => f.property),
            [
                "options.insecure_tls_skip_verify",
                "options.ca_cert",
                "options.client_key",
                "options.topic_name",
            ],
        );
        assert.match(
            failures[0]!.reason,
            /query parameter of the sink URL, not a changefeed option/,
        );
        assert.match(failures[0]!.reason, /caCertPem/);
        assert.match(failures[1]!.reason, /caCertPem/);
        assert.match(failures[2]!.reason, /clientKeyPem/);
    });

    it("a name no CockroachDB release takes is refused with the list to pick from", () => {
        const failures = optionFailures({ resolved_every: "1s" });
        assert.equal(failures.length, 1);
        assert.match(failures[0]!.reason, /is not a CockroachDB changefeed option/);
        assert.match(failures[0]!.reason, /on_error/);
    });

    it("options every supported release takes pass", () => {
        assert.deepEqual(
            optionFailures({ diff: true, on_error: "pause", gc_protect_expires_after: "24h" }),
            [],
        );
    });
});

describe("Changefeed options per cluster version", () => {
    it("parses version() / node_executable_version answers", () => {
        assert.deepEqual(parseClusterVersion("24.3"), { major: 24, minor: 3 });
        assert.deepEqual(parseClusterVersion("25.4-upgrading-to-26.1-step-004"), {
            major: 25,
            minor: 4,
        });
        assert.equal(parseClusterVersion("nonsense"), undefined);
    });

    it("names the options a v24.3 cluster does not take, and passes them on v25.4", () => {
        const options = {
            extra_headers: '{"X-A":"1"}',
            headers_json_column_name: "h",
            enriched_properties: "source",
            gc_protect_expires_after: "0s",
            diff: true,
        };
        const on243 = optionsNotOnVersion(options, { major: 24, minor: 3 });
        assert.deepEqual(
            on243.map((p) => p.option),
            [
                "enriched_properties",
                "extra_headers",
                "gc_protect_expires_after",
                "headers_json_column_name",
            ],
        );
        assert.deepEqual(optionsNotOnVersion(options, { major: 25, minor: 4 }), []);
    });
});
