/**
 * Parsing of the admin connection URL: which dialect it is for, and which server/database it
 * points at (the part of the URL whose change means "another target", unlike a password).
 */
import type { Dialect } from "../targets/types";

const SCHEMES: Record<string, Dialect> = {
    "postgres:": "postgres",
    "postgresql:": "postgres",
    "mysql:": "mysql",
    "oracle:": "oracle",
};

const DEFAULT_PORTS: Record<Dialect, number> = { postgres: 5432, mysql: 3306, oracle: 1521 };

/** The admin connection, parsed. Holds the password: never log or return it. */
export interface ParsedConnection {
    url: string;
    dialect: Dialect;
    host: string;
    port: number;
    /** PostgreSQL database or Oracle service name; empty for MySQL. */
    database: string;
    user: string;
    password: string;
    /** Query parameters of the URL. */
    params: Record<string, string>;
}

/** A usage hint listing the accepted URL shapes. */
export const CONNECTION_SHAPES =
    "postgres://user:password@host:5432/database, mysql://user:password@host:3306/ " +
    "or oracle://user:password@host:1521/SERVICE";

/** The dialect a URL's scheme implies, or undefined for an unsupported or unparseable URL. */
export function dialectOfUrl(url: string): Dialect | undefined {
    const match = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim());
    return match?.[1] ? SCHEMES[match[1].toLowerCase()] : undefined;
}

/**
 * Parses `url`. Returns the problems found (never quoting the URL, which holds a password) or the
 * parsed connection.
 */
export function parseConnection(
    url: string,
): { ok: true; value: ParsedConnection } | { ok: false; problems: string[] } {
    let parsed: URL;
    try {
        parsed = new URL(url.trim());
    } catch {
        return { ok: false, problems: [`is not a valid URL; expected ${CONNECTION_SHAPES}`] };
    }
    const dialect = SCHEMES[parsed.protocol.toLowerCase()];
    if (!dialect) {
        return {
            ok: false,
            problems: [
                `has the unsupported scheme "${parsed.protocol}//"; use postgres://, postgresql://, mysql:// or oracle://`,
            ],
        };
    }
    const problems: string[] = [];
    if (!parsed.hostname) problems.push(`has no host; expected ${CONNECTION_SHAPES}`);
    const database = safeDecode(parsed.pathname.replace(/^\//, ""));
    if (dialect === "oracle") {
        if (!database) {
            problems.push(
                "needs the Oracle service name as its path, e.g. oracle://user:password@host:1521/FREEPDB1",
            );
        }
        if (!parsed.username) problems.push("needs a user name for Oracle");
    }
    if (problems.length > 0) return { ok: false, problems };
    const params: Record<string, string> = {};
    for (const [key, value] of parsed.searchParams) params[key] = value;
    return {
        ok: true,
        value: {
            url,
            dialect,
            host: parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase(),
            port: parsed.port ? Number(parsed.port) : DEFAULT_PORTS[dialect],
            database: dialect === "mysql" ? "" : database,
            user: safeDecode(parsed.username),
            password: safeDecode(parsed.password),
            params,
        },
    };
}

/**
 * Query parameters each dialect accepts in the connection URL: TLS settings only (plus
 * PostgreSQL's harmless `application_name`). Anything else is refused in `check`, because the
 * drivers read query parameters as connection options — `pg` takes `host`, `port`, `user`,
 * `database` and `options` (e.g. `-c role=…`) from the query, and mysql2 takes any of its options
 * (`host`, `port`, `user`, `socketPath`, …) — so a parameter could make the session reach another
 * server, database or role than the URL's authority names, while the resource identifies its
 * target by that authority (`server` in state; a change of it replaces the resource). Oracle
 * connections are built from the URL's host, port and service only.
 */
export const ACCEPTED_PARAMETERS: Record<Dialect, readonly string[]> = {
    postgres: [
        "sslmode",
        "ssl",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslpassword",
        "application_name",
    ],
    mysql: ["ssl"],
    oracle: [],
};

/** Why the URL's query parameters are refused (one problem per parameter, values never shown). */
export function parameterProblems(connection: ParsedConnection): string[] {
    const accepted = ACCEPTED_PARAMETERS[connection.dialect];
    const example: Record<Dialect, string> = {
        postgres: "postgres://user:password@host:5432/database?sslmode=verify-full",
        mysql: "mysql://user:password@host:3306/",
        oracle: "oracle://user:password@host:1521/SERVICE",
    };
    return Object.keys(connection.params)
        .filter((name) => !accepted.includes(name))
        .map(
            (name) =>
                `has the query parameter ${JSON.stringify(name)}, which is not accepted: query ` +
                "parameters can make the driver connect to another host, port, database or role " +
                "than the URL names (e.g. host=, port=, user=, options=, socketPath=), while " +
                "TargetGrants identifies the target by the URL's host, port and database. Put " +
                `host, port, user and database in the URL itself (${example[connection.dialect]}) ` +
                `and remove ${JSON.stringify(name)}; accepted parameters: ` +
                (accepted.length > 0 ? accepted.join(", ") : "none"),
        );
}

/**
 * The identity of the server the grants live on: `host:port` plus the database (PostgreSQL) or
 * service (Oracle). A new password or user leaves it unchanged; another host/port/database
 * changes it (and replaces the resource).
 */
export function targetIdentity(connection: ParsedConnection): string {
    const host = connection.host.includes(":") ? `[${connection.host}]` : connection.host;
    const base = `${connection.dialect}://${host}:${connection.port}`;
    return connection.database ? `${base}/${connection.database}` : base;
}

function safeDecode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}
