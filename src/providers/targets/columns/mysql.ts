/**
 * MySQL/MariaDB target catalog: `information_schema.COLUMNS` (`COLUMN_TYPE`), primary keys
 * (`KEY_COLUMN_USAGE`, constraint `PRIMARY`) and the grantee account's privileges at table,
 * database and global level. A MySQL "schema" is a database.
 */
import type * as mysqlTypes from "mysql2/promise";
import { quoteMysqlIdent } from "../mysqlCatalog";
import { assembleCatalog, privilegesByTable, nullable, placeholders, push, text } from "./shared";
import type { ColumnsDialect, NormalizedType, TargetColumn, TargetEndpoint } from "./types";

const PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;

const INT_BITS: Record<string, number> = {
    tinyint: 8,
    smallint: 16,
    mediumint: 24,
    int: 32,
    integer: 32,
    bigint: 64,
};
const TEXT_LENGTH: Record<string, number | undefined> = {
    tinytext: 255,
    text: 65_535,
    mediumtext: 16_777_215,
    longtext: undefined,
};

/** Normalizes `COLUMN_TYPE` text (`bigint(20) unsigned`, `varchar(20)`, `decimal(10,2)`, …). */
export function normalizeMysqlType(raw: string): NormalizedType {
    const t = raw.trim().toLowerCase();
    const base = /^[a-z]+/.exec(t)?.[0] ?? t;
    const args = /\((\d+)(?:\s*,\s*(\d+))?\)/.exec(t);
    const first = args?.[1] !== undefined ? Number(args[1]) : undefined;
    const second = args?.[2] !== undefined ? Number(args[2]) : undefined;
    const bits = INT_BITS[base];
    if (bits !== undefined) {
        if (base === "tinyint" && first === 1) return { family: "bool", text: raw };
        return {
            family: "int",
            text: raw,
            bits,
            ...(t.includes("unsigned") ? { unsigned: true } : {}),
        };
    }
    if (base in TEXT_LENGTH) {
        const length = TEXT_LENGTH[base];
        return { family: "string", text: raw, ...(length !== undefined ? { length } : {}) };
    }
    switch (base) {
        case "decimal":
        case "numeric":
            return { family: "decimal", text: raw, precision: first ?? 10, scale: second ?? 0 };
        case "float":
            return { family: "float", text: raw, floatBytes: 4 };
        case "double":
        case "real":
            return { family: "float", text: raw, floatBytes: 8 };
        case "varchar":
        case "char":
            return { family: "string", text: raw, length: first ?? 1 };
        case "binary":
        case "varbinary":
            return { family: "bytes", text: raw, length: first ?? 1 };
        case "tinyblob":
            return { family: "bytes", text: raw, length: 255 };
        case "blob":
            return { family: "bytes", text: raw, length: 65_535 };
        case "mediumblob":
            return { family: "bytes", text: raw, length: 16_777_215 };
        case "longblob":
            return { family: "bytes", text: raw };
        case "boolean":
        case "bool":
            return { family: "bool", text: raw };
        case "datetime":
        case "timestamp":
            return { family: "timestamp", text: raw, zone: false };
        case "date":
            return { family: "date", text: raw };
        case "time":
            return { family: "time", text: raw, zone: false };
        case "json":
            return { family: "json", text: raw };
        case "uuid":
            return { family: "uuid", text: raw };
        default:
            return { family: "other", text: raw };
    }
}

/** `'user'@'host'` as information_schema's GRANTEE column spells an account. */
function granteeText(user: string, host: string): string {
    return `'${user.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
}

export const mysqlColumns: ColumnsDialect = {
    dialect: "mysql",
    targetTableName: (name) => name,
    quote: quoteMysqlIdent,
    applyPrivileges: PRIVILEGES,
    catalogQueries(request) {
        const list = placeholders(request.tables.length, () => "?");
        const tables = request.tables.length > 0 ? request.tables : [""];
        const grantee = granteeText(request.grantee, request.granteeHost ?? "%");
        return [
            {
                note: "the database",
                sql: "SELECT SCHEMA_NAME AS schema_name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                params: [request.schema],
            },
            {
                note: "columns: type, NOT NULL, default",
                sql:
                    "SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type, " +
                    "IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra " +
                    `FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (${list}) ` +
                    "ORDER BY TABLE_NAME, ORDINAL_POSITION",
                params: [request.schema, ...tables],
            },
            {
                note: "primary keys",
                sql:
                    "SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name FROM information_schema.KEY_COLUMN_USAGE " +
                    `WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY' AND TABLE_NAME IN (${list}) ` +
                    "ORDER BY TABLE_NAME, ORDINAL_POSITION",
                params: [request.schema, ...tables],
            },
            {
                note: "the grantee's privileges (table, database, global)",
                sql:
                    "SELECT TABLE_NAME AS table_name, PRIVILEGE_TYPE AS privilege FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ? " +
                    "UNION ALL SELECT NULL, PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ? " +
                    "UNION ALL SELECT NULL, PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?",
                params: [grantee, request.schema, grantee, request.schema, grantee],
            },
        ];
    },
    parseCatalog([schemaRows = [], columnRows = [], keyRows = [], privilegeRows = []], request) {
        const columns = new Map<string, TargetColumn[]>();
        for (const row of columnRows) {
            const extra = text(row, "extra").toLowerCase();
            push(columns, text(row, "table_name"), {
                name: text(row, "column_name"),
                type: normalizeMysqlType(text(row, "column_type")),
                nullable: text(row, "is_nullable") === "YES",
                hasDefault:
                    nullable(row, "column_default") !== null ||
                    /auto_increment|default_generated|generated/.test(extra),
            });
        }
        const keys = new Map<string, string[]>();
        for (const row of keyRows) push(keys, text(row, "table_name"), text(row, "column_name"));
        const { privileges, everyTable } = privilegesByTable(privilegeRows, {
            table: "table_name",
            privilege: "privilege",
        });
        return assembleCatalog(
            request,
            schemaRows.length > 0,
            columns,
            keys,
            privileges,
            everyTable,
        );
    },
    typeOverride(source, target) {
        if (
            source.family === "bool" &&
            (target.family === "bool" || (target.family === "int" && target.bits === 8))
        ) {
            return { level: "ok" };
        }
        if (source.family === "timestamp" && target.family === "timestamp") {
            if (/^timestamp/i.test(target.text)) {
                return {
                    level: "warning",
                    reason: `MySQL ${target.text} holds only 1970-01-01 to 2038-01-19 (UTC); use DATETIME(6) for ${source.text}`,
                };
            }
            return { level: "ok" };
        }
        return undefined;
    },
    alterColumnHint: (schema, table, column) =>
        `ALTER TABLE ${quoteMysqlIdent(schema)}.${quoteMysqlIdent(table)} MODIFY ${quoteMysqlIdent(column)} …`,
    async open(endpoint: TargetEndpoint) {
        const mysql = require("mysql2/promise") as typeof mysqlTypes;
        const connection = await mysql.createConnection({
            host: endpoint.host,
            port: endpoint.port,
            user: endpoint.user,
            password: endpoint.password,
            connectTimeout: 10_000,
        });
        connection.on("error", () => undefined);
        return {
            run: async (sql, params) => {
                const [rows] = await connection.query(sql, [...params]);
                return rows as Record<string, unknown>[];
            },
            close: () => connection.end().catch(() => undefined),
        };
    },
};
