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
        assert.deepEqual(state, {
            drained: false,
            quietForMs: 0,
            changed: true,
            reset: true,
            restarted: false,
        });
    });

    it("watches only the given schema: other schemas may keep moving", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted((call) =>
            counters({ "defaultdb.public": [7, 0], "busy.public": [call * 100, 0] }),
        );
        const passed = await waitForDrain(settings({ schema: "DefaultDB.Public" }), scrape, clock);
        assert.deepEqual(passed.last.totals, { upserts: 7, deletes: 0 });
    });

    it("a schema typo while the real schema's counters rise is an error naming the schemas that have counters", async () => {
        const clock = new FakeClock();
        const start = clock.time;
        const { scrape } = scripted((call) =>
            counters({ "defaultdb.public": [call * 10, 0], "other.public": [4, 0] }),
        );
        await assert.rejects(
            waitForDrain(
                settings({ schema: "defaultdb.pubic", timeoutMs: 900_000 }),
                scrape,
                clock,
            ),
            (err: unknown) => {
                assert.ok(err instanceof DrainGateError, String(err));
                assert.match(err.message, /no counters for schema "defaultdb\.pubic"/);
                assert.match(
                    err.message,
                    /apply_upserts_total\/apply_deletes_total are served only for the schemas defaultdb\.public, other\.public/,
                );
                assert.match(err.message, /Check `schema`/);
                return true;
            },
        );
        assert.equal(clock.time - start, 30_000, "counters get the same bounded grace to appear");
    });

    it("an endpoint without any apply_* counters is an error, never drained", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted([
            {
                ok: true,
                samples: parsePrometheusText(
                    'http_status_codes_total{code="200"} 12\ncdc_sink_start_seconds 1.7e9\n',
                ),
            },
        ]);
        await assert.rejects(
            waitForDrain(settings({ timeoutMs: 900_000 }), scrape, clock),
            (err: unknown) => {
                assert.ok(err instanceof DrainGateError, String(err));
                assert.match(
                    err.message,
                    /serves no apply_upserts_total\/apply_deletes_total counters at all/,
                );
                assert.match(err.message, /--metricsAddr/);
                assert.match(err.message, /set drained: true/);
                return true;
            },
        );
    });

    it("an empty body is an error, never drained", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted([{ ok: true, samples: parsePrometheusText("") }]);
        await assert.rejects(
            waitForDrain(
                settings({ schema: "defaultdb.public", timeoutMs: 20_000 }),
                scrape,
                clock,
            ),
            /no counters for schema "defaultdb\.public".*serves no apply_upserts_total\/apply_deletes_total counters at all/,
        );
    });

    it("counters that appear within the grace are measured as usual", async () => {
        const clock = new FakeClock();
        const { scrape } = scripted([
            { ok: true, samples: [] },
            counters({ "defaultdb.public": [3, 0] }),
        ]);
        const passed = await waitForDrain(settings({ schema: "defaultdb.public" }), scrape, clock);
        assert.deepEqual(passed.last.totals, { upserts: 3, deletes: 0 });
    });

    it("logs a progress line every interval with the counters and how long they have been quiet", async () => {
        const clock = new FakeClock();
        const lines: string[] = [];
        const { scrape } = scripted([
            counters({ "defaultdb.public": [10, 1] }),
            counters({ "defaultdb.public": [20, 1] }),
            counters({ "defaultdb.public": [20, 1] }),
        ]);
        await waitForDrain(
            settings({
                schema: "defaultdb.public",
                quietMs: 15_000,
                progress: (l) => lines.push(l),
                progressIntervalMs: 5_000,
            }),
            scrape,
            clock,
        );
        assert.ok(lines.length >= 3, lines.join("\n"));
        assert.match(
            lines[0]!,
            /^waiting for forward replication to drain \(apply_upserts_total \+ apply_deletes_total of schema defaultdb\.public unchanged for 15 s\) \(5s\): apply_upserts_total=20, apply_deletes_total=1, changed at the last scrape$/,
        );
        assert.match(
            lines.at(-1)!,
            /apply_upserts_total=20, apply_deletes_total=1, unchanged for 1\d s of 15 s$/,
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
