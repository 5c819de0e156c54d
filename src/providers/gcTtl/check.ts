/**
 * Offline validation of GcTtl inputs: every problem at once, each naming the property and the
 * fix, and the parsed configuration every other method works from. Never touches a database.
 */
import type * as pulumi from "@pulumi/pulumi";

import { CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN } from "../kernel/unknown";
import { connectionProblem, parseDuration, parseQualifiedName } from "../cockroach";
import type { GcTtlConfig, GcTtlInputs, ZoneTarget } from "./types";

/**
 * The largest TTL CockroachDB stores: `gc.ttlseconds` is an int32 in the zone configuration, and
 * a larger value would wrap (docs/cockroachdb-behaviour.md, "Zone configurations").
 */
export const MAX_TTL_SECONDS = 2_147_483_647;

const NANOS_PER_SECOND = 1_000_000_000n;

/** Seconds of a TTL written as seconds or a duration (`"25h"`, `"90m"`), or a problem. */
export function parseTtl(value: unknown): { seconds: number } | { problem: string } {
    let seconds: bigint | undefined;
    if (typeof value === "number") {
        if (!Number.isInteger(value)) return { problem: "must be a whole number of seconds" };
        seconds = BigInt(value);
    } else if (typeof value === "string") {
        const trimmed = value.trim();
        if (/^\d+$/.test(trimmed)) seconds = BigInt(trimmed);
        else {
            const nanos = /^\d/.test(trimmed) ? parseDuration(trimmed) : undefined;
            if (nanos === undefined || /^\d+:/.test(trimmed)) {
                return {
                    problem: `"${value}" is not a duration: write seconds (90000) or a duration such as "25h", "90m" or "1h30m" (units h, m, s)`,
                };
            }
            if (nanos % NANOS_PER_SECOND !== 0n) {
                return { problem: `"${value}" is not a whole number of seconds` };
            }
            seconds = nanos / NANOS_PER_SECOND;
        }
    } else {
        return { problem: 'is required: seconds (90000) or a duration string such as "25h"' };
    }
    if (seconds < 1n) {
        return { problem: "must be at least 1 second (CockroachDB rejects gc.ttlseconds below 1)" };
    }
    if (seconds > BigInt(MAX_TTL_SECONDS)) {
        return {
            problem: `must be at most ${MAX_TTL_SECONDS} seconds (about 68 years; gc.ttlseconds is a 32-bit integer)`,
        };
    }
    return { seconds: Number(seconds) };
}

/** A table name in `tables`: `table`, `schema.table` or `database.schema.table`. */
function parseTable(text: string, database: string): ZoneTarget | string {
    const parts = parseQualifiedName(text.trim());
    if (!parts || parts.some((p) => p === "")) {
        return `"${text}" is not a table name: write table, schema.table or database.schema.table (double-quote parts with capitals or dots)`;
    }
    if (parts.length === 3 && parts[0] !== database) {
        return `"${text}" names database ${parts[0]}, but database is ${database}: one GcTtl manages zones of one database`;
    }
    const [schema, table] = parts.length === 1 ? ["public", parts[0]] : parts.slice(-2);
    return { database, schema, table };
}

/** `DATABASE app` or `TABLE app.public.orders`: a zone's name in state, messages and preview. */
export function zoneName(target: ZoneTarget): string {
    return target.table === undefined
        ? `DATABASE ${target.database}`
        : `TABLE ${target.database}.${target.schema}.${target.table}`;
}

/** Every problem with `news`, each naming the property (for `check` and components). */
export function gcTtlProblems(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
    return validate(news).failures.list;
}

function validate(news: Record<string, unknown>): {
    failures: CheckFailures;
    targets: ZoneTarget[];
} {
    const failures = new CheckFailures();
    const targets: ZoneTarget[] = [];
    if (news.connection !== UNKNOWN) {
        const problem = connectionProblem(news.connection);
        if (problem) failures.addSecret("connection", problem);
    }
    const database = news.database;
    if (database !== UNKNOWN) {
        if (typeof database !== "string" || database.trim() === "") {
            failures.add(
                "database",
                "is required: the name of the CockroachDB database whose GC TTL to raise",
            );
        }
    }
    if (news.ttl !== UNKNOWN) {
        const ttl = parseTtl(news.ttl);
        if ("problem" in ttl) failures.add("ttl", ttl.problem);
    }
    const tables = news.tables;
    if (tables !== undefined && tables !== null && tables !== UNKNOWN) {
        if (!Array.isArray(tables) || tables.length === 0) {
            failures.add(
                "tables",
                "must be a non-empty list of table names, or left out to set the database's zone",
            );
        } else if (typeof database === "string" && database !== UNKNOWN) {
            const seen = new Set<string>();
            tables.forEach((entry: unknown, i) => {
                if (entry === UNKNOWN) return;
                if (typeof entry !== "string") {
                    failures.add(`tables[${i}]`, "must be a table name (a string)");
                    return;
                }
                const parsed = parseTable(entry, database);
                if (typeof parsed === "string") {
                    failures.add(`tables[${i}]`, parsed);
                    return;
                }
                const name = zoneName(parsed);
                if (seen.has(name)) {
                    failures.add(`tables[${i}]`, `${name} is listed twice; list each table once`);
                    return;
                }
                seen.add(name);
                targets.push(parsed);
            });
        }
    } else if (typeof database === "string") {
        targets.push({ database });
    }
    const onDelete = news.onDelete;
    if (onDelete !== undefined && onDelete !== null && onDelete !== UNKNOWN) {
        if (onDelete !== "restore" && onDelete !== "retain") {
            failures.add("onDelete", 'must be "restore" (default) or "retain"');
        }
    }
    return { failures, targets };
}

/** Validates the inputs; returns them unchanged with the failures found. */
export function checkGcTtl(news: Record<string, unknown>): pulumi.dynamic.CheckResult {
    const { failures } = validate(news);
    return failures.isEmpty ? { inputs: news } : { inputs: news, failures: failures.list };
}

/**
 * The configuration of inputs that `check` accepted (every value known). Throws when they are
 * not valid, which only happens for state written by hand.
 */
export function parseGcTtl(inputs: GcTtlInputs): GcTtlConfig {
    const { failures, targets } = validate(inputs as unknown as Record<string, unknown>);
    const ttl = parseTtl(inputs.ttl);
    if (!failures.isEmpty || "problem" in ttl) {
        throw new Error(
            `invalid GcTtl inputs: ${failures.list.map((f) => `${f.property || ""} ${f.reason}`.trim()).join("; ")}`,
        );
    }
    return {
        connection: inputs.connection,
        database: inputs.database,
        targets,
        ttlSeconds: ttl.seconds,
        onDelete: inputs.onDelete ?? "restore",
    };
}
