/**
 * Turns staged mutations into target statements for one resolved timestamp: the latest
 * mutation per key wins, survivors run in source-time order, consecutive mutations of the same
 * table and kind share one statement. Column mapping follows the replicator's apply rules
 * (`internal/target/apply/apply.go` `upsertArgsLocked`, `internal/util/merge/bag_validate.go`):
 * a missing PK column or a column unknown to the target is a "schema drift" error, other
 * missing columns are written as NULL. Errors name the table they happened in
 * ({@link TableApplyError}), so the caller can count them per table as the replicator does.
 */
import {
    Statement,
    TargetTable,
    mysqlDelete,
    mysqlUpsert,
    pgDelete,
    pgUpsert,
    quoteIdent,
} from "./applyStatements";
import { formatHlc } from "./hlc";
import { JsonNumber, JsonValue, parseFirstJsonValue, stringifyJson } from "./json";
import { StagedMutation } from "./staging";

export type Dialect = "postgresql" | "mysql";

/** An error while applying to one target table (counted in `apply_errors_total` for it). */
export class TableApplyError extends Error {
    constructor(
        readonly table: TargetTable,
        message: string,
    ) {
        super(message);
    }
}

export interface PlannedStatement extends Statement {
    table: TargetTable;
    kind: "upsert" | "delete";
    count: number;
}

interface Pending {
    tableIndex: number;
    mutation: StagedMutation;
}

/** Builds the ordered statements; `staged[i]` belongs to `tables[i]`. */
export function planApply(
    dialect: Dialect,
    tables: ReadonlyArray<TargetTable>,
    staged: ReadonlyArray<ReadonlyArray<StagedMutation>>,
): PlannedStatement[] {
    const latest = new Map<string, Pending>();
    staged.forEach((mutations, tableIndex) => {
        for (const mutation of mutations) {
            const id = `${tableIndex}/${mutation.key}`;
            const seen = latest.get(id);
            if (!seen || compareTime(seen.mutation, mutation) <= 0)
                latest.set(id, { tableIndex, mutation });
        }
    });
    const ordered = [...latest.values()].sort(
        (a, b) => compareTime(a.mutation, b.mutation) || a.tableIndex - b.tableIndex,
    );

    const out: PlannedStatement[] = [];
    let run: { tableIndex: number; kind: "upsert" | "delete"; rows: unknown[][] } | undefined;
    const flush = () => {
        if (!run) return;
        const table = tables[run.tableIndex]!;
        const build =
            run.kind === "upsert"
                ? dialect === "postgresql"
                    ? pgUpsert
                    : mysqlUpsert
                : dialect === "postgresql"
                  ? pgDelete
                  : mysqlDelete;
        out.push({ ...build(table, run.rows), table, kind: run.kind, count: run.rows.length });
        run = undefined;
    };
    for (const { tableIndex, mutation } of ordered) {
        const table = tables[tableIndex]!;
        const after = parseFirstJsonValue(mutation.mut) ?? null;
        const kind = after === null ? "delete" : "upsert";
        if (!run || run.tableIndex !== tableIndex || run.kind !== kind) {
            flush();
            run = { tableIndex, kind, rows: [] };
        }
        const offset = run.rows.length;
        const row =
            kind === "upsert"
                ? upsertValues(dialect, table, after, offset)
                : keyValues(dialect, table, mutation, offset);
        run.rows.push(row);
    }
    flush();
    return out;
}

function compareTime(a: StagedMutation, b: StagedMutation): number {
    if (a.nanos !== b.nanos) return a.nanos < b.nanos ? -1 : 1;
    return a.logical - b.logical;
}

/**
 * A statement the target refused, as the replicator reports it: the table, then the statement
 * kind and the driver's message (the replicator wraps the driver error with the table name in
 * `types/acceptors.go` `orderedAdapter.flush`).
 */
export function statementError(statement: PlannedStatement, err: unknown): TableApplyError {
    const name = statement.table.parts.map(quoteIdent).join(".");
    return new TableApplyError(
        statement.table,
        `${name}: ${statement.kind}: ${(err as Error).message}`,
    );
}

/** The replicator's text: `schema drift detected in "db"."s"."t" at payload object offset 0: …`. */
function drift(table: TargetTable, what: string, offset: number): TableApplyError {
    return new TableApplyError(
        table,
        `schema drift detected in ${table.parts.map(quoteIdent).join(".")} at payload object offset ${offset}: ${what}`,
    );
}

function upsertValues(
    dialect: Dialect,
    table: TargetTable,
    after: JsonValue,
    offset: number,
): unknown[] {
    if (!(after instanceof Map)) {
        throw new TableApplyError(
            table,
            `could not decode the row data of ${table.parts.map(quoteIdent).join(".")}: not a JSON object`,
        );
    }
    const byName = new Map<string, [string, JsonValue]>();
    for (const [name, value] of after) byName.set(name.toLowerCase(), [name, value]);
    const values: unknown[] = [];
    const missingPk: string[] = [];
    for (const col of table.columns) {
        const key = col.name.toLowerCase();
        const entry = byName.get(key);
        byName.delete(key);
        if (col.ignored) continue;
        if (col.primary && entry === undefined) missingPk.push(col.name);
        values.push(toParam(dialect, col.type, entry?.[1] ?? null));
    }
    if (missingPk.length > 0) {
        throw drift(table, `missing PK columns: ${missingPk.join(", ")}`, offset);
    }
    if (byName.size > 0) {
        const unexpected = [...byName.values()].map(([name]) => name);
        throw drift(table, `unexpected columns: ${unexpected.join(", ")}`, offset);
    }
    return values;
}

function keyValues(
    dialect: Dialect,
    table: TargetTable,
    mutation: StagedMutation,
    offset: number,
): unknown[] {
    const key = parseFirstJsonValue(mutation.key) ?? null;
    const pk = table.columns.filter((c) => c.primary);
    if (!Array.isArray(key) || key.length !== pk.length) {
        const at = formatHlc({ nanos: mutation.nanos, logical: mutation.logical });
        throw new TableApplyError(
            table,
            `delete from ${table.parts.map(quoteIdent).join(".")} at payload object offset ${offset}: ` +
                `key ${mutation.key}@${at} has ${Array.isArray(key) ? key.length : 0} parts, expected ${pk.length}`,
        );
    }
    return pk.map((col, i) => toParam(dialect, col.type, key[i]!));
}

/** A JSON value as a driver parameter for a column of the given type. */
export function toParam(dialect: Dialect, type: string, value: JsonValue): unknown {
    if (value === null) return null;
    if (typeof value === "string") return value;
    if (value instanceof JsonNumber) return value.text;
    if (typeof value === "boolean") {
        if (dialect === "mysql") return value ? 1 : 0;
        return value ? "true" : "false";
    }
    if (dialect === "postgresql" && Array.isArray(value) && type.endsWith("[]")) {
        return pgArrayLiteral(value);
    }
    return stringifyJson(value);
}

function pgArrayLiteral(values: JsonValue[]): string {
    const items = values.map((v) => {
        if (v === null) return "NULL";
        if (Array.isArray(v)) return pgArrayLiteral(v);
        const text =
            typeof v === "string"
                ? v
                : v instanceof JsonNumber
                  ? v.text
                  : typeof v === "boolean"
                    ? String(v)
                    : stringifyJson(v);
        return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
    });
    return `{${items.join(",")}}`;
}
