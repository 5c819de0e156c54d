/**
 * Recognises the CockroachDB statements the test server implements itself (contract list) and
 * parses them with CockroachDB's grammar (reference §6.1, §6.4, §6.6, §6.7, §6.9). Everything
 * else is `delegate` (plain SQL for the backing PostgreSQL database).
 */
import { CockroachError, SQLSTATE, syntaxError } from "./errors";
import { type Token } from "./lexer";

/** A value that is a string literal or a `$n` placeholder (`string_or_placeholder`). */
export type StringOrPlaceholder =
    { kind: "string"; value: string } | { kind: "placeholder"; index: number };

/** A SET CLUSTER SETTING value before placeholders are bound. */
export type SettingExpr =
    | { kind: "bool"; value: boolean }
    | { kind: "int"; text: string }
    | { kind: "decimal"; text: string }
    | { kind: "string"; value: string }
    | { kind: "default" }
    | { kind: "placeholder"; index: number };

/** A job id expression: integer literal, string literal or placeholder. */
export type JobIdExpr =
    | { kind: "int"; text: string }
    | { kind: "string"; value: string }
    | { kind: "placeholder"; index: number };

/** A table name as written: folded parts (1–3) and its display text. */
export interface TableName {
    parts: string[];
}

export interface OptionExpr {
    key: string;
    value: StringOrPlaceholder | null;
}

export type Builtin =
    | "cluster_id"
    | "version"
    | "cluster_logical_timestamp"
    | "current_user"
    | "is_admin"
    | "node_executable_version";

export type AlterCommand =
    | { kind: "add"; targets: TableName[]; options: OptionExpr[] }
    | { kind: "drop"; targets: TableName[] }
    | { kind: "set"; options: OptionExpr[] }
    | { kind: "unset"; keys: string[] };

export type Statement =
    | { type: "delegate" }
    | { type: "showClusterSetting"; name: string }
    | { type: "showClusterSettings"; all: boolean }
    | { type: "setClusterSetting"; name: string; value: SettingExpr }
    | { type: "selectBuiltins"; items: Array<{ builtin: Builtin; column: string }> }
    | {
          type: "createChangefeed";
          targets: TableName[];
          sink: StringOrPlaceholder;
          options: OptionExpr[];
      }
    | { type: "showChangefeedJobs"; jobId?: JobIdExpr }
    | { type: "controlJob"; action: "pause" | "resume" | "cancel"; jobId: JobIdExpr }
    | { type: "alterChangefeed"; jobId: JobIdExpr; commands: AlterCommand[] }
    | {
          type: "createUser";
          name: string;
          password?: StringOrPlaceholder | null;
          ifNotExists: boolean;
      }
    | { type: "grantTable"; privileges: string[]; tables: TableName[]; grantees: string[] }
    | { type: "grantSystem"; privileges: string[]; grantees: string[] }
    | { type: "grantRoles"; roles: string[]; grantees: string[] }
    | { type: "showGrants"; tables: TableName[]; users?: string[] }
    | { type: "showSystemGrants"; users?: string[] };

/** Display form of a table name (parts quoted where CockroachDB would). */
export function tableNameText(name: TableName, format: (part: string) => string): string {
    return name.parts.map(format).join(".");
}

class Cursor {
    private index = 0;
    constructor(private readonly tokens: Token[]) {}

    peek(offset = 0): Token {
        return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
    }
    next(): Token {
        const token = this.peek();
        if (token.kind !== "eof") this.index++;
        return token;
    }
    /** True (and consumed) when the next token is the keyword / operator `word`. */
    accept(word: string): boolean {
        const token = this.peek();
        const matches =
            token.kind === "ident" || token.kind === "op" ? token.value === word : false;
        if (matches) this.index++;
        return matches;
    }
    isWord(word: string, offset = 0): boolean {
        const token = this.peek(offset);
        return token.kind === "ident" && token.value === word;
    }
    expect(word: string): void {
        if (!this.accept(word)) throw this.error();
    }
    /** CockroachDB echoes the offending token (identifiers folded to lower case). */
    error(): CockroachError {
        const token = this.peek();
        return syntaxError(
            token.kind === "eof" ? "EOF" : token.kind === "ident" ? token.value : token.raw,
        );
    }
    atEnd(): boolean {
        return this.peek().kind === "eof";
    }
    expectEnd(): void {
        if (!this.atEnd()) throw this.error();
    }
}

/** Parses one statement's tokens. */
export function parseStatement(tokens: Token[]): Statement {
    const c = new Cursor(tokens);
    const first = c.peek();
    if (first.kind !== "ident") return { type: "delegate" };
    switch (first.value) {
        case "show":
            return parseShow(c);
        case "set":
            if (c.isWord("cluster", 1)) return parseSetClusterSetting(c);
            return { type: "delegate" };
        case "reset":
            if (c.isWord("cluster", 1)) {
                c.next();
                c.next();
                c.expect("setting");
                const name = parseSettingName(c);
                c.expectEnd();
                return { type: "setClusterSetting", name, value: { kind: "default" } };
            }
            return { type: "delegate" };
        case "select":
            return parseSelectBuiltins(c) ?? { type: "delegate" };
        case "create":
            if (c.isWord("changefeed", 1)) return parseCreateChangefeed(c);
            if (c.isWord("user", 1) || c.isWord("role", 1)) return parseCreateUser(c);
            return { type: "delegate" };
        case "experimental":
            throw new CockroachError(
                SQLSTATE.featureNotSupported,
                "sinkless changefeeds are not supported by the CockroachDB test server",
            );
        case "pause":
        case "resume":
        case "cancel":
            return parseControlJob(c, first.value);
        case "alter":
            if (c.isWord("changefeed", 1)) return parseAlterChangefeed(c);
            return { type: "delegate" };
        case "grant":
            return parseGrant(c);
        default:
            return { type: "delegate" };
    }
}

function parseShow(c: Cursor): Statement {
    c.next();
    if (c.accept("cluster")) {
        if (c.accept("settings")) {
            c.expectEnd();
            return { type: "showClusterSettings", all: false };
        }
        c.expect("setting");
        if (c.accept("all")) {
            c.expectEnd();
            return { type: "showClusterSettings", all: true };
        }
        const name = parseSettingName(c);
        c.expectEnd();
        return { type: "showClusterSetting", name };
    }
    if (c.isWord("all") && c.isWord("cluster", 1)) {
        c.next();
        c.next();
        c.expect("settings");
        c.expectEnd();
        return { type: "showClusterSettings", all: true };
    }
    if (c.isWord("public") && c.isWord("cluster", 1)) {
        c.next();
        c.next();
        c.expect("settings");
        c.expectEnd();
        return { type: "showClusterSettings", all: false };
    }
    if (c.accept("changefeed")) {
        if (c.accept("jobs")) {
            c.expectEnd();
            return { type: "showChangefeedJobs" };
        }
        c.expect("job");
        const jobId = parseJobId(c);
        c.expectEnd();
        return { type: "showChangefeedJobs", jobId };
    }
    if (c.accept("grants")) {
        c.expect("on");
        c.accept("table");
        const tables = parseList(c, () => parseTableName(c));
        const users = c.accept("for") ? parseList(c, () => parseName(c)) : undefined;
        c.expectEnd();
        return { type: "showGrants", tables, ...(users ? { users } : {}) };
    }
    if (c.isWord("system") && c.isWord("grants", 1)) {
        c.next();
        c.next();
        const users = c.accept("for") ? parseList(c, () => parseName(c)) : undefined;
        c.expectEnd();
        return { type: "showSystemGrants", ...(users ? { users } : {}) };
    }
    if (c.isWord("jobs") || c.isWord("job") || c.isWord("system")) {
        throw new CockroachError(
            SQLSTATE.featureNotSupported,
            `SHOW ${c.peek().raw.toUpperCase()} is not supported by the CockroachDB test server`,
        );
    }
    return { type: "delegate" };
}

function parseSettingName(c: Cursor): string {
    const parts = [parseName(c)];
    while (c.accept(".")) parts.push(parseName(c));
    return parts.join(".");
}

function parseSetClusterSetting(c: Cursor): Statement {
    c.next();
    c.next();
    c.expect("setting");
    const name = parseSettingName(c);
    if (!c.accept("=") && !c.accept("to")) throw c.error();
    const value = parseSettingValue(c);
    c.expectEnd();
    return { type: "setClusterSetting", name, value };
}

function parseSettingValue(c: Cursor): SettingExpr {
    const token = c.peek();
    if (token.kind === "ident" && token.value === "default") {
        c.next();
        return { kind: "default" };
    }
    if (token.kind === "ident" && (token.value === "true" || token.value === "false")) {
        c.next();
        return { kind: "bool", value: token.value === "true" };
    }
    if (token.kind === "op" && token.value === "-" && c.peek(1).kind === "number") {
        c.next();
        const number = c.next();
        return numberExpr(`-${number.raw}`);
    }
    if (token.kind === "number") {
        c.next();
        return numberExpr(token.raw);
    }
    if (token.kind === "string") {
        c.next();
        return { kind: "string", value: token.value };
    }
    if (token.kind === "placeholder") {
        c.next();
        return { kind: "placeholder", index: Number(token.value) };
    }
    if (token.kind === "ident" || token.kind === "qident") {
        // SET ... = IDENT means SET ... = 'IDENT' (paramparse.UnresolvedNameToStrVal).
        return { kind: "string", value: parseSettingName(c) };
    }
    throw c.error();
}

function numberExpr(text: string): SettingExpr {
    return /^-?\d+$/.test(text) ? { kind: "int", text } : { kind: "decimal", text };
}

const BUILTIN_COLUMNS: Record<Builtin, string> = {
    cluster_id: "crdb_internal.cluster_id",
    version: "version",
    cluster_logical_timestamp: "cluster_logical_timestamp",
    current_user: "current_user",
    is_admin: "crdb_internal.is_admin",
    node_executable_version: "crdb_internal.node_executable_version",
};

/** `SELECT <builtin> [[AS] alias] {, ...}` with no FROM; undefined when it is anything else. */
function parseSelectBuiltins(c: Cursor): Statement | undefined {
    c.next();
    const items: Array<{ builtin: Builtin; column: string }> = [];
    for (;;) {
        const builtin = parseBuiltin(c);
        if (!builtin) return undefined;
        let column = BUILTIN_COLUMNS[builtin];
        if (c.accept("as")) {
            const alias = c.next();
            if (alias.kind !== "ident" && alias.kind !== "qident") return undefined;
            column = alias.value;
        } else if (c.peek().kind === "qident" || (c.peek().kind === "ident" && !c.isWord("from"))) {
            column = c.next().value;
        }
        items.push({ builtin, column });
        if (!c.accept(",")) break;
    }
    return c.atEnd() ? { type: "selectBuiltins", items } : undefined;
}

function parseBuiltin(c: Cursor): Builtin | undefined {
    const call = (name: string): boolean => {
        if (!c.isWord(name)) return false;
        if (c.peek(1).value !== "(" || c.peek(2).value !== ")") return false;
        c.next();
        c.next();
        c.next();
        return true;
    };
    if (c.isWord("crdb_internal") && c.peek(1).value === ".") {
        const fn = c.peek(2);
        if (fn.kind !== "ident" || c.peek(3).value !== "(" || c.peek(4).value !== ")")
            return undefined;
        if (
            fn.value !== "cluster_id" &&
            fn.value !== "is_admin" &&
            fn.value !== "node_executable_version"
        )
            return undefined;
        for (let i = 0; i < 5; i++) c.next();
        return fn.value;
    }
    if (call("version")) return "version";
    if (call("cluster_logical_timestamp")) return "cluster_logical_timestamp";
    if (c.isWord("current_user")) {
        c.next();
        if (c.peek().value === "(" && c.peek(1).value === ")") {
            c.next();
            c.next();
        }
        return "current_user";
    }
    return undefined;
}

function parseName(c: Cursor): string {
    const token = c.peek();
    if (token.kind !== "ident" && token.kind !== "qident") throw c.error();
    c.next();
    return token.value;
}

function parseTableName(c: Cursor): TableName {
    const parts = [parseName(c)];
    while (c.accept(".")) parts.push(parseName(c));
    if (parts.length > 3) throw syntaxError(c.peek().raw || "EOF");
    return { parts };
}

function parseList<T>(c: Cursor, item: () => T): T[] {
    const items = [item()];
    while (c.accept(",")) items.push(item());
    return items;
}

function parseTarget(c: Cursor): TableName {
    c.accept("table");
    const name = parseTableName(c);
    if (c.isWord("family")) {
        throw new CockroachError(
            SQLSTATE.featureNotSupported,
            "column families are not supported by the CockroachDB test server",
        );
    }
    return name;
}

function parseStringOrPlaceholder(c: Cursor): StringOrPlaceholder {
    const token = c.peek();
    if (token.kind === "string") {
        c.next();
        return { kind: "string", value: token.value };
    }
    if (token.kind === "placeholder") {
        c.next();
        return { kind: "placeholder", index: Number(token.value) };
    }
    throw c.error();
}

/** `kv_option_list`: name [= value] where value is a string, placeholder or bare word. */
function parseOptions(c: Cursor): OptionExpr[] {
    const parenthesized = c.accept("options");
    if (parenthesized) c.expect("(");
    const options = parseList(c, (): OptionExpr => {
        const keyToken = c.peek();
        let key: string;
        if (keyToken.kind === "string") {
            c.next();
            key = keyToken.value;
        } else {
            key = parseName(c);
        }
        if (!c.accept("=")) return { key, value: null };
        const valueToken = c.peek();
        if (valueToken.kind === "ident" && !RESERVED_VALUE_WORDS.has(valueToken.value)) {
            c.next();
            return { key, value: { kind: "string", value: valueToken.value } };
        }
        return { key, value: parseStringOrPlaceholder(c) };
    });
    if (parenthesized) c.expect(")");
    return options;
}

/** Reserved words that cannot be a bare option value (`non_reserved_word_or_sconst`). */
const RESERVED_VALUE_WORDS = new Set([
    "true",
    "false",
    "null",
    "default",
    "all",
    "select",
    "with",
    "table",
    "on",
    "for",
    "into",
]);

function parseCreateChangefeed(c: Cursor): Statement {
    c.next();
    c.next();
    if (!c.isWord("for")) {
        throw new CockroachError(
            SQLSTATE.featureNotSupported,
            "CDC query changefeeds (CREATE CHANGEFEED ... AS SELECT) are not supported by the CockroachDB test server",
        );
    }
    c.next();
    const targets = parseList(c, () => parseTarget(c));
    if (!c.accept("into")) {
        if (c.atEnd() || c.isWord("with")) {
            throw new CockroachError(
                SQLSTATE.featureNotSupported,
                "sinkless changefeeds are not supported by the CockroachDB test server",
            );
        }
        throw c.error();
    }
    const sink = parseStringOrPlaceholder(c);
    const options = c.accept("with") ? parseOptions(c) : [];
    c.expectEnd();
    return { type: "createChangefeed", targets, sink, options };
}

function parseJobId(c: Cursor): JobIdExpr {
    const token = c.next();
    if (token.kind === "number") return { kind: "int", text: token.raw };
    if (token.kind === "string") return { kind: "string", value: token.value };
    if (token.kind === "placeholder") return { kind: "placeholder", index: Number(token.value) };
    throw syntaxError(token.raw || "EOF");
}

function parseControlJob(c: Cursor, action: "pause" | "resume" | "cancel"): Statement {
    c.next();
    if (!c.accept("job")) {
        if (c.isWord("jobs") || c.isWord("all")) {
            throw new CockroachError(
                SQLSTATE.featureNotSupported,
                `${action.toUpperCase()} ${c.peek().raw.toUpperCase()} is not supported by the CockroachDB test server`,
            );
        }
        throw c.error();
    }
    const jobId = parseJobId(c);
    c.expectEnd();
    return { type: "controlJob", action, jobId };
}

function parseAlterChangefeed(c: Cursor): Statement {
    c.next();
    c.next();
    const jobId = parseJobId(c);
    const commands: AlterCommand[] = [];
    while (!c.atEnd()) {
        if (c.accept("add")) {
            const targets = parseList(c, () => parseTarget(c));
            const options = c.accept("with") ? parseOptions(c) : [];
            commands.push({ kind: "add", targets, options });
        } else if (c.accept("drop")) {
            commands.push({ kind: "drop", targets: parseList(c, () => parseTarget(c)) });
        } else if (c.accept("set")) {
            commands.push({ kind: "set", options: parseOptions(c) });
        } else if (c.accept("unset")) {
            commands.push({ kind: "unset", keys: parseList(c, () => parseName(c)) });
        } else {
            throw c.error();
        }
    }
    if (commands.length === 0) throw c.error();
    return { type: "alterChangefeed", jobId, commands };
}

/** Role options CREATE USER/ROLE accepts without a value (ignored by the test server). */
const FLAG_ROLE_OPTIONS = new Set([
    "login",
    "nologin",
    "createrole",
    "nocreaterole",
    "createlogin",
    "nocreatelogin",
    "createdb",
    "nocreatedb",
    "controljob",
    "nocontroljob",
    "controlchangefeed",
    "nocontrolchangefeed",
    "viewactivity",
    "noviewactivity",
    "cancelquery",
    "nocancelquery",
    "modifyclustersetting",
    "nomodifyclustersetting",
    "sqllogin",
    "nosqllogin",
]);

function parseCreateUser(c: Cursor): Statement {
    c.next();
    c.next();
    let ifNotExists = false;
    if (c.isWord("if")) {
        c.next();
        c.expect("not");
        c.expect("exists");
        ifNotExists = true;
    }
    const name = parseName(c);
    c.accept("with");
    let password: StringOrPlaceholder | null | undefined;
    while (!c.atEnd()) {
        if (c.accept("password")) {
            if (c.accept("null")) password = null;
            else password = parseStringOrPlaceholder(c);
        } else if (c.peek().kind === "ident" && FLAG_ROLE_OPTIONS.has(c.peek().value)) {
            c.next();
        } else {
            throw c.error();
        }
    }
    return {
        type: "createUser",
        name,
        ifNotExists,
        ...(password !== undefined ? { password } : {}),
    };
}

function parseGrant(c: Cursor): Statement {
    c.next();
    if (c.accept("system")) {
        const privileges = parseList(c, () => parseName(c).toUpperCase());
        c.expect("to");
        const grantees = parseList(c, () => parseName(c));
        acceptGrantOption(c);
        c.expectEnd();
        return { type: "grantSystem", privileges, grantees };
    }
    const words = parseList(c, () => parseName(c));
    if (c.accept("privileges")) {
        if (words.length !== 1 || words[0] !== "all") throw c.error();
    }
    if (c.accept("on")) {
        if (
            c.isWord("database") ||
            c.isWord("schema") ||
            c.isWord("type") ||
            c.isWord("function")
        ) {
            throw new CockroachError(
                SQLSTATE.featureNotSupported,
                `GRANT ... ON ${c.peek().raw.toUpperCase()} is not supported by the CockroachDB test server`,
            );
        }
        c.accept("table");
        const tables = parseList(c, () => parseTableName(c));
        c.expect("to");
        const grantees = parseList(c, () => parseName(c));
        acceptGrantOption(c);
        c.expectEnd();
        return {
            type: "grantTable",
            privileges: words.map((w) => w.toUpperCase()),
            tables,
            grantees,
        };
    }
    c.expect("to");
    const grantees = parseList(c, () => parseName(c));
    if (c.accept("with")) {
        c.expect("admin");
        c.expect("option");
    }
    c.expectEnd();
    return { type: "grantRoles", roles: words, grantees };
}

function acceptGrantOption(c: Cursor): void {
    if (c.accept("with")) {
        c.expect("grant");
        c.expect("option");
    }
}
