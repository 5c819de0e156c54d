/** Hybrid-logical-clock timestamps in CockroachDB's DECIMAL form (`<wall nanos>.<10-digit logical>`). Pure. */

/** A hybrid-logical-clock timestamp as CockroachDB prints it in DECIMAL form. */
export interface Hlc {
    wallNanos: bigint;
    logical: number;
}

/**
 * Parses the DECIMAL HLC form (`1759246920563173000.0000000000`; the fraction is the logical
 * counter, zero-padded to 10 digits, and may be omitted). Returns `undefined` otherwise.
 */
export function parseHlc(text: string): Hlc | undefined {
    const match = /^(\d+)(?:\.(\d{1,10}))?$/.exec(text.trim());
    if (!match) return undefined;
    const [, wall = "0", fraction = ""] = match;
    return { wallNanos: BigInt(wall), logical: Number(fraction.padEnd(10, "0") || "0") };
}

/** Formats an HLC timestamp in the exact DECIMAL form CockroachDB accepts as a `cursor`. */
export function formatHlc(t: Hlc): string {
    return `${t.wallNanos}.${String(t.logical).padStart(10, "0")}`;
}

/** Orders two HLC timestamps (negative, zero, positive). */
export function compareHlc(a: Hlc, b: Hlc): number {
    if (a.wallNanos !== b.wallNanos) return a.wallNanos < b.wallNanos ? -1 : 1;
    return a.logical - b.logical;
}

/** The later of two DECIMAL HLC strings (either may be missing or malformed). */
export function laterHlc(
    a: string | undefined | null,
    b: string | undefined | null,
): string | undefined {
    const pa = a ? parseHlc(a) : undefined;
    const pb = b ? parseHlc(b) : undefined;
    if (!pa) return pb ? formatHlc(pb) : undefined;
    if (!pb) return formatHlc(pa);
    return formatHlc(compareHlc(pa, pb) >= 0 ? pa : pb);
}
