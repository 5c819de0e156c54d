/** Durations as CockroachDB accepts and prints them. Pure. */

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
    ns: 1n,
    us: 1_000n,
    µs: 1_000n,
    μs: 1_000n,
    ms: 1_000_000n,
    s: 1_000_000_000n,
    m: 60_000_000_000n,
    h: 3_600_000_000_000n,
};

/**
 * Parses a duration the way CockroachDB accepts or prints it, returning nanoseconds:
 * Go style (`250ms`, `1m30s`, `96h0m0s`, `0`) as changefeed options and `SHOW ALL CLUSTER
 * SETTINGS` use, or interval style (`00:00:00.25`, `-00:00:03`) as the typed `SHOW CLUSTER
 * SETTING` column prints it. Returns `undefined` for anything else.
 */
export function parseDuration(text: string): bigint | undefined {
    const trimmed = text.trim();
    const sign = trimmed.startsWith("-") ? -1n : 1n;
    const body = trimmed.replace(/^[-+]/, "");
    if (body === "") return undefined;
    const clock = /^(\d+):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(body);
    if (clock) {
        const [, h, m, s, fraction = ""] = clock;
        const nanos =
            BigInt(h ?? "0") * NANOS_PER_UNIT.h! +
            BigInt(m ?? "0") * NANOS_PER_UNIT.m! +
            BigInt(s ?? "0") * NANOS_PER_UNIT.s! +
            BigInt(fraction.padEnd(9, "0") || "0");
        return sign * nanos;
    }
    if (body === "0") return 0n;
    let rest = body;
    let total = 0n;
    while (rest !== "") {
        const match = /^(\d+)(?:\.(\d+))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
        if (!match) return undefined;
        const [, whole = "0", fraction = "", unitName = ""] = match;
        const unit = NANOS_PER_UNIT[unitName]!;
        total += BigInt(whole) * unit;
        if (fraction !== "") total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
        rest = rest.slice(match[0].length);
    }
    return sign * total;
}
