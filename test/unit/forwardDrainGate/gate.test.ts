/**
 * The quiet-period policy with a fake clock and a scripted scraper: no real waiting.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    DrainGateError,
    type GateClock,
    type GateSettings,
    unreachableGraceMs,
    waitForDrain,
} from "../../../src/providers/forwardDrainGate/gate";
import { parsePrometheusText } from "../../../src/providers/forwardDrainGate/prometheusText";
import { DrainTracker } from "../../../src/providers/forwardDrainGate/quietPeriod";
import type { ScrapeFailure, ScrapeResult } from "../../../src/providers/forwardDrainGate/scrape";

class FakeClock implements GateClock {
    constructor(public time = 1_700_000_000_000) {}
    now(): number {
        return this.time;
    }
    async sleep(ms: number): Promise<void> {
        this.time += ms;
    }
}

const counters = (perSchema: Record<string, [number, number]>): ScrapeResult => ({
    ok: true,
    samples: parsePrometheusText(
        Object.entries(perSchema)
            .flatMap(([schema, [upserts, deletes]]) => [
                `apply_upserts_total{schema="${schema}",table="t"} ${upserts}`,
                `apply_deletes_total{schema="${schema}",table="t"} ${deletes}`,
            ])
            .join("\n"),
    ),
});

const failure = (kind: ScrapeFailure["kind"], definitive = false): ScrapeFailure => ({
    ok: false,
    kind,
    detail: `http://fwd:30005/_/varz: ${kind}`,
    responded: kind === "http" || kind === "notPrometheus",
    definitive,
});

/** A scraper that plays `script` (the last entry repeats) and counts its calls. */
function scripted(script: ScrapeResult[] | ((call: number) => ScrapeResult)) {
    let calls = 0;
    const scrape = async () => {
        const call = calls++;
        if (typeof script === "function") return script(call);
        return script[Math.min(call, script.length - 1)]!;
    };
    return { scrape, calls: () => calls };
}

const settings = (overrides: Partial<GateSettings> = {}): GateSettings => ({
    metricsUrl: "http://fwd:30005/_/varz",
    quietMs: 10_000,
    timeoutMs: 60_000,
    pollMs: 5_000,
    ...overrides,
});

describe("forward drain gate policy", () => {
    it("passes once the counters have not moved for the quiet period", async () => {
        const clock = new FakeClock();
        const start = clock.time;
        const { scrape, calls } = scripted([
            counters({ "defaultdb.public": [10, 1] }),
            counters({ "defaultdb.public": [20, 1] }),
            counters({ "defaultdb.public": [25, 2] }),
            counters({ "defaultdb.public": [25, 2] }),
        ]);
        const passed = await waitForDrain(settings(), scrape, clock);
        assert.deepEqual(passed.last.totals, { upserts: 25, deletes: 2 });
        // Final values first seen at the third scrape (t+10 s), confirmed 10 s later.
        assert.equal(passed.quietSince, start + 10_000);
        assert.equal(passed.passedAt, start + 20_000);
        assert.equal(calls(), 5);
        assert.deepEqual(passed.warnings, []);
    });

    it("measures quiet from the first scrape that saw the values: never shorter than asked", async () => {
        const clock = new FakeClock();
        const { scrape, calls } = scripted([counters({ s: [1, 0] })]);
        const passed = await waitForDrain(
            settings({ quietMs: 12_000, pollMs: 5_000 }),
            scrape,
            clock,
        );
        assert.ok(passed.passedAt - passed.quietSince >= 12_000);
        assert.equal(calls(), 4); // t=0, 5, 10, 15
    });

    it("times out while the counters keep moving, with per-window rates and what to do", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted((call) =>
            counters({ "defaultdb.public": [call * 50, call * 5], "quiet.public": [3, 0] }),
        );
        await assert.rejects(
            waitForDrain(settings({ timeoutMs: 30_000 }), scrape, clock),
            (err: unknown) => {
                assert.ok(err instanceof DrainGateError);
                const message = err.message;
                assert.match(message, /did not drain within 30 s/);
                assert.match(message, /over the last 5 windows/);
                // 55 rows every 5 s = 11 rows/s: 10 upserts/s + 1 delete/s.
                assert.match(message, /11\.0 \(upserts 10\.0, deletes 1\.00; 5 s\)/);
                assert.match(message, /Moving in the last window: defaultdb\.public 11\.0\/s\./);
                assert.doesNotMatch(message, /quiet\.public/);
                assert.match(
                    message,
                    /Last counters: apply_upserts_total=303, apply_deletes_total=30/,
                );
                assert.match(message, /stop the writes to the source database/);
                assert.match(message, /set drained: true/);
                return true;
            },
        );
    });

    it("treats a counter reset (restart) as movement and says so", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted((call) => counters({ s: [call % 2 === 0 ? 100 : 0, 0] }));
        await assert.rejects(
            waitForDrain(settings({ timeoutMs: 20_000 }), scrape, clock),
            /went down \d+ time\(s\): the forward replicator restarted/,
        );
        const tracker = new DrainTracker(1000);
        tracker.observe({ at: 0, totals: { upserts: 5, deletes: 0 }, bySchema: new Map() });
        const state = tracker.observe({
            at: 2000,
            totals: { upserts: 1, deletes: 0 },
            bySchema: new Map(),
        });
        assert.deepEqual(state, { drained: false, quietForMs: 0, changed: true, reset: true });
    });

    it("watches only the given schema: other schemas may keep moving", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted((call) =>
            counters({ "defaultdb.public": [7, 0], "busy.public": [call * 100, 0] }),
        );
        const passed = await waitForDrain(settings({ schema: "DefaultDB.Public" }), scrape, clock);
        assert.deepEqual(passed.last.totals, { upserts: 7, deletes: 0 });
    });

    it("warns when the schema filter matches no sample but others exist", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted([counters({ "defaultdb.public": [7, 0] })]);
        const passed = await waitForDrain(settings({ schema: "typo.public" }), scrape, clock);
        assert.equal(passed.warnings.length, 1);
        assert.match(
            passed.warnings[0]!,
            /schema "typo.public" \(schemas seen: defaultdb.public\)/,
        );
    });

    it("fails at once on a definitive failure (wrong path)", async () => {
        const clock = new FakeClock();
        const { scrape, calls } = scripted([failure("http", true)]);
        await assert.rejects(
            waitForDrain(settings(), scrape, clock),
            /is not a Prometheus metrics endpoint: .*http.*--metricsAddr/,
        );
        assert.equal(calls(), 1);
    });

    it("gives an endpoint that never answered a bounded grace, then names the URL", async () => {
        const clock = new FakeClock();
        const start = clock.time;
        const { scrape } = scripted([failure("refused")]);
        await assert.rejects(
            waitForDrain(settings({ timeoutMs: 900_000 }), scrape, clock),
            /http:\/\/fwd:30005\/_\/varz never answered in 30 s \(refused: .*Is metricsUrl right/,
        );
        assert.equal(clock.time - start, 30_000);
        assert.equal(unreachableGraceMs(settings({ timeoutMs: 10_000 })), 10_000);
        assert.equal(unreachableGraceMs(settings({ pollMs: 20_000, timeoutMs: 900_000 })), 60_000);
    });

    it("rides out a short outage, but not an endpoint that went away before the quiet period", async () => {
        const clock = new FakeClock();
        const blip = scripted([
            counters({ s: [1, 0] }),
            failure("refused"),
            counters({ s: [1, 0] }),
            counters({ s: [1, 0] }),
        ]);
        await waitForDrain(settings(), blip.scrape, clock);

        const gone = scripted([counters({ s: [1, 0] }), failure("refused")]);
        await assert.rejects(
            waitForDrain(settings({ quietMs: 60_000, timeoutMs: 300_000 }), gone.scrape, clock),
            /stopped answering \(refused: .*before the quiet period of 60 s was confirmed.*set drained: true/,
        );
    });

    it("rejects a body with an impossible counter value", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted([
            { ok: true, samples: parsePrometheusText('apply_upserts_total{schema="s"} NaN') },
        ]);
        await assert.rejects(waitForDrain(settings(), scrape, clock), /serves an invalid counter/);
    });
});
