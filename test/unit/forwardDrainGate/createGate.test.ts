/**
 * create's reporting after the wait, with a scripted scraper and a fake clock.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parsePrometheusText } from "../../../src/providers/forwardDrainGate/prometheusText";
import {
    createGate,
    type GateDependencies,
} from "../../../src/providers/forwardDrainGate/apply/create";
import type { ScrapeResult } from "../../../src/providers/forwardDrainGate/scrape";

const upserts = (n: number): ScrapeResult => ({
    ok: true,
    samples: parsePrometheusText(`apply_upserts_total{schema="s",table="t"} ${n}`),
});

function deps(script: ScrapeResult[]) {
    let time = 1_700_000_000_000;
    let call = 0;
    const logged: { level: "warn" | "info"; message: string }[] = [];
    const dependencies: GateDependencies = {
        scrape: async () => script[Math.min(call++, script.length - 1)]!,
        clock: {
            now: () => time,
            sleep: async (ms) => {
                time += ms;
            },
        },
        log: {
            warn: async (message) => void logged.push({ level: "warn", message }),
            info: async (message) => void logged.push({ level: "info", message }),
        },
    };
    return { dependencies, logged };
}

const INPUTS = {
    metricsUrl: "http://fwd:30005/_/varz",
    quietPeriodSeconds: 10,
    timeoutSeconds: 60,
    pollIntervalSeconds: 5,
};

describe("ForwardDrainGate create reporting", () => {
    it("warns when the counters moved again right after the quiet period", async () => {
        const { dependencies, logged } = deps([upserts(5), upserts(5), upserts(5), upserts(9)]);
        const { outs } = await createGate(INPUTS, dependencies);
        assert.deepEqual(outs.lastCounters, { upserts: 9, deletes: 0 });
        assert.equal(outs.quietSince, "2023-11-14T22:13:20.000Z");
        assert.equal(outs.drainedAt, "2023-11-14T22:13:30.000Z");
        assert.equal(outs.warnings.length, 2);
        assert.match(outs.warnings[0]!, /applied rows again .*upserts 5 → 9/);
        assert.match(outs.warnings[1]!, /still running/);
        assert.deepEqual(
            logged.filter((l) => l.level === "warn").map((l) => l.message),
            outs.warnings,
        );
    });

    it("warns when it cannot tell whether the forward replicator stopped", async () => {
        const { dependencies } = deps([
            upserts(5),
            upserts(5),
            upserts(5),
            {
                ok: false,
                kind: "timeout",
                detail: "http://fwd:30005/_/varz: no answer within 10000 ms",
                responded: false,
                definitive: false,
            },
        ]);
        const { outs } = await createGate(INPUTS, dependencies);
        assert.equal(outs.endpointAnswering, false);
        assert.deepEqual(outs.lastCounters, { upserts: 5, deletes: 0 });
        assert.match(outs.warnings[0]!, /could not tell whether the forward replicator is stopped/);
    });

    it("refuses invalid inputs before reading anything", async () => {
        const { dependencies } = deps([upserts(1)]);
        await assert.rejects(
            createGate({ metricsUrl: "ftp://x", quietPeriodSeconds: 0 }, dependencies),
            /invalid ForwardDrainGate inputs: metricsUrl: .*; quietPeriodSeconds: /,
        );
    });
});
