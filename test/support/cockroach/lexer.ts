/**
 * A small SQL tokenizer following CockroachDB/PostgreSQL lexical rules: unquoted identifiers
 * fold to lower case, `"..."` identifiers keep their case (`""` escapes a quote), `'...'`
 * strings (`''` escapes a quote, `e'...'` backslash escapes), `$n` placeholders, comments and
 * dollar-quoted bodies (so statements meant for delegation split correctly).
 */
import { CockroachError, SQLSTATE } from "./errors";

export type TokenKind = "ident" | "qident" | "string" | "number" | "placeholder" | "op" | "eof";

export interface Token {
    kind: TokenKind;
    /** Identifier: folded name; string: unescaped value; placeholder: the number; op: itself. */
    value: string;
    /** The token as written. */
    raw: string;
    start: number;
    end: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const TWO_CHAR_OPS = new Set(["::", "<=", ">=", "!=", "<>", "||", "->", "~*", "!~"]);

function lexicalError(message: string, raw: string): CockroachError {
    return new CockroachError(
        SQLSTATE.syntaxError,
        `lexical error: ${message}`,
        undefined,
        `source SQL:\n${raw}`,
    );
}

/** Tokenizes `sql`; comments and whitespace are dropped. The last token is always `eof`. */
export function tokenize(sql: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    const push = (kind: TokenKind, value: string, start: number) =>
        tokens.push({ kind, value, raw: sql.slice(start, i), start, end: i });
    while (i < sql.length) {
        const ch = sql[i] ?? "";
        const next = sql[i + 1] ?? "";
        if (/\s/.test(ch)) {
            i++;
        } else if (ch === "-" && next === "-") {
            while (i < sql.length && sql[i] !== "\n") i++;
        } else if (ch === "/" && next === "*") {
            let depth = 0;
            do {
                if (sql.startsWith("/*", i)) {
                    depth++;
                    i += 2;
                } else if (sql.startsWith("*/", i)) {
                    depth--;
                    i += 2;
                } else if (i >= sql.length) {
                    throw lexicalError("unterminated comment", sql);
                } else {
                    i++;
                }
            } while (depth > 0);
        } else if (ch === "'" || ((ch === "e" || ch === "E") && next === "'")) {
            const start = i;
            const escapes = ch !== "'";
            i += escapes ? 2 : 1;
            let value = "";
            for (;;) {
                if (i >= sql.length) throw lexicalError("unterminated string", sql);
                const c = sql[i] ?? "";
                if (c === "'" && sql[i + 1] === "'") {
                    value += "'";
                    i += 2;
                } else if (c === "'") {
                    i++;
                    break;
                } else if (escapes && c === "\\") {
                    const e = sql[i + 1] ?? "";
                    value += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
                    i += 2;
                } else {
                    value += c;
                    i++;
                }
            }
            push("string", value, start);
        } else if (ch === '"') {
            const start = i++;
            let value = "";
            for (;;) {
                if (i >= sql.length) throw lexicalError("unterminated identifier", sql);
                const c = sql[i] ?? "";
                if (c === '"' && sql[i + 1] === '"') {
                    value += '"';
                    i += 2;
                } else if (c === '"') {
                    i++;
                    break;
                } else {
                    value += c;
                    i++;
                }
            }
            push("qident", value, start);
        } else if (ch === "$" && /\d/.test(next)) {
            const start = i++;
            while (/\d/.test(sql[i] ?? "")) i++;
            push("placeholder", sql.slice(start + 1, i), start);
        } else if (ch === "$") {
            const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
            if (!tag) {
                i++;
                push("op", "$", i - 1);
                continue;
            }
            const start = i;
            const close = sql.indexOf(tag[0], i + tag[0].length);
            if (close < 0) throw lexicalError("unterminated string", sql);
            const value = sql.slice(i + tag[0].length, close);
            i = close + tag[0].length;
            push("string", value, start);
        } else if (/\d/.test(ch) || (ch === "." && /\d/.test(next))) {
            const start = i;
            const match = /^(\d*\.?\d*(?:[eE][+-]?\d+)?)/.exec(sql.slice(i));
            i += match?.[0].length ?? 1;
            push("number", sql.slice(start, i), start);
        } else if (IDENT_START.test(ch)) {
            const start = i;
            while (i < sql.length && IDENT_PART.test(sql[i] ?? "")) i++;
            push("ident", sql.slice(start, i).toLowerCase(), start);
        } else {
            const start = i;
            const two = sql.slice(i, i + 2);
            i += TWO_CHAR_OPS.has(two) ? 2 : 1;
            push("op", sql.slice(start, i), start);
        }
    }
    tokens.push({ kind: "eof", value: "", raw: "", start: sql.length, end: sql.length });
    return tokens;
}

/** One statement of a query string: its tokens (ending in `eof`) and its text. */
export interface StatementText {
    text: string;
    tokens: Token[];
}

/** Splits a simple-query string at top-level semicolons; empty statements are dropped. */
export function splitStatements(sql: string): StatementText[] {
    const tokens = tokenize(sql);
    const statements: StatementText[] = [];
    let current: Token[] = [];
    for (const token of tokens) {
        if (token.kind === "eof" || (token.kind === "op" && token.value === ";")) {
            if (current.length > 0) {
                const first = current[0] as Token;
                const last = current[current.length - 1] as Token;
                const text = sql.slice(first.start, last.end);
                const eof: Token = {
                    kind: "eof",
                    value: "",
                    raw: "",
                    start: text.length,
                    end: text.length,
                };
                statements.push({
                    text,
                    tokens: [
                        ...current.map((t) => ({
                            ...t,
                            start: t.start - first.start,
                            end: t.end - first.start,
                        })),
                        eof,
                    ],
                });
            }
            current = [];
        } else {
            current.push(token);
        }
    }
    return statements;
}

/** Quotes an identifier the way CockroachDB prints names: bare when it is a plain lower-case word. */
export function formatName(name: string): string {
    if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
    return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal in CockroachDB's output form. */
export function formatString(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

/** Reserved keywords that CockroachDB quotes when printing names (subset that matters here). */
const RESERVED = new Set([
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "index",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "nothing",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
]);
