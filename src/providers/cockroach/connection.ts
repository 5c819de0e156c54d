/**
 * CockroachDB SQL URLs: where one points (host, port, database and the Cloud routing option),
 * what is wrong with one, and the parsed form a provider's `check` produces once so every later
 * step works from it. Pure.
 */
import { redactUrl } from "../kernel/redact";
import { UNKNOWN as UNKNOWN_VALUE } from "../kernel/unknown";

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

/** `host:port/database` of a connection string, safe for messages. */
export function describeServer(url: string): string {
    const target = connectionTarget(url);
    return target ? `${target.host}:${target.port}/${target.database}` : redactUrl(url);
}

/**
 * A CockroachDB connection string parsed once: the URL as given (a secret, for the driver and
 * for scrubbing), where it points, the URL the driver is given, and its name for messages.
 */
export interface CockroachConnection {
    /** The connection string as given (holds the password). */
    readonly url: string;
    /** Host, port and database the URL points at. */
    readonly target: ConnectionTarget;
    /** The URL with the assumed port and database written out ({@link explicitEndpoint}). */
    readonly endpoint: string;
    /** `host:port/database`, safe for messages and previews. */
    readonly server: string;
}

/**
 * Parses a connection string into a {@link CockroachConnection}, or returns the problem (as
 * {@link connectionProblem} words it) when it is not a usable CockroachDB SQL URL.
 */
export function parseCockroachConnection(
    url: unknown,
): { connection: CockroachConnection } | { problem: string } {
    const problem = connectionProblem(url);
    if (problem !== undefined) return { problem };
    const text = url as string;
    const target = connectionTarget(text)!;
    return {
        connection: {
            url: text,
            target,
            endpoint: explicitEndpoint(text),
            server: `${target.host}:${target.port}/${target.database}`,
        },
    };
}
