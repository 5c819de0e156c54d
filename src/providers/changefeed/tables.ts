/**
 * Changefeed target tables: parsing the names given in `tables`, resolving them against the
 * connection's database (one part → `<db>.public.t`, two parts → `<db>.<schema>.t`), and the
 * keys used to compare with CockroachDB's `full_table_names`.
 */
import { parseQualifiedName, quoteQualifiedName } from "../cockroach";

/** A resolved target table. */
export interface TableRef {
    database: string;
    schema: string;
    table: string;
    /** `db.schema.table` as CockroachDB prints it in `full_table_names` (unquoted). */
    key: string;
    /** The name as written in the args, quoted part by part for SQL. */
    sql: string;
}

/** Resolves a table name, or `undefined` when it is not a valid (1–3 part) name. */
export function resolveTable(text: string, defaultDatabase: string): TableRef | undefined {
    const parts = parseQualifiedName(text.trim());
    if (!parts || parts.length === 0) return undefined;
    const table = parts[parts.length - 1]!;
    const schema = parts.length >= 2 ? parts[parts.length - 2]! : "public";
    const database = parts.length === 3 ? parts[0]! : defaultDatabase;
    return {
        database,
        schema,
        table,
        key: `${database}.${schema}.${table}`,
        sql: quoteQualifiedName(parts),
    };
}

/** Resolves every table; names that do not parse are left out (check reports them). */
export function resolveTables(tables: readonly string[], defaultDatabase: string): TableRef[] {
    const out: TableRef[] = [];
    for (const text of tables) {
        const ref = resolveTable(text, defaultDatabase);
        if (ref) out.push(ref);
    }
    return out;
}

/**
 * Parses CockroachDB's `full_table_names` (a STRING[] of raw `db.schema.table` names joined with
 * dots, never quoted: docs/cockroachdb-behaviour.md, "SHOW CHANGEFEED JOBS"). The driver gives an
 * array, or the array's text form `{a.b.c,"d.e.My, Table"}` whose quoted elements use backslash
 * escapes.
 */
export function parseFullTableNames(value: unknown): string[] {
    if (Array.isArray(value)) return value.map(String);
    if (typeof value !== "string") return [];
    const text = value.trim();
    if (!text.startsWith("{") || !text.endsWith("}")) return [];
    const out: string[] = [];
    let i = 1;
    const end = text.length - 1;
    while (i < end) {
        let element = "";
        if (text[i] === '"') {
            i += 1;
            while (i < end && text[i] !== '"') {
                if (text[i] === "\\") i += 1;
                element += text[i] ?? "";
                i += 1;
            }
            i += 1; // closing quote
        } else {
            while (i < end && text[i] !== ",") {
                element += text[i];
                i += 1;
            }
            element = element.trim();
        }
        out.push(element);
        while (i < end && text[i] !== ",") i += 1;
        i += 1; // comma
    }
    return out;
}
