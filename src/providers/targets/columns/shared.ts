/** Small helpers the dialect catalog readers share (row access and grouping). */
import type { TargetCatalog, TargetCatalogRequest, TargetColumn, TargetTable } from "./types";

/** A row value as text (drivers return upper- or lower-case keys; both are tried). */
export function text(row: Record<string, unknown>, key: string): string {
    const value = row[key] ?? row[key.toUpperCase()] ?? row[key.toLowerCase()];
    return value === null || value === undefined ? "" : String(value);
}

/** A row value that may be SQL NULL. */
export function nullable(row: Record<string, unknown>, key: string): unknown {
    return row[key] ?? row[key.toUpperCase()] ?? row[key.toLowerCase()] ?? null;
}

/** A boolean as PostgreSQL, MySQL or Oracle return it. */
export function truthy(value: unknown): boolean {
    return (
        value === true ||
        value === 1 ||
        value === "t" ||
        value === "true" ||
        value === "YES" ||
        value === "Y" ||
        value === "1"
    );
}

/** Builds the catalog from per-table columns, keys and privileges (requested tables only). */
export function assembleCatalog(
    request: TargetCatalogRequest,
    schemaExists: boolean,
    columns: ReadonlyMap<string, TargetColumn[]>,
    keys: ReadonlyMap<string, string[]>,
    privileges: ReadonlyMap<string, Set<string>>,
    everyTable: ReadonlySet<string>,
    schemaUsage = true,
): TargetCatalog {
    const tables: TargetTable[] = [];
    for (const name of request.tables) {
        const cols = columns.get(name);
        if (!cols || cols.length === 0) continue;
        tables.push({
            name,
            columns: cols,
            primaryKey: keys.get(name) ?? [],
            privileges: [...new Set([...(privileges.get(name) ?? []), ...everyTable])].sort(),
        });
    }
    return { schemaExists, tables, schemaUsage };
}

/** Appends `value` to the list stored under `key`. */
export function push<T>(map: Map<string, T[]>, key: string, value: T): void {
    const list = map.get(key) ?? [];
    list.push(value);
    map.set(key, list);
}

/** `?, ?, ?` for MySQL, `:2, :3` for Oracle. */
export function placeholders(count: number, render: (index: number) => string): string {
    return Array.from({ length: Math.max(count, 1) }, (_, i) => render(i)).join(", ");
}
