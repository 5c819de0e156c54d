/**
 * CockroachDB's `[ <statement> ]` statement source for `SHOW CHANGEFEED JOB(S)`: `SELECT … FROM
 * [SHOW CHANGEFEED JOBS]`. The server runs the SHOW itself and hands the backing database the
 * rows as a typed VALUES list in its place (docs/cockroachdb-behaviour.md, "SHOW CHANGEFEED
 * JOBS").
 */
import type { Token } from "./lexer";
import { OID, type ResultSet } from "./results";

/** One `[SHOW CHANGEFEED JOBS]` / `[SHOW CHANGEFEED JOB <id>]` found in a statement. */
export interface ShowChangefeedSource {
    start: number;
    end: number;
    /** The job id token (number or placeholder) for `JOB <id>`. */
    jobId?: Token;
    /** An alias follows (`[SHOW CHANGEFEED JOBS] AS j` or `… j`). */
    aliased: boolean;
}

/** Words that may follow a FROM item and are not an alias. */
const CLAUSE_WORDS = new Set([
    "where",
    "group",
    "having",
    "order",
    "limit",
    "offset",
    "join",
    "inner",
    "left",
    "right",
    "full",
    "cross",
    "natural",
    "on",
    "using",
    "union",
    "intersect",
    "except",
    "window",
    "for",
    "fetch",
]);

function hasAlias(next: Token | undefined): boolean {
    if (!next) return false;
    if (next.kind === "qident") return true;
    return next.kind === "ident" && !CLAUSE_WORDS.has(next.value);
}

/** The `[SHOW CHANGEFEED JOB(S) …]` sources of a statement, in order. */
export function findShowChangefeedSources(tokens: readonly Token[]): ShowChangefeedSource[] {
    const found: ShowChangefeedSource[] = [];
    const word = (i: number, w: string) => {
        const t = tokens[i];
        return t?.kind === "ident" && t.value === w;
    };
    for (let i = 0; i < tokens.length; i++) {
        const open = tokens[i] as Token;
        if (open.kind !== "op" || open.value !== "[") continue;
        if (!word(i + 1, "show") || !word(i + 2, "changefeed")) continue;
        if (word(i + 3, "jobs") && tokens[i + 4]?.value === "]") {
            found.push({
                start: open.start,
                end: (tokens[i + 4] as Token).end,
                aliased: hasAlias(tokens[i + 5]),
            });
        } else if (word(i + 3, "job") && tokens[i + 5]?.value === "]") {
            found.push({
                start: open.start,
                end: (tokens[i + 5] as Token).end,
                jobId: tokens[i + 4] as Token,
                aliased: hasAlias(tokens[i + 6]),
            });
        }
    }
    return found;
}

const SQL_TYPES: Readonly<Record<number, string>> = {
    [OID.int8]: "INT8",
    [OID.text]: "TEXT",
    [OID.timestamptz]: "TIMESTAMPTZ",
    [OID.numeric]: "NUMERIC",
    [OID.textArray]: "TEXT[]",
    [OID.bool]: "BOOL",
};

const literal = (value: string | null, oid: number): string =>
    `${value === null ? "NULL" : `'${value.replace(/'/g, "''")}'`}::${SQL_TYPES[oid] ?? "TEXT"}`;

/**
 * The rows of `result` as a parenthesised subquery with the same column names and types, with
 * an alias of its own unless the statement gives one.
 */
export function resultAsSubquery(result: ResultSet, aliased: boolean): string {
    const alias = aliased ? "" : " AS _show_changefeed_jobs";
    return `${subquery(result)}${alias}`;
}

function subquery(result: ResultSet): string {
    const names = result.columns.map((c) => `"${c.name.replace(/"/g, '""')}"`);
    if (result.rows.length === 0) {
        const nulls = result.columns.map((c, i) => `${literal(null, c.oid)} AS ${names[i]}`);
        return `(SELECT ${nulls.join(", ")} LIMIT 0)`;
    }
    const rows = result.rows.map(
        (row) =>
            `(${row.map((v, i) => literal(v, result.columns[i]?.oid ?? OID.text)).join(", ")})`,
    );
    return `(SELECT * FROM (VALUES ${rows.join(", ")}) AS _show (${names.join(", ")}))`;
}
