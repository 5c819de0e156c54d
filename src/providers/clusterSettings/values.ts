/**
 * ClusterSettings values, pure: which settings the args manage, how their values compare
 * (normalized by setting type), and how a value is written as a SQL literal.
 */
import { parseDuration, stringLiteral } from "../cockroach";
import type { ClusterSettingsInputs, SettingValue } from "./types";

/** A dedicated argument and the cluster setting it controls. */
export interface NamedSettingArg {
    arg:
        | "rangefeedEnabled"
        | "closedTimestampRefreshInterval"
        | "closedTimestampTargetDuration"
        | "concurrentCatchupIterators";
    name: string;
    type: "b" | "d" | "i";
    defaultValue?: SettingValue;
}

/** The failback settings that have their own argument. */
export const NAMED_SETTING_ARGS: readonly NamedSettingArg[] = [
    { arg: "rangefeedEnabled", name: "kv.rangefeed.enabled", type: "b", defaultValue: true },
    {
        arg: "closedTimestampRefreshInterval",
        name: "kv.rangefeed.closed_timestamp_refresh_interval",
        type: "d",
    },
    {
        arg: "closedTimestampTargetDuration",
        name: "kv.closed_timestamp.target_duration",
        type: "d",
    },
    {
        arg: "concurrentCatchupIterators",
        name: "kv.rangefeed.concurrent_catchup_iterators",
        type: "i",
    },
];

/**
 * Types of settings known offline, so `check` can validate values before any database is
 * reached. Other settings are validated by the server at apply time.
 */
export const KNOWN_SETTING_TYPES: Readonly<Record<string, string>> = {
    "kv.rangefeed.enabled": "b",
    "kv.rangefeed.closed_timestamp_refresh_interval": "d",
    "kv.closed_timestamp.target_duration": "d",
    "kv.closed_timestamp.side_transport_interval": "d",
    "kv.rangefeed.concurrent_catchup_iterators": "i",
    "changefeed.protect_timestamp.max_age": "d",
    "changefeed.sink_io_workers": "i",
    "jobs.retention_time": "d",
};

/** Settings that a CockroachDB Cloud virtual cluster cannot even see (system-only). */
export const SYSTEM_ONLY_SETTINGS: ReadonlySet<string> = new Set([
    "kv.rangefeed.concurrent_catchup_iterators",
]);

/** Names are case-insensitive in CockroachDB; this package keeps them lower-case. */
export function normalizeSettingName(name: string): string {
    return name.trim().toLowerCase();
}

/** The argument a setting came from, for messages (`rangefeedEnabled`, `settings["x.y"]`). */
export function argumentFor(name: string): string {
    const named = NAMED_SETTING_ARGS.find((s) => s.name === name);
    return named ? named.arg : `settings["${name}"]`;
}

/** Setting name → desired value, from the args (defaults applied). */
export function desiredSettings(inputs: ClusterSettingsInputs): Record<string, SettingValue> {
    const desired: Record<string, SettingValue> = {};
    for (const named of NAMED_SETTING_ARGS) {
        const value = (inputs as unknown as Record<string, SettingValue | undefined>)[named.arg];
        const effective = value ?? named.defaultValue;
        if (effective !== undefined && effective !== null) desired[named.name] = effective;
    }
    for (const [name, value] of Object.entries(inputs.settings ?? {})) {
        desired[normalizeSettingName(name)] = value;
    }
    return desired;
}

/** The setting type to compare with: from the server when known, else offline knowledge. */
export function settingType(
    name: string,
    value: unknown,
    serverTypes: Readonly<Record<string, string>> = {},
): string {
    const known = serverTypes[name] ?? KNOWN_SETTING_TYPES[name];
    if (known) return known;
    if (typeof value === "boolean") return "b";
    return "s";
}

/**
 * A canonical text for a value of a setting type, so equal values compare equal however they
 * are written: durations as nanoseconds (`'250ms'` = `00:00:00.25` = `250ms`), bools as
 * `true`/`false`, integers without leading zeros. `undefined` when the value does not parse.
 */
export function normalizeSettingValue(type: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    const text = String(value).trim();
    switch (type) {
        case "b": {
            const lower = text.toLowerCase();
            return lower === "true" || lower === "false" ? lower : undefined;
        }
        case "i":
            return /^[-+]?\d+$/.test(text) ? BigInt(text).toString() : undefined;
        case "d": {
            const nanos = parseDuration(text);
            return nanos === undefined ? undefined : `${nanos}ns`;
        }
        case "f": {
            const n = Number(text);
            return text !== "" && Number.isFinite(n) ? String(n) : undefined;
        }
        case "z": {
            const bytes = parseByteSize(text);
            return bytes === undefined ? text : `${bytes}B`;
        }
        default:
            return text;
    }
}

/** True when both values normalize to the same text for `type`. */
export function settingValuesEqual(type: string, a: unknown, b: unknown): boolean {
    const na = normalizeSettingValue(type, a);
    const nb = normalizeSettingValue(type, b);
    return na !== undefined && na === nb;
}

/**
 * A value as a literal for `SET CLUSTER SETTING`: `true`/`false` for bools, a bare integer for
 * ints, a quoted string otherwise (CockroachDB coerces `'250ms'` to INTERVAL, `'0.5'` to FLOAT).
 */
export function settingLiteral(type: string, value: SettingValue): string {
    const text = String(value).trim();
    if (type === "b" && /^(true|false)$/i.test(text)) return text.toLowerCase();
    if (type === "i" && /^[-+]?\d+$/.test(text)) return BigInt(text).toString();
    return stringLiteral(String(value));
}

/**
 * A value read back by `SHOW CLUSTER SETTING` as an output: booleans stay booleans, integers
 * that fit become numbers, everything else keeps the server's text (`00:00:00.25`).
 */
export function readBackValue(raw: unknown): SettingValue {
    if (typeof raw === "boolean" || typeof raw === "number") return raw;
    const text = String(raw);
    if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
    return text;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    tib: 1024 ** 4,
};

function parseByteSize(text: string): number | undefined {
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
    if (!match) return undefined;
    const unit = BYTE_UNITS[(match[2] || "b").toLowerCase()];
    return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}
