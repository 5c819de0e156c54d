/**
 * PostgreSQL target catalog: `pg_catalog` columns (`format_type`), primary keys
 * (`pg_constraint`), and the grantee's privileges (`has_table_privilege`,
 * `has_schema_privilege`). Tables live in a schema; names are compared as stored.
 */
import type * as pgTypes from "pg";
import { quotePgIdent } from "../postgres";
import { assembleCatalog, nullable, push, text, truthy } from "./shared";
import type { ColumnsDialect, NormalizedType, TargetColumn, TargetEndpoint } from "./types";

const PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;

const ROLE_EXISTS = "EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $3)";

const SCHEMA_QUERY = `SELECT n.nspname AS schema_name,
  CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $2)
       THEN has_schema_privilege($2, n.oid, 'USAGE') ELSE false END AS usage
FROM pg_catalog.pg_namespace n WHERE n.nspname = $1`;

const COLUMNS_QUERY = `SELECT c.relname AS table_name, a.attname AS column_name,
  format_type(a.atttypid, a.atttypmod) AS column_type, NOT a.attnotnull AS nullable,
  (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum`;

const KEYS_QUERY = `SELECT c.relname AS table_name, a.attname AS column_name
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE con.contype = 'p' AND n.nspname = $1 AND c.relname = ANY($2::text[])
ORDER BY c.relname, k.ord`;

const PRIVILEGES_QUERY = `SELECT c.relname AS table_name, p.privilege
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p(privilege)
WHERE n.nspname = $1 AND c.relname = ANY($2::text[])
  AND CASE WHEN ${ROLE_EXISTS} THEN has_table_privilege($3, c.oid, p.privilege) ELSE false END`;

/** Normalizes `format_type()` text. */
export function normalizePgType(raw: string): NormalizedType {
    const t = raw.trim().toLowerCase();
    if (t.endsWith("[]")) return { family: "array", text: raw };
    const args = /\((\d+)(?:\s*,\s*(\d+))?\)/.exec(t);
    const first = args?.[1] !== undefined ? Number(args[1]) : undefined;
    const second = args?.[2] !== undefined ? Number(args[2]) : undefined;
    const base = t
        .replace(/\(.*?\)/, "")
        .replace(/\s+/g, " ")
        .trim();
    switch (base) {
        case "smallint":
            return { family: "int", text: raw, bits: 16 };
        case "integer":
            return { family: "int", text: raw, bits: 32 };
        case "bigint":
            return { family: "int", text: raw, bits: 64 };
        case "numeric":
            return {
                family: "decimal",
                text: raw,
                ...(first !== undefined ? { precision: first, scale: second ?? 0 } : {}),
            };
        case "real":
            return { family: "float", text: raw, floatBytes: 4 };
        case "double precision":
            return { family: "float", text: raw, floatBytes: 8 };
        case "character varying":
        case "character":
        case "bpchar":
            return {
                family: "string",
                text: raw,
                ...(first !== undefined
                    ? { length: first }
                    : base === "character"
                      ? { length: 1 }
                      : {}),
            };
        case "text":
        case "name":
        case "citext":
            return { family: "string", text: raw };
        case "bytea":
            return { family: "bytes", text: raw };
        case "boolean":
            return { family: "bool", text: raw };
        case "timestamp with time zone":
            return { family: "timestamp", text: raw, zone: true };
        case "timestamp without time zone":
            return { family: "timestamp", text: raw, zone: false };
        case "date":
            return { family: "date", text: raw };
        case "time without time zone":
            return { family: "time", text: raw, zone: false };
        case "time with time zone":
            return { family: "time", text: raw, zone: true };
        case "uuid":
            return { family: "uuid", text: raw };
        case "json":
        case "jsonb":
            return { family: "json", text: raw };
        case "interval":
            return { family: "interval", text: raw };
        case "inet":
            return { family: "inet", text: raw };
        default:
            return { family: "other", text: raw };
    }
}

export const postgresColumns: ColumnsDialect = {
    dialect: "postgres",
    targetTableName: (name) => name,
    quote: quotePgIdent,
    applyPrivileges: PRIVILEGES,
    catalogQueries: (request) => [
        {
            note: "the schema, and USAGE of the grantee on it",
            sql: SCHEMA_QUERY,
            params: [request.schema, request.grantee],
        },
        {
            note: "columns: type, NOT NULL, default",
            sql: COLUMNS_QUERY,
            params: [request.schema, request.tables],
        },
        { note: "primary keys", sql: KEYS_QUERY, params: [request.schema, request.tables] },
        {
            note: "the grantee's table privileges",
            sql: PRIVILEGES_QUERY,
            params: [request.schema, request.tables, request.grantee],
        },
    ],
    parseCatalog([schemaRows = [], columnRows = [], keyRows = [], privilegeRows = []], request) {
        const columns = new Map<string, TargetColumn[]>();
        for (const row of columnRows) {
            push(columns, text(row, "table_name"), {
                name: text(row, "column_name"),
                type: normalizePgType(text(row, "column_type")),
                nullable: truthy(nullable(row, "nullable")),
                hasDefault: truthy(nullable(row, "has_default")),
            });
        }
        const keys = new Map<string, string[]>();
        for (const row of keyRows) push(keys, text(row, "table_name"), text(row, "column_name"));
        const privileges = new Map<string, Set<string>>();
        for (const row of privilegeRows) {
            const table = text(row, "table_name");
            privileges.set(table, (privileges.get(table) ?? new Set()).add(text(row, "privilege")));
        }
        const schemaRow = schemaRows[0];
        return assembleCatalog(
            request,
            schemaRow !== undefined,
            columns,
            keys,
            privileges,
            new Set(),
            schemaRow !== undefined && truthy(nullable(schemaRow, "usage")),
        );
    },
    alterColumnHint: (schema, table, column) =>
        `ALTER TABLE ${quotePgIdent(schema)}.${quotePgIdent(table)} ALTER COLUMN ${quotePgIdent(column)} TYPE …`,
    async open(endpoint: TargetEndpoint) {
        const pg = require("pg") as typeof pgTypes;
        const client = new pg.Client({
            host: endpoint.host,
            port: endpoint.port,
            database: endpoint.database,
            user: endpoint.user,
            password: endpoint.password,
            ssl: sslOf(endpoint.params),
            connectionTimeoutMillis: 10_000,
            query_timeout: 30_000,
        });
        client.on("error", () => undefined);
        await client.connect();
        return {
            run: async (sql, params) =>
                (await client.query(sql, [...params])).rows as Record<string, unknown>[],
            close: () => client.end().catch(() => undefined),
        };
    },
};

function sslOf(params: Record<string, string>): pgTypes.ClientConfig["ssl"] {
    const mode = params["sslmode"];
    if (mode === undefined || mode === "disable") return false;
    return mode === "require" || mode === "prefer" ? { rejectUnauthorized: false } : true;
}
