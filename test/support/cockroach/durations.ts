/**
 * Durations the way CockroachDB reads and prints them: Go `time.ParseDuration` for changefeed
 * options, SQL INTERVAL parsing for `SET CLUSTER SETTING`, Go `Duration.String()` for
 * `SHOW ALL CLUSTER SETTINGS` (`3s`, `250ms`, `96h0m0s`) and the PostgreSQL interval style for
 * the typed `SHOW CLUSTER SETTING` column (`00:00:03`, `00:00:00.25`) — reference §6.9.
 */

const NANOS = {
    ns: 1n,
    us: 1_000n,
    µs: 1_000n,
    μs: 1_000n,
    ms: 1_000_000n,
    s: 1_000_000_000n,
    m: 60_000_000_000n,
    h: 3_600_000_000_000n,
} as const;

/** Go's `time.ParseDuration`; returns nanoseconds or throws Go's error text. */
export function parseGoDuration(text: string): bigint {
    const invalid = () => new Error(`time: invalid duration "${text}"`);
    let rest = text;
    let negative = false;
    if (rest.startsWith("-") || rest.startsWith("+")) {
        negative = rest.startsWith("-");
        rest = rest.slice(1);
    }
    if (rest === "0") return 0n;
    if (rest === "") throw invalid();
    let total = 0n;
    while (rest !== "") {
        const match = /^(\d*)(?:\.(\d*))?/.exec(rest);
        const whole = match?.[1] ?? "";
        const fraction = match?.[2] ?? "";
        if (!match || (whole === "" && fraction === "")) throw invalid();
        rest = rest.slice(match[0].length);
        const unitMatch = /^[^\d.]+/.exec(rest);
        if (!unitMatch) throw new Error(`time: missing unit in duration "${text}"`);
        const unitName = unitMatch[0];
        const unit = (NANOS as Record<string, bigint>)[unitName];
        if (unit === undefined) {
            throw new Error(`time: unknown unit "${unitName}" in duration "${text}"`);
        }
        rest = rest.slice(unitName.length);
        total += BigInt(whole === "" ? "0" : whole) * unit;
        if (fraction !== "") {
            const scale = 10n ** BigInt(fraction.length);
            total += (BigInt(fraction) * unit) / scale;
        }
    }
    return negative ? -total : total;
}

/** Go's `Duration.String()`: `3s`, `250ms`, `1m30s`, `96h0m0s`, `0s`. */
export function formatGoDuration(nanos: bigint): string {
    if (nanos === 0n) return "0s";
    const sign = nanos < 0n ? "-" : "";
    const abs = nanos < 0n ? -nanos : nanos;
    if (abs < 1_000n) return `${sign}${abs}ns`;
    if (abs < 1_000_000n) return `${sign}${trimFraction(abs, 1_000n)}µs`;
    if (abs < 1_000_000_000n) return `${sign}${trimFraction(abs, 1_000_000n)}ms`;
    const hours = abs / NANOS.h;
    const minutes = (abs % NANOS.h) / NANOS.m;
    const seconds = trimFraction(abs % NANOS.m, NANOS.s);
    if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
    if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
    return `${sign}${seconds}s`;
}

function trimFraction(value: bigint, unit: bigint): string {
    const whole = value / unit;
    const fraction = value % unit;
    if (fraction === 0n) return whole.toString();
    const digits = unit.toString().length - 1;
    return `${whole}.${fraction.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/** An SQL INTERVAL value split like CockroachDB's `duration.Duration`. */
export interface SqlInterval {
    months: number;
    days: number;
    nanos: bigint;
}

const VERBOSE_UNITS: Record<string, { nanos?: bigint; days?: number; months?: number }> = {
    microsecond: { nanos: 1_000n },
    millisecond: { nanos: 1_000_000n },
    second: { nanos: NANOS.s },
    minute: { nanos: NANOS.m },
    hour: { nanos: NANOS.h },
    day: { days: 1 },
    week: { days: 7 },
    month: { months: 1 },
    year: { months: 12 },
};

/**
 * Parses an INTERVAL literal: Go-style (`250ms`, `1h30m`), PostgreSQL verbose (`3 seconds`,
 * `1 day`), clock style (`00:00:03.5`) or a bare number of seconds. Throws CockroachDB's
 * `could not parse ... as type interval` text.
 */
export function parseSqlInterval(text: string): SqlInterval {
    const fail = (why: string) =>
        new Error(`could not parse "${text}" as type interval: interval: ${why}`);
    const trimmed = text.trim();
    if (trimmed === "") throw fail("invalid input syntax for type interval");
    if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) {
        return { months: 0, days: 0, nanos: secondsToNanos(trimmed) };
    }
    const clock = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/.exec(trimmed);
    if (clock) {
        const sign = clock[1] === "-" ? -1n : 1n;
        const nanos =
            BigInt(clock[2] ?? "0") * NANOS.h +
            BigInt(clock[3] ?? "0") * NANOS.m +
            secondsToNanos(clock[4] ?? "0");
        return { months: 0, days: 0, nanos: sign * nanos };
    }
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.test(trimmed) && !/\s/.test(trimmed)) {
        try {
            return { months: 0, days: 0, nanos: parseGoDuration(trimmed) };
        } catch {
            throw fail("invalid input syntax for type interval");
        }
    }
    const result: SqlInterval = { months: 0, days: 0, nanos: 0n };
    const parts = trimmed.toLowerCase().split(/\s+/);
    for (let i = 0; i < parts.length; i += 2) {
        const amount = parts[i] ?? "";
        const unitWord = (parts[i + 1] ?? "").replace(/s$/, "");
        const unit = VERBOSE_UNITS[unitWord];
        if (!/^[+-]?\d+(\.\d+)?$/.test(amount) || !unit) {
            throw fail(`missing unit`);
        }
        if (unit.nanos !== undefined) result.nanos += secondsToNanos(amount, unit.nanos);
        else if (unit.days !== undefined) result.days += Number(amount) * unit.days;
        else if (unit.months !== undefined) result.months += Number(amount) * unit.months;
    }
    return result;
}

function secondsToNanos(decimal: string, unit: bigint = NANOS.s): bigint {
    const negative = decimal.startsWith("-");
    const digits = decimal.replace(/^[+-]/, "");
    const [whole = "0", fraction = ""] = digits.split(".");
    const scale = 10n ** BigInt(fraction.length);
    const value = BigInt(whole || "0") * unit + (BigInt(fraction || "0") * unit) / scale;
    return negative ? -value : value;
}

/** PostgreSQL-style interval text for a time-only interval: `00:00:03`, `96:00:00`, `00:00:00.25`. */
export function formatSqlInterval(nanos: bigint): string {
    const sign = nanos < 0n ? "-" : "";
    const abs = nanos < 0n ? -nanos : nanos;
    const hours = abs / NANOS.h;
    const minutes = (abs % NANOS.h) / NANOS.m;
    const seconds = (abs % NANOS.m) / NANOS.s;
    const micros = (abs % NANOS.s) / 1_000n;
    const two = (n: bigint) => n.toString().padStart(2, "0");
    const fraction =
        micros === 0n ? "" : `.${micros.toString().padStart(6, "0").replace(/0+$/, "")}`;
    return `${sign}${two(hours)}:${two(minutes)}:${two(seconds)}${fraction}`;
}

/** How CockroachDB prints an INTERVAL datum inside an error (`'1 day'`). */
export function describeInterval(value: SqlInterval): string {
    const parts: string[] = [];
    if (value.months !== 0) parts.push(`${value.months} mon${value.months === 1 ? "" : "s"}`);
    if (value.days !== 0) parts.push(`${value.days} day${value.days === 1 ? "" : "s"}`);
    if (value.nanos !== 0n || parts.length === 0) parts.push(formatSqlInterval(value.nanos));
    return `'${parts.join(" ")}'`;
}
