/**
 * The schema part of the pre-flight's judgement: tables on both sides, primary keys, columns,
 * NOT NULL columns, types, and the privileges on both sides. Pure.
 */
import { quoteIdent } from "../cockroach";
import type { TableRef } from "../changefeed/tables";
import type { StepResults } from "./findings";
import { judgeType, normalizeCockroachType, type TargetTable } from "../targets/columns";
import { tableGroups, targetRequest, type PreflightStep } from "./plan";
import type { Finding, PreflightConfig } from "./types";

/** Rows of a step, or undefined when it failed (already reported) or did not run. */
export type Rows = (id: string) => Record<string, unknown>[] | undefined;
export type Add = (finding: Finding) => void;

interface CockroachColumn {
    name: string;
    type: string;
    nullable: boolean;
}

export const truthy = (v: unknown) => v === true || v === "t" || v === "true" || v === "YES";
const lower = (s: string) => s.toLowerCase();

/** CockroachDB columns and primary key per table key; missing tables are reported. */
export function cockroachTables(
    config: PreflightConfig,
    rows: Rows,
    add: Add,
): Map<
    string,
    { table: TableRef; columns: CockroachColumn[]; hidden: Set<string>; key: string[] }
> {
    const out = new Map<
        string,
        { table: TableRef; columns: CockroachColumn[]; hidden: Set<string>; key: string[] }
    >();
    for (const group of tableGroups(config.tables)) {
        const columnRows = rows(`columns:${group.database}.${group.schema}`);
        const keyRows = rows(`keys:${group.database}.${group.schema}`) ?? [];
        if (!columnRows) continue;
        for (const table of group.tables) {
            const mine = columnRows.filter((r) => String(r.table_name) === table.table);
            if (mine.length === 0) {
                add({
                    severity: "error",
                    check: "tables",
                    object: `CockroachDB table ${table.key}`,
                    problem: "does not exist",
                    fix: "create it, or remove it from the changefeed's tables",
                });
                continue;
            }
            const hidden = new Set(
                mine.filter((r) => truthy(r.is_hidden)).map((r) => String(r.column_name)),
            );
            out.set(table.key, {
                table,
                columns: mine
                    .filter((r) => !truthy(r.is_hidden))
                    .map((r) => ({
                        name: String(r.column_name),
                        type: String(r.crdb_sql_type),
                        nullable: truthy(r.is_nullable),
                    })),
                hidden,
                key: keyRows
                    .filter((r) => String(r.table_name) === table.table)
                    .map((r) => String(r.column_name)),
            });
        }
    }
    return out;
}

export function judgeCockroachPrivileges(
    config: PreflightConfig,
    rows: Rows,
    add: Add,
    results: StepResults,
): void {
    const admin = rows("isAdmin")?.[0];
    if (admin && truthy(Object.values(admin)[0])) return;
    const user = quoteIdent(config.cockroachUser);
    if (!(results.get("tableGrants") instanceof Error)) {
        const held = new Set(
            (rows("tableGrants") ?? [])
                .filter((r) =>
                    ["CHANGEFEED", "ALL"].includes(String(r.privilege_type).toUpperCase()),
                )
                .map((r) => `${r.database_name}.${r.schema_name}.${r.table_name}`),
        );
        for (const table of config.tables.filter((t) => !held.has(t.key))) {
            add({
                severity: "error",
                check: "cockroachPrivileges",
                object: `CockroachDB table ${table.key}`,
                problem: `user ${config.cockroachUser} lacks CHANGEFEED on it`,
                fix: `GRANT CHANGEFEED ON TABLE ${table.sql} TO ${user};`,
            });
        }
    }
    const system = new Set(
        (rows("systemGrants") ?? []).map((r) => String(r.privilege_type).toUpperCase()),
    );
    if (config.exclusive && !["VIEWJOB", "CONTROLJOB", "ALL"].some((p) => system.has(p))) {
        add({
            severity: "error",
            check: "cockroachPrivileges",
            object: `CockroachDB user ${config.cockroachUser}`,
            problem: "lacks VIEWJOB: the exclusive guard cannot see other users' changefeeds",
            fix: `GRANT SYSTEM VIEWJOB TO ${user}; (or exclusive: false)`,
        });
    }
}

export function judgeTarget(
    config: PreflightConfig,
    rows: Rows,
    steps: readonly PreflightStep[],
    cockroach: ReturnType<typeof cockroachTables>,
    add: Add,
): void {
    const { dialect, schema, label, grantee } = config.target;
    const request = targetRequest(config);
    const targetRows = steps.filter((s) => s.server === "target").map((s) => rows(s.id));
    if (targetRows.some((r) => r === undefined)) return;
    const catalog = dialect.parseCatalog(targetRows as Record<string, unknown>[][], request);
    if (!catalog.schemaExists) {
        add({
            severity: "error",
            check: "tables",
            object: `target schema ${schema}`,
            problem: `does not exist on ${label}`,
            fix: "create it with the tables forward replication came from, or correct the schema name",
        });
        return;
    }
    if (!config.grantsManaged && !catalog.schemaUsage) {
        add({
            severity: "error",
            check: "targetPrivileges",
            object: `target schema ${schema}`,
            problem: `${grantee} lacks USAGE on it`,
            fix: `GRANT USAGE ON SCHEMA ${dialect.quote(schema)} TO ${dialect.quote(grantee)}; or let TargetGrants manage the grants`,
        });
    }
    for (const { table, columns, hidden, key } of cockroach.values()) {
        const name = dialect.targetTableName(table.table);
        const object = `${schema}.${name}`;
        const target = catalog.tables.find((t) => t.name === name);
        if (!target) {
            add({
                severity: "error",
                check: "tables",
                object: `target table ${object}`,
                problem: `does not exist on ${label} (CockroachDB table ${table.key})`,
                fix: `create it with the columns of ${table.key}, or remove ${table.key} from the changefeed's tables`,
            });
            continue;
        }
        judgePrimaryKey(table, key, hidden, target, object, dialect.quote, add);
        judgeColumns(config, table, columns, target, object, add);
        if (!config.grantsManaged) {
            const held = new Set(target.privileges);
            const missing =
                held.has("ALL PRIVILEGES") || held.has("ALL")
                    ? []
                    : dialect.applyPrivileges.filter((p) => !held.has(p));
            if (missing.length > 0) {
                add({
                    severity: "error",
                    check: "targetPrivileges",
                    object: `target table ${object}`,
                    problem: `${grantee} lacks ${missing.join(", ")}, which the replicator's apply statements need`,
                    fix: `GRANT ${missing.join(", ")} ON ${dialect.quote(schema)}.${dialect.quote(name)} TO ${dialect.quote(grantee)}; or let TargetGrants manage the grants`,
                });
            }
        }
    }
}

function judgePrimaryKey(
    table: TableRef,
    key: string[],
    hidden: Set<string>,
    target: TargetTable,
    object: string,
    quote: (s: string) => string,
    add: Add,
): void {
    if (key.length === 0 || key.some((k) => hidden.has(k))) {
        add({
            severity: "error",
            check: "primaryKey",
            object: `CockroachDB table ${table.key}`,
            problem:
                "has no primary key of its own (only the hidden rowid): the replicator cannot match its rows in the target",
            fix: `ALTER TABLE ${table.sql} ALTER PRIMARY KEY USING COLUMNS (…) with the target's key columns`,
        });
        return;
    }
    const source = key.map(lower);
    const targetKey = target.primaryKey.map(lower);
    if (targetKey.length === 0) {
        add({
            severity: "error",
            check: "primaryKey",
            object: `target table ${object}`,
            problem: "has no primary key: the replicator's upserts and deletes need one",
            fix: `ALTER TABLE … ADD PRIMARY KEY (${key.map(quote).join(", ")})`,
        });
    } else if (source.length !== targetKey.length || source.some((c) => !targetKey.includes(c))) {
        add({
            severity: "error",
            check: "primaryKey",
            object: `target table ${object}`,
            problem: `primary key (${target.primaryKey.join(", ")}) differs from CockroachDB's (${key.join(", ")}): rows are matched on the wrong columns, or rejected ("missing PK columns")`,
            fix: `make the target's primary key (${key.map(quote).join(", ")}), or CockroachDB's the same as the target's`,
        });
    }
}

function judgeColumns(
    config: PreflightConfig,
    table: TableRef,
    columns: CockroachColumn[],
    target: TargetTable,
    object: string,
    add: Add,
): void {
    const ignored = config.ignoreColumns.get(lower(table.table)) ?? new Set<string>();
    const byName = new Map(target.columns.map((c) => [lower(c.name), c]));
    const sent = new Set<string>();
    for (const column of columns) {
        if (ignored.has(lower(column.name))) continue;
        sent.add(lower(column.name));
        const where = `${table.key}.${column.name}`;
        const targetColumn = byName.get(lower(column.name));
        if (!targetColumn) {
            add({
                severity: "error",
                check: "columns",
                object: `CockroachDB column ${where}`,
                problem: `is sent by the changefeed but target table ${object} has no such column: the replicator rejects every row ("unexpected columns: ${column.name}")`,
                fix: `add the column to ${object} (ALTER TABLE … ADD COLUMN ${column.name} …), or list it in ignoreColumns.${table.table} if it is handled otherwise`,
            });
            continue;
        }
        const verdict = judgeType(
            config.target.dialect,
            normalizeCockroachType(column.type),
            targetColumn.type,
        );
        if (verdict.level !== "ok") {
            add({
                severity: verdict.level,
                check: "types",
                object: `column ${object}.${targetColumn.name}`,
                problem: `${column.type} → ${targetColumn.type.text}: ${verdict.reason ?? ""}`,
                fix: `widen it: ${config.target.dialect.alterColumnHint(config.target.schema, target.name, targetColumn.name)}, or narrow the CockroachDB column`,
            });
        }
        if (column.nullable && !targetColumn.nullable) {
            add({
                severity: "warning",
                check: "notNull",
                object: `column ${object}.${targetColumn.name}`,
                problem: `is NOT NULL but ${where} allows NULL: a row with NULL there is rejected`,
                fix: "drop NOT NULL on the target, or add NOT NULL on CockroachDB",
            });
        }
    }
    for (const column of target.columns) {
        if (column.nullable || column.hasDefault || sent.has(lower(column.name))) continue;
        add({
            severity: "error",
            check: "notNull",
            object: `column ${object}.${column.name}`,
            problem: `is NOT NULL without a default and CockroachDB does not send it (${table.key} has no such column${ignored.has(lower(column.name)) ? " that is not ignored" : ""}): every insert fails`,
            fix: "give it a default or drop NOT NULL on the target, or add the column on CockroachDB",
        });
    }
}
