/**
 * CockroachDB dialect: identifier quoting, literal rendering, duration and HLC timestamp helpers,
 * a connection with bounded timeouts, and SQLSTATE classification. Everything here is pure except
 * {@link connectCockroach}, which loads the `pg` driver only when it is called.
 */
import type * as pgTypes from "pg";

import { redactUrl, scrubbedError } from "../kernel/redact";
import { UNKNOWN as UNKNOWN_VALUE } from "../kernel/unknown";

// ---------------------------------------------------------------------------------------------
// Identifiers and literals
// ---------------------------------------------------------------------------------------------

/** Quotes one identifier by CockroachDB's rules (`"` doubled); the result is always a name. */
export function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes every part of a qualified name: `["db", "public", "t"]` → `"db"."public"."t"`. */
export function quoteQualifiedName(parts: readonly string[]): string {
    return parts.map(quoteIdent).join(".");
}

/**
 * Parses a (possibly qualified) table name written the way SQL does: parts separated by `.`,
 * each either unquoted (letters, digits, `_`, `$`; lower-cased as CockroachDB does) or
 * double-quoted with `""` for a quote (kept verbatim). Returns the parts, or `undefined` when the
 * text is not such a name or has more than three parts.
 */
export function parseQualifiedName(text: string): string[] | undefined {
    const parts: string[] = [];
    let i = 0;
    for (;;) {
        if (text[i] === '"') {
            let part = "";
            i += 1;
            for (;;) {
                if (i >= text.length) return undefined;
                if (text[i] === '"') {
                    if (text[i + 1] === '"') {
                        part += '"';
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                part += text[i];
                i += 1;
            }
            if (part === "") return undefined;
            parts.push(part);
        } else {
            const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
            if (!match) return undefined;
            parts.push(match[0].toLowerCase());
            i += match[0].length;
        }
        if (i === text.length) break;
        if (text[i] !== ".") return undefined;
        i += 1;
    }
    return parts.length <= 3 ? parts : undefined;
}

/** Renders a string as a CockroachDB string literal (`'` doubled). */
export function stringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

/** Cluster setting names: dot-separated lower-case words, at least two parts. */
export const SETTING_NAME_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

// ---------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// HLC timestamps (`<wall nanos>.<10-digit logical>`)
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Connection strings
// ---------------------------------------------------------------------------------------------

/** What identifies the database a connection string points at (credentials excluded). */
export interface ConnectionTarget {
    host: string;
    port: string;
    database: string;
}

/**
 * Host, port and database of a `postgres://`/`postgresql://` URL (CockroachDB's SQL URL), or
 * `undefined` when it is not such a URL. The port defaults to 26257 and the database to
 * `defaultdb`, as CockroachDB clients assume.
 */
export function connectionTarget(url: string): ConnectionTarget | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return undefined;
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") return undefined;
    if (!parsed.hostname) return undefined;
    let database: string;
    try {
        database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "defaultdb";
    } catch {
        return undefined;
    }
    return {
        host: parsed.hostname.toLowerCase(),
        port: parsed.port || "26257",
        database,
    };
}

/**
 * The URL with the port and database that {@link connectionTarget} assumes written out. `pg`
 * fills what a URL leaves out from the provider's environment (PGPORT, PGDATABASE) and then from
 * its own defaults (5432, a database named after the user), which would make a session reach
 * another endpoint than the one the resource records and compares.
 */
export function explicitEndpoint(url: string): string {
    const parsed = new URL(url);
    const target = connectionTarget(url);
    if (!target) return url;
    if (parsed.port === "") parsed.port = target.port;
    if (parsed.pathname === "" || parsed.pathname === "/") {
        parsed.pathname = `/${encodeURIComponent(target.database)}`;
    }
    return parsed.toString();
}

/**
 * The `options` query parameter: on CockroachDB Cloud `--cluster=<routing id>` in it picks the
 * cluster behind a shared host, so it is part of where a URL points.
 */
function routingOptions(url: string): string {
    return new URL(url).searchParams.get("options") ?? "";
}

/**
 * True when two connection strings reach different databases (host, port, database or the
 * `options` routing parameter differ). Credentials and other query parameters (a rotated
 * password, sslmode) do not count; parameters that would redirect the driver are refused by
 * {@link connectionProblem}. `undefined` when either is unknown or unparseable, so the caller
 * decides.
 */
export function connectionTargetChanged(oldUrl: unknown, newUrl: unknown): boolean | undefined {
    if (typeof oldUrl !== "string" || typeof newUrl !== "string" || newUrl === UNKNOWN_VALUE) {
        return undefined;
    }
    const a = connectionTarget(oldUrl);
    const b = connectionTarget(newUrl);
    if (!a || !b) return undefined;
    return (
        a.host !== b.host ||
        a.port !== b.port ||
        a.database !== b.database ||
        routingOptions(oldUrl) !== routingOptions(newUrl)
    );
}

/**
 * Query parameters the `pg` driver lets override the URL's host, port, user or database: with
 * them the session would reach another server (or log in as another user) than the one the
 * URL's authority names — and that state, diff and messages show.
 */
const REDIRECTING_PARAMETERS = ["host", "hostaddr", "port", "user", "dbname", "database"];

/** Explains what is wrong with a connection string without echoing it (it holds a password). */
export function connectionProblem(url: unknown): string | undefined {
    if (typeof url !== "string" || url === "") return "is required (a CockroachDB SQL URL)";
    if (!connectionTarget(url)) {
        return "must be a CockroachDB SQL URL such as postgresql://user:password@host:26257/defaultdb?sslmode=verify-full";
    }
    const redirecting = [...new URL(url).searchParams.keys()].filter((key) =>
        REDIRECTING_PARAMETERS.includes(key),
    );
    if (redirecting.length > 0) {
        return (
            `has the query parameter(s) ${[...new Set(redirecting)].join(", ")}, which would make the driver connect ` +
            "somewhere other than the URL's host:port/database as user: write the host, port, user and database in " +
            "the URL itself (postgresql://user:password@host:26257/database?sslmode=verify-full) and remove them from the query"
        );
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

/** Bounded timeouts for every session this package opens. */
export interface SessionTimeouts {
    /** Milliseconds to establish the connection (default 10 000). */
    connectMs?: number;
    /** Milliseconds any one statement may take, measured by the client (default 30 000). */
    statementMs?: number;
}

/** A row as the driver returns it (BOOL → boolean, INTERVAL/DECIMAL/INT8 → text). */
export type Row = Record<string, unknown>;

/** One open CockroachDB session. Every error it throws has been scrubbed of `secrets`. */
export interface CockroachSession {
    /** Runs one statement; `params` are bound as placeholders (`$1`, `$2`, …). */
    query(text: string, params?: readonly unknown[]): Promise<Row[]>;
    close(): Promise<void>;
}

const INTERVAL_OID = 1186;

/**
 * Opens a session with bounded connect and statement timeouts. A server that does not answer
 * fails with an error that names it (redacted) instead of hanging. `secrets` are scrubbed from
 * every error message (the connection string itself always is).
 */
export async function connectCockroach(
    url: string,
    secrets: ReadonlyArray<string | undefined> = [],
    timeouts: SessionTimeouts = {},
): Promise<CockroachSession> {
    const pg: typeof pgTypes = require("pg");
    const allSecrets = [url, ...secrets];
    const server = describeServer(url);
    const client = new pg.Client({
        connectionString: explicitEndpoint(url),
        connectionTimeoutMillis: timeouts.connectMs ?? 10_000,
        query_timeout: timeouts.statementMs ?? 30_000,
        types: {
            getTypeParser: ((oid: number, format?: "text" | "binary") =>
                oid === INTERVAL_OID
                    ? (value: string) => value
                    : pg.types.getTypeParser(
                          oid,
                          format ?? "text",
                      )) as pgTypes.CustomTypesConfig["getTypeParser"],
        },
    });
    // An idle client whose socket dies emits 'error'; without a listener that would crash.
    client.on("error", () => undefined);
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        throw scrubbedError(`cannot connect to CockroachDB at ${server}`, err, allSecrets);
    }
    return {
        async query(text, params) {
            try {
                const result = await client.query(text, params as unknown[] | undefined);
                return result.rows as Row[];
            } catch (err) {
                throw scrubbedError(`CockroachDB at ${server}`, err, allSecrets);
            }
        },
        async close() {
            await client.end().catch(() => undefined);
        },
    };
}

/** Opens a session, runs `work`, and always closes the session. */
export async function withSession<T>(
    url: string,
    secrets: ReadonlyArray<string | undefined>,
    work: (session: CockroachSession) => Promise<T>,
): Promise<T> {
    const session = await connectCockroach(url, secrets);
    try {
        return await work(session);
    } finally {
        await session.close();
    }
}

/** `host:port/database` of a connection string, safe for messages. */
export function describeServer(url: string): string {
    const target = connectionTarget(url);
    return target ? `${target.host}:${target.port}/${target.database}` : redactUrl(url);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** SQLSTATE codes this package reacts to. */
export const SQLSTATE = {
    insufficientPrivilege: "42501",
    undefinedObject: "42704",
    undefinedParameter: "42P02",
    /** CockroachDB's code for an error raised without one (`errors.Errorf`). */
    uncategorized: "XXUUU",
    undefinedTable: "42P01",
    syntaxError: "42601",
    invalidParameterValue: "22023",
    featureNotSupported: "0A000",
} as const;

/** The SQLSTATE of a driver error, or `undefined` when it has none (network errors). */
export function sqlState(err: unknown): string | undefined {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The error's message without a driver's context prefix. */
export function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/**
 * True for a virtual cluster's (CockroachDB Cloud Basic/Standard) refusal to change a setting
 * that belongs to the operator: 42501 with "setting <n> is only settable by the operator"
 * (a system-visible setting) or "cannot modify storage-level setting from virtual cluster" (a
 * system-only one, when the cluster tips users about the system interface). 42501 alone also
 * means a missing privilege, so the text is looked at. See docs/cockroachdb-behaviour.md.
 */
export function isOperatorOnlySetting(err: unknown): boolean {
    if (sqlState(err) !== SQLSTATE.insufficientPrivilege) return false;
    const message = errorMessage(err);
    return (
        message.includes("only settable by the operator") ||
        message.includes("cannot modify storage-level setting from virtual cluster")
    );
}

/**
 * True when CockroachDB answered that it does not know a cluster setting (which a virtual
 * cluster also answers for a system-only setting): SET/RESET → 42P02 `unknown cluster setting
 * '<n>'` (v24.1 and later; XXUUU before), SHOW → XXUUU `unknown setting: "<n>"`. XXUUU is any
 * error without a code, so for it the text decides. See docs/cockroachdb-behaviour.md.
 */
export function isUnknownSetting(err: unknown): boolean {
    const code = sqlState(err);
    if (code === SQLSTATE.undefinedParameter) return true;
    return (
        code === SQLSTATE.uncategorized && /\bunknown (cluster )?setting\b/.test(errorMessage(err))
    );
}
