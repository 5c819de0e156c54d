/**
 * The statements the replicator runs on the target (docs/replicator-behaviour.md, source
 * `internal/target/apply/testdata/{pg,my}/base.*.sql`), built for a batch of rows.
 * PostgreSQL casts every parameter to the catalog type; MySQL/MariaDB run with
 * `sql_mode=ansi`, so identifiers are double-quoted there too.
 */

/** A target column as read from the catalog. Generated columns are `ignored`. */
export interface TargetColumn {
    name: string;
    primary: boolean;
    /** PostgreSQL: cast type (`INT8`, `VARCHAR`, `"s"."enum"`, `INT4[]`); MySQL: data type. */
    type: string;
    ignored: boolean;
}

export interface TargetTable {
    /** Catalog name parts: `[db, schema, table]` (PostgreSQL) or `[db, table]` (MySQL). */
    parts: string[];
    columns: TargetColumn[];
}

export interface Statement {
    sql: string;
    params: unknown[];
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const qualified = (parts: ReadonlyArray<string>) => parts.map(quoteIdent).join(".");

const written = (table: TargetTable) => table.columns.filter((c) => !c.ignored);
const keyColumns = (table: TargetTable) => table.columns.filter((c) => c.primary);

/** `INSERT … ON CONFLICT (pk) DO UPDATE SET (cols) = ROW(excluded.…)`; rows in column order. */
export function pgUpsert(table: TargetTable, rows: unknown[][]): Statement {
    const cols = written(table);
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
        const values = cols.map((col, i) => {
            params.push(row[i]);
            return `$${params.length}::${col.type}`;
        });
        return `(${values.join(",")})`;
    });
    const pk = keyColumns(table).map((c) => quoteIdent(c.name));
    const rest = cols.filter((c) => !c.primary).map((c) => quoteIdent(c.name));
    const onConflict =
        rest.length === 0
            ? `ON CONFLICT ( ${pk.join(",")} ) DO NOTHING`
            : `ON CONFLICT ( ${pk.join(",")} )\nDO UPDATE SET (${rest.join(",")}) = ROW(${rest
                  .map((c) => `excluded.${c}`)
                  .join(",")})`;
    const sql =
        `INSERT INTO ${qualified(table.parts)} (\n${cols.map((c) => quoteIdent(c.name)).join(",")}\n) VALUES\n` +
        `${tuples.join(",\n")}\n${onConflict}`;
    return { sql, params };
}

/** `DELETE FROM … WHERE (pk…)IN((…),(…))`; keys in primary-key order. */
export function pgDelete(table: TargetTable, keys: unknown[][]): Statement {
    const pk = keyColumns(table);
    const params: unknown[] = [];
    const tuples = keys.map((key) => {
        const values = pk.map((col, i) => {
            params.push(key[i]);
            return `$${params.length}::${col.type}`;
        });
        return `(${values.join(",")})`;
    });
    const sql =
        `DELETE FROM ${qualified(table.parts)} WHERE (${pk.map((c) => quoteIdent(c.name)).join(",")})` +
        `IN(${tuples.join(",")})`;
    return { sql, params };
}

/** `INSERT … ON DUPLICATE KEY UPDATE "c"=VALUES("c")`; rows in column order. */
export function mysqlUpsert(table: TargetTable, rows: unknown[][]): Statement {
    const cols = written(table);
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
        cols.forEach((_, i) => params.push(row[i]));
        return `(${cols.map(() => "?").join(",")})`;
    });
    const rest = cols.filter((c) => !c.primary);
    const updated = (rest.length > 0 ? rest : keyColumns(table)).map((c) => quoteIdent(c.name));
    const sql =
        `INSERT INTO ${qualified(table.parts)}\n(${cols.map((c) => quoteIdent(c.name)).join(",")})\nVALUES\n` +
        `${tuples.join(",\n")}\nON DUPLICATE KEY UPDATE \n${updated.map((c) => `${c}=VALUES(${c})`).join(",")}`;
    return { sql, params };
}

/** `DELETE FROM … WHERE ("pk")IN((?),(?))`; keys in primary-key order. */
export function mysqlDelete(table: TargetTable, keys: unknown[][]): Statement {
    const pk = keyColumns(table);
    const params: unknown[] = [];
    const tuples = keys.map((key) => {
        pk.forEach((_, i) => params.push(key[i]));
        return `(${pk.map(() => "?").join(",")})`;
    });
    const sql =
        `DELETE FROM ${qualified(table.parts)} WHERE (${pk.map((c) => quoteIdent(c.name)).join(",")})` +
        `IN(${tuples.join(",")})`;
    return { sql, params };
}
