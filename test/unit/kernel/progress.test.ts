import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { progressOf } from "../../../src/providers/kernel/progress";

function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
    let t = start;
    return { now: () => t, advance: (ms) => (t += ms) };
}

describe("progressOf", () => {
    it("stays silent during the first interval, so a short wait prints nothing", () => {
        const clock = fakeClock();
        const lines: string[] = [];
        const progress = progressOf("the job to start", (l) => lines.push(l), 5000, clock.now);
        progress.observe("status: pending");
        clock.advance(4999);
        progress.observe("status: pending");
        assert.deepEqual(lines, []);
    });

    it("logs at most one line per interval, with what is awaited, elapsed seconds and the latest observation", () => {
        const clock = fakeClock();
        const lines: string[] = [];
        const progress = progressOf("the job to start", (l) => lines.push(l), 5000, clock.now);
        clock.advance(5000);
        progress.observe("status: pending");
        clock.advance(1000);
        progress.observe("status: running");
        clock.advance(4000);
        progress.observe("status: running, high-water 12");
        clock.advance(2500);
        progress.observe("ignored");
        assert.deepEqual(lines, [
            "waiting for the job to start (5s): status: pending",
            "waiting for the job to start (10s): status: running, high-water 12",
        ]);
    });

    it("defaults to a five-second interval on the real clock", () => {
        const lines: string[] = [];
        const progress = progressOf("x", (l) => lines.push(l));
        progress.observe("now");
        assert.deepEqual(lines, []);
    });
});
