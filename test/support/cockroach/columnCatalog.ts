/**
 * `information_schema.columns` as CockroachDB answers it: PostgreSQL's view has neither of
 * CockroachDB's extension columns `crdb_sql_type` (the type as `types.T.SQLString()` prints it:
 * INT8, STRING, VARCHAR(20), DECIMAL(10,2), TIMESTAMPTZ, …) nor `is_hidden`, and its
 * `table_catalog` is the backing database. A delegated statement that reads the view gets a
 * derived table with CockroachDB's columns instead (docs/cockroachdb-behaviour.md, "Column
 * catalog"). `key_column_usage` and `table_constraints` are answered by PostgreSQL's views,
 * whose columns CockroachDB's have too.
 */
import { tokenize, type Token } from "./lexer";

/** CockroachDB's spelling of a column type, from PostgreSQL's `information_schema.columns`. */
const CRDB_SQL_TYPE = `CASE
  WHEN c.udt_name LIKE '\\_%' THEN upper(substr(c.udt_name, 2)) || '[]'
  WHEN c.udt_name = 'int8' THEN 'INT8'
  WHEN c.udt_name = 'int4' THEN 'INT4'
  WHEN c.udt_name = 'int2' THEN 'INT2'
  WHEN c.udt_name = 'text' THEN 'STRING'
  WHEN c.udt_name = 'varchar' THEN 'VARCHAR' || coalesce('(' || c.character_maximum_length || ')', '')
  WHEN c.udt_name = 'bpchar' THEN 'CHAR' || coalesce('(' || c.character_maximum_length || ')', '')
  WHEN c.udt_name = 'numeric' THEN 'DECIMAL' || coalesce('(' || c.numeric_precision || ',' || c.numeric_scale || ')', '')
  WHEN c.udt_name = 'float8' THEN 'FLOAT8'
  WHEN c.udt_name = 'float4' THEN 'FLOAT4'
  WHEN c.udt_name = 'bool' THEN 'BOOL'
  WHEN c.udt_name = 'bytea' THEN 'BYTES'
  WHEN c.udt_name IN ('timestamptz', 'timestamp', 'time', 'timetz') THEN
    upper(c.udt_name) || CASE WHEN c.datetime_precision = 6 THEN '' ELSE '(' || c.datetime_precision || ')' END
  WHEN c.udt_name IN ('json', 'jsonb') THEN 'JSONB'
  ELSE upper(c.udt_name)
END`;

function derivedColumns(database: string): string {
    const catalog = `'${database.replace(/'/g, "''")}'::text`;
    return (
        `(SELECT ${catalog} AS table_catalog, c.table_schema::text AS table_schema, c.table_name::text AS table_name, ` +
        "c.column_name::text AS column_name, c.ordinal_position::int8 AS ordinal_position, " +
        "c.column_default::text AS column_default, c.is_nullable::text AS is_nullable, c.data_type::text AS data_type, " +
        "c.character_maximum_length::int8 AS character_maximum_length, c.numeric_precision::int8 AS numeric_precision, " +
        "c.numeric_scale::int8 AS numeric_scale, c.datetime_precision::int8 AS datetime_precision, " +
        "c.is_generated::text AS is_generated, c.generation_expression::text AS generation_expression, " +
        "'NO'::text AS is_hidden, " +
        `${CRDB_SQL_TYPE} AS crdb_sql_type FROM information_schema.columns AS c)`
    );
}

const isName = (t: Token | undefined, name: string) =>
    (t?.kind === "ident" || t?.kind === "qident") && t.value === name;

/**
 * Replaces every `information_schema.columns` in a statement PostgreSQL will run (after the
 * `<database>.` prefix was removed) with CockroachDB's view of it. Other text is unchanged.
 */
export function withCockroachColumnCatalog(text: string, database: string): string {
    if (!/information_schema/i.test(text)) return text;
    const tokens = tokenize(text);
    let out = text;
    for (let i = tokens.length - 1; i >= 0; i--) {
        const token = tokens[i] as Token;
        if (
            !isName(token, "information_schema") ||
            tokens[i + 1]?.value !== "." ||
            !isName(tokens[i + 2], "columns")
        ) {
            continue;
        }
        if (tokens[i - 1]?.value === ".") continue;
        const next = tokens[i + 3];
        const aliased =
            next !== undefined &&
            (next.value === "as" || next.kind === "ident" || next.kind === "qident") &&
            ![
                "where",
                "join",
                "left",
                "right",
                "inner",
                "cross",
                "on",
                "order",
                "group",
                "limit",
                "union",
                "natural",
                "full",
            ].includes(next.value);
        const end = (tokens[i + 2] as Token).end;
        out =
            out.slice(0, token.start) +
            derivedColumns(database) +
            (aliased ? "" : " AS columns") +
            out.slice(end);
    }
    return out;
}
