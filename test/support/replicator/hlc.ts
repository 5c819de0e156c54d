/**
 * CockroachDB hybrid-logical-clock timestamps as the replicator reads them: `<nanos>.<logical>`,
 * where the logical part is 10 digits or zero-valued (docs/replicator-behaviour.md).
 */

/** One HLC timestamp. `nanos` is a bigint because wall nanoseconds exceed 2^53. */
export interface Hlc {
    readonly nanos: bigint;
    readonly logical: number;
}

/** Parses `<nanos>.<logical>`; throws with the replicator's error text when malformed. */
export function parseHlc(text: string): Hlc {
    const parts = text.split(".");
    if (parts.length !== 2) throw new Error(`can't parse timestamp ${text}`);
    const [nanosText, logicalText] = parts as [string, string];
    if (!/^[+-]?\d+$/.test(nanosText)) {
        throw new Error(`strconv.ParseInt: parsing "${nanosText}": invalid syntax`);
    }
    const nanos = BigInt(nanosText);
    if (nanos < 0n) throw new Error(`nanos must be greater than 0: ${nanos}`);
    if (nanos > 9223372036854775807n) {
        throw new Error(`strconv.ParseInt: parsing "${nanosText}": value out of range`);
    }
    if (!/^[+-]?\d+$/.test(logicalText)) {
        throw new Error(`strconv.Atoi: parsing "${logicalText}": invalid syntax`);
    }
    const logical = Number(logicalText);
    if (logicalText.length !== 10 && logical !== 0) {
        throw new Error(`logical part "${logicalText}" must be 10 digits or zero-valued`);
    }
    return { nanos, logical };
}

/** The replicator's canonical text form, `%d.%010d`; also a valid DECIMAL literal. */
export function formatHlc(ts: Hlc): string {
    return `${ts.nanos}.${String(ts.logical).padStart(10, "0")}`;
}

/** Reads a `source_hlc` DECIMAL back (e.g. `1700000000000000000.0000000001`). */
export function hlcFromDecimal(text: string): Hlc {
    const [whole = "0", fraction = ""] = text.split(".");
    return { nanos: BigInt(whole), logical: Number(fraction.padEnd(10, "0").slice(0, 10)) };
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareHlc(a: Hlc, b: Hlc): number {
    if (a.nanos !== b.nanos) return a.nanos < b.nanos ? -1 : 1;
    return a.logical - b.logical;
}
