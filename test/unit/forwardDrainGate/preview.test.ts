import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { logCreatePreview } from "../../../src/providers/forwardDrainGate/preview";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

describe("ForwardDrainGate preview", () => {
    it("describes the wait and the final read of a gate to be created, URL redacted", () => {
        const logged: string[] = [];
        logCreatePreview(
            {},
            { metricsUrl: "http://fwd:30005/_/varz?token=abc", schema: "defaultdb.public" },
            (t) => logged.push(t),
        );
        assert.equal(logged.length, 1);
        assert.match(logged[0]!, /^planned steps \(ForwardDrainGate\):/);
        assert.match(
            logged[0]!,
            /scrape http:\/\/fwd:30005\/_\/varz\?token=redacted every 5 s until .* of defaultdb\.public are unchanged for 60 s +-- fails after 900 s/,
        );
        assert.match(logged[0]!, /read .* once more/);
        assert.doesNotMatch(logged[0]!, /abc/);
    });

    it("shows an acknowledged drain without a wait, unknown values as unknown, and nothing for an update", () => {
        const logged: string[] = [];
        logCreatePreview({}, { drained: true }, (t) => logged.push(t));
        assert.match(logged[0]!, /verified by hand; no wait/);
        assert.match(logged[0]!, /no metricsUrl/);
        logCreatePreview({}, { metricsUrl: UNKNOWN, quietPeriodSeconds: UNKNOWN as never }, (t) =>
            logged.push(t),
        );
        assert.match(
            logged[1]!,
            /scrape <unknown until apply> every 5 s .* unchanged for <unknown until apply>/,
        );
        logCreatePreview({ metricsUrl: "http://x/" }, { metricsUrl: "http://x/" }, (t) =>
            logged.push(t),
        );
        assert.equal(logged.length, 2);
    });
});
