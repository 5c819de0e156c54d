/**
 * CockroachDB hybrid-logical-clock timestamps for the test server (reference/cockroachdb.md §6.3):
 * the DECIMAL form `<wall nanos>.<10-digit logical>` used by `cluster_logical_timestamp()`,
 * `cursor`, `updated`, `resolved` and `high_water_timestamp`, and the `hlc.Timestamp.String()`
 * form `<seconds>.<9-digit nanos>,<logical>` used in `running: resolved=…`.
 */
import { performance } from "node:perf_hooks";

/** One HLC timestamp. `wallNanos` is a bigint because wall nanoseconds exceed 2^53. */
export interface Hlc {
    wallNanos: bigint;
    logical: number;
}

/** Largest logical component CockroachDB stores (int32). */
const MAX_LOGICAL = 2147483647;

/**
 * The wall clock in nanoseconds. `Date.now()` only has millisecond resolution, which is too
 * coarse to order a commit and a `cluster_logical_timestamp()` taken in the same millisecond, so
 * the wall time is anchored once (microsecond precision) and advanced with the monotonic
 * high-resolution timer; it never runs behind `Date.now()` (clock steps forward are followed).
 */
const anchorWallNanos =
    BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
const anchorHrtime = process.hrtime.bigint();

/** Current wall time in nanoseconds since the Unix epoch. */
export function wallClockNanos(): bigint {
    const precise = anchorWallNanos + (process.hrtime.bigint() - anchorHrtime);
    const coarse = BigInt(Date.now()) * 1_000_000n;
    return precise > coarse ? precise : coarse;
}

/**
 * A monotonic hybrid logical clock, shared by one test server instance (SQL side and feeds).
 * `now()` never returns the same or a smaller timestamp twice; `update()` forwards the clock
 * past a timestamp observed elsewhere (like CockroachDB's `hlc.Clock.Update`).
 */
export class HybridClock {
    private last: Hlc = { wallNanos: 0n, logical: 0 };

    /** @param wallNanos source of wall time in ns; defaults to the system clock. */
    constructor(private readonly wallNanos: () => bigint = wallClockNanos) {}

    /** A timestamp strictly greater than every one returned or observed before. */
    now(): Hlc {
        const wall = this.wallNanos();
        if (wall > this.last.wallNanos) {
            this.last = { wallNanos: wall, logical: 0 };
        } else {
            this.last = { wallNanos: this.last.wallNanos, logical: this.last.logical + 1 };
        }
        return { ...this.last };
    }

    /** Forwards the clock so that later `now()` results are greater than `observed`. */
    update(observed: Hlc): void {
        if (compareHlc(observed, this.last) > 0) this.last = { ...observed };
    }
}

/** `1759246920563173000.0000000000` */
export function formatDecimal(t: Hlc): string {
    return `${t.wallNanos}.${String(t.logical).padStart(10, "0")}`;
}

/**
 * Parses the DECIMAL form (`<nanos>.<logical, up to 10 digits>`) or integer nanoseconds
 * (`<nanos>`). Throws on anything else (signs, spaces, exponents, empty parts, a logical part
 * beyond int32).
 */
export function parseDecimal(s: string): Hlc {
    const match = /^(\d+)(?:\.(\d{1,10}))?$/.exec(s);
    if (!match) throw new Error(`malformed HLC timestamp ${JSON.stringify(s)}`);
    const logical = Number((match[2] ?? "0").padEnd(10, "0"));
    if (logical > MAX_LOGICAL) {
        throw new Error(`malformed HLC timestamp ${JSON.stringify(s)}: logical part out of range`);
    }
    return { wallNanos: BigInt(match[1] ?? "0"), logical };
}

/** `running: resolved=1759246920.563173000,0` (hlc.Timestamp.String()). */
export function formatRunningStatus(t: Hlc): string {
    const seconds = t.wallNanos / 1_000_000_000n;
    const nanos = (t.wallNanos % 1_000_000_000n).toString().padStart(9, "0");
    return `running: resolved=${seconds}.${nanos},${t.logical}`;
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareHlc(a: Hlc, b: Hlc): number {
    if (a.wallNanos !== b.wallNanos) return a.wallNanos < b.wallNanos ? -1 : 1;
    return a.logical - b.logical;
}

/** The larger of two timestamps. */
export function maxHlc(a: Hlc, b: Hlc): Hlc {
    return compareHlc(a, b) >= 0 ? a : b;
}

/** The smaller of two timestamps. */
export function minHlc(a: Hlc, b: Hlc): Hlc {
    return compareHlc(a, b) <= 0 ? a : b;
}

/** The next timestamp (logical + 1). */
export function nextHlc(t: Hlc): Hlc {
    return { wallNanos: t.wallNanos, logical: t.logical + 1 };
}

/** A timestamp strictly below `t` (logical - 1, or the previous wall nanosecond). */
export function prevHlc(t: Hlc): Hlc {
    return t.logical > 0
        ? { wallNanos: t.wallNanos, logical: t.logical - 1 }
        : { wallNanos: t.wallNanos - 1n, logical: 0 };
}
