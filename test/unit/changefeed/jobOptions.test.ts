import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { JobInfo } from "../../../src/providers/changefeed/jobs";
import {
    CHANGED_OUT_OF_BAND,
    parseDescribedOptions,
    withActualOptions,
} from "../../../src/providers/changefeed/jobOptions";
import type { ChangefeedOutputs } from "../../../src/providers/changefeed/types";

// The form of changefeed_test.go TestChangefeedDescription (docs/cockroachdb-behaviour.md).
const DESCRIPTION =
    "CREATE CHANGEFEED FOR TABLE foo INTO 'webhook-https://redacted@host:1/d?x=WITH OPTIONS (evil)' " +
    "WITH OPTIONS (diff, extra_headers = '{\"X-Key\": \"k2\"}', min_checkpoint_frequency = '250ms', resolved = '5s', " +
    'updated, webhook_auth_header = \'redacted\', webhook_sink_config = e\'{"Flush":{"Bytes":1}, "N":"it\\\'s"}\')';

function job(description: string): JobInfo {
    return { jobId: "1", status: "running", description, fullTableNames: [] };
}

const state = {
    resolved: "250ms",
    options: { diff: true, extra_headers: '{"X-Key": "k1"}', envelope: false },
    authToken: "tok",
    webhookSinkConfig: { Flush: { Bytes: 1 }, N: "it's" },
} as unknown as ChangefeedOutputs;

describe("the options of a job description", () => {
    it("reads flags and values, e'' escapes, and skips the sink literal", () => {
        const options = parseDescribedOptions(DESCRIPTION)!;
        assert.deepEqual(
            [...options.keys()],
            [
                "diff",
                "extra_headers",
                "min_checkpoint_frequency",
                "resolved",
                "updated",
                "webhook_auth_header",
                "webhook_sink_config",
            ],
        );
        assert.equal(options.get("diff"), undefined);
        assert.equal(options.get("resolved"), "5s");
        assert.equal(options.get("webhook_sink_config"), '{"Flush":{"Bytes":1}, "N":"it\'s"}');
    });

    it("a description without WITH OPTIONS has no parsed options (state left as is)", () => {
        assert.equal(parseDescribedOptions("CREATE CHANGEFEED FOR TABLE foo INTO 'x'"), undefined);
        assert.equal(withActualOptions(state, job("garbage")), state);
    });

    it("records the job's actual values; secrets never come from the description", () => {
        const actual = withActualOptions(state, job(DESCRIPTION));
        assert.equal(actual.resolved, "5s");
        assert.equal(actual.minCheckpointFrequency, undefined, "the default is not drift");
        assert.deepEqual(actual.webhookSinkConfig, state.webhookSinkConfig, "same JSON");
        assert.deepEqual(actual.options, { diff: true, extra_headers: CHANGED_OUT_OF_BAND });
        assert.equal(actual.authToken, "tok");
    });

    it("a duration option the job no longer has is recorded as empty, so the next up sets it", () => {
        const actual = withActualOptions(
            state,
            job("CREATE CHANGEFEED FOR TABLE foo INTO 'x' WITH OPTIONS (diff, updated)"),
        );
        assert.equal(actual.resolved, "");
        assert.equal(actual.minCheckpointFrequency, "");
        assert.equal(actual.webhookClientTimeout, "");
        assert.deepEqual(actual.webhookSinkConfig, state.webhookSinkConfig);
    });
});
