import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    HybridClock,
    compareHlc,
    formatDecimal,
    formatRunningStatus,
    parseDecimal,
    wallClockNanos,
} from "./hlc";

describe("HLC timestamps", () => {
    it("formats and parses the DECIMAL form", () => {
        const t = { wallNanos: 1759246920563173000n, logical: 0 };
        assert.equal(formatDecimal(t), "1759246920563173000.0000000000");
        assert.deepEqual(parseDecimal("1759246920563173000.0000000000"), t);
        assert.deepEqual(parseDecimal("1759246920563173000.0000000012"), { ...t, logical: 12 });
        assert.equal(formatDecimal({ ...t, logical: 12 }), "1759246920563173000.0000000012");
        assert.deepEqual(parseDecimal("1759246920563173000"), t, "integer nanoseconds");
        assert.deepEqual(parseDecimal("7.1"), { wallNanos: 7n, logical: 1000000000 });
    });

    it("rejects malformed input", () => {
        for (const bad of [
            "",
            "abc",
            "-1.0",
            "+1",
            " 1",
            "1.",
            ".5",
            "1e9",
            "1.00000000001",
            "1.9999999999",
        ]) {
            assert.throws(() => parseDecimal(bad), /malformed HLC timestamp/, bad);
        }
    });

    it("formats the running status like hlc.Timestamp.String()", () => {
        assert.equal(
            formatRunningStatus({ wallNanos: 1741616141951323000n, logical: 0 }),
            "running: resolved=1741616141.951323000,0",
        );
        assert.equal(
            formatRunningStatus({ wallNanos: 1741616141000000007n, logical: 3 }),
            "running: resolved=1741616141.000000007,3",
        );
    });

    it("compares by wall time, then logical", () => {
        assert.ok(compareHlc({ wallNanos: 1n, logical: 9 }, { wallNanos: 2n, logical: 0 }) < 0);
        assert.ok(compareHlc({ wallNanos: 2n, logical: 1 }, { wallNanos: 2n, logical: 0 }) > 0);
        assert.equal(compareHlc({ wallNanos: 2n, logical: 1 }, { wallNanos: 2n, logical: 1 }), 0);
    });

    it("is monotonic and bumps the logical part when the wall clock stands still", () => {
        let wall = 1000n;
        const clock = new HybridClock(() => wall);
        assert.deepEqual(clock.now(), { wallNanos: 1000n, logical: 0 });
        assert.deepEqual(clock.now(), { wallNanos: 1000n, logical: 1 });
        wall = 900n;
        assert.deepEqual(clock.now(), { wallNanos: 1000n, logical: 2 });
        wall = 2000n;
        assert.deepEqual(clock.now(), { wallNanos: 2000n, logical: 0 });
        clock.update({ wallNanos: 5000n, logical: 4 });
        assert.deepEqual(clock.now(), { wallNanos: 5000n, logical: 5 });
        clock.update({ wallNanos: 10n, logical: 0 });
        assert.deepEqual(clock.now(), { wallNanos: 5000n, logical: 6 });
    });

    it("tracks the system clock with sub-millisecond resolution", () => {
        const clock = new HybridClock();
        const before = BigInt(Date.now()) * 1_000_000n;
        const a = clock.now();
        const b = clock.now();
        assert.ok(compareHlc(b, a) > 0);
        assert.ok(a.wallNanos >= before - 2_000_000n && a.wallNanos <= wallClockNanos());
    });
});
