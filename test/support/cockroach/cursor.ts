/**
 * `cursor` evaluation with CockroachDB's AS OF SYSTEM TIME rules (reference §6.1, §6.3):
 * decimal HLC, integer nanoseconds, timestamp strings and negative intervals; zero and future
 * timestamps rejected; older than the GC threshold rejected with the changefeed's hint.
 */
import { type CockroachError, uncategorized } from "./errors";
import { parseSqlInterval } from "./durations";
import type { Hlc } from "./hlc";

const MAX_LOGICAL_DIGITS = 10;

/** hlc.Timestamp.String(): `<seconds>.<9-digit nanos>,<logical>`. */
export function hlcString(t: Hlc): string {
    const seconds = t.wallNanos / 1_000_000_000n;
    const nanos = (t.wallNanos % 1_000_000_000n).toString().padStart(9, "0");
    return `${seconds}.${nanos},${t.logical}`;
}

/** The changefeed's cursor errors reach the client without a SQLSTATE of their own (XXUUU). */
function asOfError(message: string): CockroachError {
    return uncategorized(`AS OF SYSTEM TIME: ${message}`);
}

/** Evaluates a cursor string against `now`; throws CockroachDB's errors. */
export function evaluateCursor(cursor: string, now: Hlc): Hlc {
    const value = cursor.trim();
    let result: Hlc;
    const decimal = /^(\d+)\.(\d+)$/.exec(value);
    if (decimal) {
        const fraction = decimal[2] ?? "";
        if (fraction.length > MAX_LOGICAL_DIGITS) {
            throw asOfError(`logical part has too many digits`);
        }
        result = {
            wallNanos: BigInt(decimal[1] ?? "0"),
            logical: Number(fraction.padEnd(MAX_LOGICAL_DIGITS, "0")),
        };
        if (result.logical > 2 ** 31 - 1) throw asOfError(`logical part out of range`);
    } else if (/^-?\d+$/.test(value)) {
        result = { wallNanos: BigInt(value), logical: 0 };
    } else if (/^-/.test(value)) {
        let nanos: bigint;
        try {
            const interval = parseSqlInterval(value);
            nanos = interval.nanos + BigInt(interval.days) * 86_400_000_000_000n;
        } catch {
            throw asOfError("value is neither timestamp, decimal, nor interval");
        }
        result = { wallNanos: now.wallNanos + nanos, logical: 0 };
    } else {
        const millis = parseTimestamp(value);
        if (millis === undefined)
            throw asOfError("value is neither timestamp, decimal, nor interval");
        result = millis;
    }
    if (result.wallNanos === 0n && result.logical === 0)
        throw asOfError("zero timestamp is invalid");
    if (result.wallNanos < 0n) throw asOfError("timestamp before 1970-01-01T00:00:00Z is invalid");
    if (
        result.wallNanos > now.wallNanos ||
        (result.wallNanos === now.wallNanos && result.logical > now.logical)
    ) {
        throw asOfError(
            `cannot specify timestamp in the future (${hlcString(result)} > ${hlcString(now)})`,
        );
    }
    return result;
}

function parseTimestamp(value: string): Hlc | undefined {
    const match =
        /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
            value,
        );
    if (!match) return undefined;
    const zone = match[4] ?? "Z";
    const normalizedZone = /^[+-]\d{2}$/.test(zone) ? `${zone}:00` : zone.toUpperCase();
    const millis = Date.parse(`${match[1]}T${match[2] ?? "00:00:00"}${normalizedZone}`);
    if (Number.isNaN(millis)) return undefined;
    const fraction = (match[3] ?? ".").slice(1).padEnd(9, "0");
    return { wallNanos: BigInt(millis) * 1_000_000n + BigInt(fraction), logical: 0 };
}

/** The replica GC threshold the server models: `now - gc.ttlseconds`. */
export function gcThresholdAt(now: Hlc, gcThresholdSeconds: number): Hlc {
    return { wallNanos: now.wallNanos - BigInt(gcThresholdSeconds) * 1_000_000_000n, logical: 0 };
}

/** KV's BatchTimestampBeforeGCError text for a read at `at` below `threshold`. */
export function batchTimestampBeforeGc(at: Hlc, threshold: Hlc): string {
    return `batch timestamp ${hlcString(at)} must be after replica GC threshold ${hlcString(threshold)}`;
}

/** The changefeed's GC check (newest changefeed_stmt.go wraps the KV error this way). */
export function checkCursorAgainstGc(cursor: string, at: Hlc, threshold: Hlc): void {
    if (at.wallNanos > threshold.wallNanos) return;
    throw uncategorized(
        `could not create changefeed: cursor ${cursor} is older than the GC threshold ${threshold.wallNanos}: ` +
            batchTimestampBeforeGc(at, threshold),
        "use a more recent cursor",
    );
}
