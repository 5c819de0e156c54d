/**
 * Parsing of the admin connection URL: which dialect it is for, and which server/database it
 * points at (the part of the URL whose change means "another target", unlike a password).
 */
import type { ParsedConnection } from "./dialect";
import { TARGET_DIALECTS, dialectOfScheme, schemeList } from "./index";
import { safeDecode } from "../kernel/redact";

export type { ParsedConnection };

/** A usage hint listing the accepted URL shapes. */
export const CONNECTION_SHAPES = (() => {
    const shapes = TARGET_DIALECTS.map((d) => d.urlExample.replace(/\?.*$/, ""));
    return `${shapes.slice(0, -1).join(", ")} or ${shapes[shapes.length - 1]}`;
})();

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
    const dialect = dialectOfScheme(parsed.protocol);
    if (!dialect) {
        const every = TARGET_DIALECTS.flatMap((d) => d.schemes);
        return {
            ok: false,
            problems: [
                `has the unsupported scheme "${parsed.protocol}//"; use ${schemeList(every)}`,
            ],
        };
    }
    const problems: string[] = [];
    if (!parsed.hostname) problems.push(`has no host; expected ${CONNECTION_SHAPES}`);
    problems.push(...dialect.urlProblems(parsed));
    if (problems.length > 0) return { ok: false, problems };
    const params: Record<string, string> = {};
    for (const [key, value] of parsed.searchParams) params[key] = value;
    return {
        ok: true,
        value: {
            url,
            dialect,
            host: parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase(),
            port: parsed.port ? Number(parsed.port) : dialect.defaultPort,
            database:
                dialect.urlPath === "ignored" ? "" : safeDecode(parsed.pathname.replace(/^\//, "")),
            user: safeDecode(parsed.username),
            password: safeDecode(parsed.password),
            params,
        },
    };
}

/**
 * Why the URL's query parameters are refused (one problem per parameter, values never shown).
 * Each dialect accepts TLS settings only: the drivers read query parameters as connection
 * options — `pg` takes `host`, `port`, `user`, `database` and `options` (e.g. `-c role=…`) from
 * the query, and mysql2 takes any of its options (`host`, `port`, `user`, `socketPath`, …) — so a
 * parameter could make the session reach another server, database or role than the URL's
 * authority names, while the resource identifies its target by that authority (`server` in
 * state; a change of it replaces the resource).
 */
export function parameterProblems(connection: ParsedConnection): string[] {
    const accepted = connection.dialect.acceptedParameters;
    return Object.keys(connection.params)
        .filter((name) => !accepted.includes(name))
        .map(
            (name) =>
                `has the query parameter ${JSON.stringify(name)}, which is not accepted: query ` +
                "parameters can make the driver connect to another host, port, database or role " +
                "than the URL names (e.g. host=, port=, user=, options=, socketPath=), while " +
                "TargetGrants identifies the target by the URL's host, port and database. Put " +
                `host, port, user and database in the URL itself (${connection.dialect.urlExample}) ` +
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
    const base = `${connection.dialect.name}://${host}:${connection.port}`;
    return connection.database ? `${base}/${connection.database}` : base;
}
