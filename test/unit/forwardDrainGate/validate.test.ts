import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { UNKNOWN } from "../../../src/providers/kernel/unknown";
import { provider } from "../../../src/providers/forwardDrainGate/provider";
import { metricsEndpoint } from "../../../src/providers/forwardDrainGate/scrape";
import { checkInputs, resolveInputs } from "../../../src/providers/forwardDrainGate/check";
import { planDiff } from "../../../src/providers/forwardDrainGate/diff";

const URL_OK = "http://replicator-forward:30005/_/varz";

describe("ForwardDrainGate check", () => {
    it("accepts good inputs, preview unknowns and defaults", async () => {
        assert.deepEqual((await provider.check({}, { metricsUrl: URL_OK })).failures, []);
        assert.deepEqual(
            checkInputs({
                metricsUrl: UNKNOWN,
                schema: UNKNOWN,
                quietPeriodSeconds: UNKNOWN,
                timeoutSeconds: 10,
                drained: UNKNOWN,
            }).list,
            [],
        );
        assert.deepEqual(
            checkInputs({
                metricsUrl: "https://10.0.0.7:30005",
                schema: "defaultdb.public",
                quietPeriodSeconds: 0.5,
                timeoutSeconds: 5,
                pollIntervalSeconds: 0.1,
                drained: false,
            }).list,
            [],
        );
    });

    it("allows an acknowledged drain without a URL, and requires the URL otherwise", () => {
        assert.deepEqual(checkInputs({ drained: true }).list, []);
        assert.deepEqual(
            checkInputs({}).list.map((f) => f.property),
            ["metricsUrl"],
        );
        assert.match(checkInputs({ drained: false }).list[0]!.reason, /required unless drained/);
    });

    it("reports every problem at once, naming the property", () => {
        const failures = checkInputs({
            metricsUrl: "ftp://user:pw@host/x",
            schema: "",
            quietPeriodSeconds: -1,
            timeoutSeconds: "900",
            pollIntervalSeconds: Number.NaN,
            drained: "yes",
        }).list;
        assert.deepEqual(
            failures.map((f) => f.property),
            [
                "metricsUrl",
                "metricsUrl",
                "schema",
                "quietPeriodSeconds",
                "timeoutSeconds",
                "pollIntervalSeconds",
                "drained",
            ],
        );
        assert.ok(failures.every((f) => !f.reason.includes("pw")));
        assert.match(failures[0]!.reason, /http:\/\/ or https:\/\//);
        assert.match(failures[1]!.reason, /user name or password/);
    });

    it("rejects a quiet period the timeout cannot contain", () => {
        const [tooLong] = checkInputs({ metricsUrl: URL_OK, quietPeriodSeconds: 900 }).list;
        assert.equal(tooLong?.property, "quietPeriodSeconds");
        assert.match(tooLong!.reason, /less than timeoutSeconds \(900 >= 900\)/);
        const [coarse] = checkInputs({
            metricsUrl: URL_OK,
            quietPeriodSeconds: 50,
            timeoutSeconds: 60,
            pollIntervalSeconds: 40,
        }).list;
        assert.equal(coarse?.property, "pollIntervalSeconds");
        assert.match(coarse!.reason, /after 80 s at the earliest/);
        assert.equal(
            checkInputs({ metricsUrl: URL_OK, timeoutSeconds: 100_000 }).list[0]?.property,
            "timeoutSeconds",
        );
        assert.equal(
            checkInputs({ metricsUrl: "not a url" }).list[0]?.reason.includes("not a URL"),
            true,
        );
    });

    it("appends /_/varz to a URL without a path", () => {
        assert.equal(metricsEndpoint("http://h:30005").toString(), "http://h:30005/_/varz");
        assert.equal(metricsEndpoint("http://h:30005/").toString(), "http://h:30005/_/varz");
        assert.equal(metricsEndpoint("http://h:9090/metrics").toString(), "http://h:9090/metrics");
    });
});

describe("ForwardDrainGate diff", () => {
    const olds = {
        stateVersion: 1,
        ...resolveInputs({ metricsUrl: URL_OK }),
        drainedAt: "2025-01-01T00:00:00.000Z",
        endpointAnswering: false,
        acknowledged: false,
        warnings: [],
    };

    it("sees no change when the inputs resolve to the stored values", () => {
        const diff = planDiff(olds, { metricsUrl: URL_OK, quietPeriodSeconds: 60 });
        assert.equal(diff.changes, false);
    });

    it("never replaces: a changed URL, schema or acknowledgement is an update", () => {
        for (const news of [
            { metricsUrl: "http://other:30005/_/varz" },
            { metricsUrl: URL_OK, schema: "defaultdb.public" },
            { metricsUrl: URL_OK, drained: true },
            { metricsUrl: URL_OK, timeoutSeconds: 1200 },
            { metricsUrl: UNKNOWN },
        ]) {
            const diff = planDiff(olds, news);
            assert.equal(diff.changes, true, JSON.stringify(news));
            assert.deepEqual(diff.replaces, []);
            assert.ok(diff.stables?.includes("drainedAt"));
        }
    });

    it("update records the new inputs without waiting; read and delete change nothing", async () => {
        const { outs } = await provider.update!("id", olds, {
            metricsUrl: "http://127.0.0.1:1/_/varz",
            schema: "defaultdb.public",
        });
        assert.equal(outs.metricsUrl, "http://127.0.0.1:1/_/varz");
        assert.equal(outs.schema, "defaultdb.public");
        assert.equal(outs.drainedAt, olds.drainedAt);
        assert.equal(outs.stateVersion, 1);
        const dropped = await provider.update!("id", outs, { metricsUrl: URL_OK });
        assert.equal(dropped.outs.schema, undefined);
        assert.deepEqual(await provider.read!("id", olds), { id: "id", props: olds });
        await provider.delete!("id", olds);
    });
});
