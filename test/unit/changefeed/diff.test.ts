import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { diffChangefeed } from "../../../src/providers/changefeed/diff";
import { sinkUriOf } from "../../../src/providers/changefeed/plan";
import type { ChangefeedInputs, ChangefeedOutputs } from "../../../src/providers/changefeed/types";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

const inputs: ChangefeedInputs = {
    connection: "postgresql://root:old@crdb:26257/defaultdb",
    tables: ["employees", "payments"],
    webhookUrl: "https://replicator:30004/db/public",
    caCertPem: "CA",
    cursor: "1759246920563173000.0000000000",
};
const olds: ChangefeedOutputs = {
    ...inputs,
    requestedCursor: inputs.cursor,
    stateVersion: 1,
    jobId: "42",
    cursor: "1759246920563173000.0000000000",
    status: "running",
    highWaterTimestamp: "1759246930000000000.0000000000",
    sinkUri: sinkUriOf(inputs),
    clusterId: "c",
};

describe("Changefeed diff", () => {
    it("reports no change for the same inputs (table order does not matter)", () => {
        assert.deepEqual(diffChangefeed(olds, inputs), { changes: false });
        assert.deepEqual(
            diffChangefeed(olds, {
                ...inputs,
                tables: ["public.payments", "defaultdb.public.employees"],
            }),
            {
                changes: false,
            },
        );
    });

    it("replaces (delete first) on a new cursor", () => {
        assert.deepEqual(
            diffChangefeed(olds, { ...inputs, cursor: "1759246999000000000.0000000000" }),
            {
                changes: true,
                replaces: ["cursor"],
                deleteBeforeReplace: true,
            },
        );
    });

    it("replaces on another cluster, but a rotated password or new query parameters is an update", () => {
        assert.deepEqual(
            diffChangefeed(olds, {
                ...inputs,
                connection: "postgresql://root:old@other:26257/defaultdb",
            }),
            {
                changes: true,
                replaces: ["connection"],
                deleteBeforeReplace: true,
            },
        );
        assert.deepEqual(
            diffChangefeed(olds, {
                ...inputs,
                connection: "postgresql://root:new@crdb:26257/defaultdb?sslmode=verify-full",
            }),
            { changes: true },
        );
    });

    it("is an update (not a replace) for table, sink, option and token changes", () => {
        for (const news of [
            { ...inputs, tables: ["employees"] },
            { ...inputs, webhookUrl: "https://replicator:30004/db/other" },
            { ...inputs, options: { diff: true } },
            { ...inputs, authToken: "t" },
            { ...inputs, resolved: "1s" },
            { ...inputs, webhookSinkConfig: { Flush: { Messages: 1, Frequency: "1s" } } },
        ]) {
            assert.deepEqual(diffChangefeed(olds, news), { changes: true }, JSON.stringify(news));
        }
    });

    it("treats the default webhook sink config and its explicit value as equal", () => {
        assert.deepEqual(
            diffChangefeed(olds, {
                ...inputs,
                webhookSinkConfig: '{ "Flush": { "Bytes": 1048576, "Frequency": "1s" } }',
            }),
            { changes: false },
        );
    });

    for (const status of ["failed", "canceled", "missing"]) {
        it(`reports a change (not a replace) when refresh saw the job ${status}`, () => {
            assert.deepEqual(diffChangefeed({ ...olds, status }, inputs), { changes: true });
        });
    }

    it("does not report a change for an operator-paused job", () => {
        assert.deepEqual(diffChangefeed({ ...olds, status: "paused" }, inputs), { changes: false });
    });

    it("copes with unknown values in preview", () => {
        assert.deepEqual(diffChangefeed(olds, { ...inputs, authToken: UNKNOWN }), {
            changes: true,
        });
        assert.deepEqual(diffChangefeed(olds, { ...inputs, connection: UNKNOWN }), {
            changes: true,
        });
        assert.deepEqual(diffChangefeed(olds, { ...inputs, cursor: UNKNOWN }), {
            changes: true,
            replaces: ["cursor"],
            deleteBeforeReplace: true,
        });
    });

    it("removing a pinned cursor is an update, not a replace", () => {
        assert.deepEqual(diffChangefeed(olds, { ...inputs, cursor: undefined }), { changes: true });
    });
});
