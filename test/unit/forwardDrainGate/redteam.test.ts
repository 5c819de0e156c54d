/**
 * Outside check of ForwardDrainGate's wait: metrics bodies as a real replicator (or a wrong
 * endpoint) serves them, a fake clock, no real waiting. The replicator serves its start time as
 * `cdc_sink_start_seconds` and `process_start_time_seconds`, and labels `apply_*` with the target
 * schema's raw stored name (docs/replicator-behaviour.md, "Metrics").
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    DrainGateError,
    type GateClock,
    type GateSettings,
    waitForDrain,
} from "../../../src/providers/forwardDrainGate/gate";
import { parsePrometheusText } from "../../../src/providers/forwardDrainGate/prometheusText";
import type { ScrapeResult } from "../../../src/providers/forwardDrainGate/scrape";

const T0 = 1_700_000_000_000;

class Clock implements GateClock {
    time = T0;
    now(): number {
        return this.time;
    }
    async sleep(ms: number): Promise<void> {
        this.time += ms;
    }
}

/** A `/_/varz` body of one replicator process started at `startedAt` (seconds). */
function body(
    startedAt: number,
    upserts: number | string | undefined,
    schema = "defaultdb.public",
) {
    const lines = [
        "# HELP cdc_sink_start_seconds the wall time at which Replicator was started",
        "# TYPE cdc_sink_start_seconds gauge",
        `cdc_sink_start_seconds ${startedAt}`,
        "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
        "# TYPE process_start_time_seconds gauge",
        `process_start_time_seconds ${startedAt}`,
    ];
    if (upserts !== undefined) {
        lines.push(
            "# TYPE apply_upserts_total counter",
            `apply_upserts_total{schema="${schema}",table="orders"} ${upserts}`,
            "# TYPE apply_deletes_total counter",
            `apply_deletes_total{schema="${schema}",table="orders"} 0`,
        );
    }
    return lines.join("\n") + "\n";
}

const ok = (text: string): ScrapeResult => ({ ok: true, samples: parsePrometheusText(text) });

function play(script: ScrapeResult[]) {
    let call = 0;
    return async () => script[Math.min(call++, script.length - 1)]!;
}

const settings = (overrides: Partial<GateSettings> = {}): GateSettings => ({
    metricsUrl: "http://fwd:30005/_/varz",
    schema: "defaultdb.public",
    quietMs: 10_000,
    timeoutMs: 120_000,
    pollMs: 2_000,
    ...overrides,
});

describe("red team: ForwardDrainGate from outside", () => {
    it("a restart between two scrapes that ends on the same count is a change (start time moved)", async () => {
        const clock = new Clock();
        // t=0 s: 5 rows; t=2 s: the replicator restarted and applied 5 more rows since (count 5 again).
        const passed = await waitForDrain(
            settings(),
            play([ok(body(1000, 5)), ok(body(2000, 5))]),
            clock,
        );
        assert.ok(
            passed.passedAt - T0 >= 2_000 + 10_000,
            `passed ${(passed.passedAt - T0) / 1000} s after start: quiet counted across the restart`,
        );
    });

    it("a restart whose counters vanish and come back at the same count is a change", async () => {
        const clock = new Clock();
        const passed = await waitForDrain(
            settings(),
            play([ok(body(1000, 5)), ok(body(2000, undefined)), ok(body(2000, 5))]),
            clock,
        );
        assert.ok(passed.passedAt - T0 >= 4_000 + 10_000, `passed at ${passed.passedAt - T0} ms`);
    });

    it("a counter that goes down is a change", async () => {
        const clock = new Clock();
        const passed = await waitForDrain(
            settings(),
            play([ok(body(1000, 50)), ok(body(1000, 3))]),
            clock,
        );
        assert.ok(passed.passedAt - T0 >= 12_000);
    });

    it("two replicas behind one URL, both with counters: never drained, the error says why", async () => {
        const clock = new Clock();
        const replicas = [ok(body(1000, 100)), ok(body(3000, 40))];
        let call = 0;
        await assert.rejects(
            waitForDrain(settings({ timeoutMs: 30_000 }), async () => replicas[call++ % 2]!, clock),
            (err: Error) => {
                assert.ok(err instanceof DrainGateError);
                assert.match(err.message, /did not drain/);
                assert.match(err.message, /more than one replic/);
                return true;
            },
        );
    });

    it("an active replica and a standby without counters: measured on the active one", async () => {
        const clock = new Clock();
        const replicas = [ok(body(1000, 100)), ok(body(3000, undefined))];
        let call = 0;
        const passed = await waitForDrain(settings(), async () => replicas[call++ % 2]!, clock);
        assert.equal(passed.last.totals.upserts, 100);
    });

    for (const [input, label] of [
        ['"DefaultDB"."Public"', "defaultdb.public"],
        ["defaultdb.public", "DefaultDB.Public"],
        ['defaultdb."Public"', "defaultdb.Public"],
        ["DEFAULTDB", "defaultdb"],
    ] as const) {
        it(`schema ${input} matches the label ${label}`, async () => {
            const passed = await waitForDrain(
                settings({ schema: input }),
                play([ok(body(1000, 7, label))]),
                new Clock(),
            );
            assert.equal(passed.last.totals.upserts, 7);
        });
    }

    const nothing: Array<[string, string]> = [
        [
            "comments, HELP and TYPE only",
            "# HELP apply_upserts_total x\n# TYPE apply_upserts_total counter\n",
        ],
        [
            "histograms only",
            '# TYPE apply_duration_seconds histogram\napply_duration_seconds_bucket{schema="defaultdb.public",table="t",le="+Inf"} 4\n' +
                'apply_duration_seconds_sum{schema="defaultdb.public",table="t"} 0.2\n' +
                'apply_duration_seconds_count{schema="defaultdb.public",table="t"} 4\n',
        ],
        ["an empty body", ""],
    ];
    for (const [what, text] of nothing) {
        it(`${what}: nothing to measure is an error, never drained`, async () => {
            await assert.rejects(
                waitForDrain(settings(), play([ok(text)]), new Clock()),
                (err: Error) =>
                    err instanceof DrainGateError &&
                    /nothing to measure|no counters/.test(err.message),
            );
        });
    }

    for (const value of ["NaN", "+Inf", "-1"]) {
        it(`a counter of ${value} is an error, never drained`, async () => {
            await assert.rejects(
                waitForDrain(settings(), play([ok(body(1000, value))]), new Clock()),
                (err: Error) =>
                    err instanceof DrainGateError && /invalid counter/.test(err.message),
            );
        });
    }
});
