/**
 * Oracle target catalog: `ALL_TAB_COLUMNS`, primary keys (`ALL_CONSTRAINTS` type `P` with
 * `ALL_CONS_COLUMNS`), and the grantee's object and `… ANY TABLE` system privileges. Unquoted
 * names are stored in upper case, so a CockroachDB table `orders` is written to `ORDERS`.
 */
import type * as oracledbTypes from "oracledb";
import { quoteOracleIdent } from "../oracle";
import { assembleCatalog, nullable, push, text } from "./shared";
import type { ColumnsDialect, NormalizedType, TargetColumn, TargetEndpoint } from "./types";

const PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "FLASHBACK"] as const;

/** `oracledb.OUT_FORMAT_OBJECT`, fixed by the driver's API. */
const OUT_FORMAT_OBJECT = 4002;

/** Normalizes an `ALL_TAB_COLUMNS` row (DATA_TYPE, CHAR_LENGTH, DATA_LENGTH, precision, scale). */
export function normalizeOracleType(row: Record<string, unknown>): NormalizedType {
    const dataType = text(row, "DATA_TYPE").toUpperCase();
    const precision = numberOrUndefined(nullable(row, "DATA_PRECISION"));
    const scale = numberOrUndefined(nullable(row, "DATA_SCALE"));
    const charLength = numberOrUndefined(nullable(row, "CHAR_LENGTH"));
    const dataLength = numberOrUndefined(nullable(row, "DATA_LENGTH"));
    if (dataType === "NUMBER") {
        const shown = precision !== undefined ? `NUMBER(${precision},${scale ?? 0})` : "NUMBER";
        return {
            family: "decimal",
            text: shown,
            ...(precision !== undefined ? { precision, scale: scale ?? 0 } : {}),
        };
    }
    if (/^(N?VARCHAR2|N?CHAR)$/.test(dataType)) {
        return {
            family: "string",
            text: `${dataType}(${charLength ?? dataLength})`,
            length: charLength ?? dataLength ?? 1,
        };
    }
    if (/^(N?CLOB|LONG)$/.test(dataType)) return { family: "string", text: dataType };
    if (dataType === "RAW")
        return {
            family: "bytes",
            text: `RAW(${dataLength})`,
            ...(dataLength ? { length: dataLength } : {}),
        };
    if (dataType === "BLOB" || dataType === "LONG RAW") return { family: "bytes", text: dataType };
    if (dataType === "BINARY_FLOAT") return { family: "float", text: dataType, floatBytes: 4 };
    if (dataType === "BINARY_DOUBLE" || dataType === "FLOAT")
        return { family: "float", text: dataType, floatBytes: 8 };
    if (dataType === "DATE") return { family: "timestamp", text: "DATE", zone: false };
    if (/^TIMESTAMP(\(\d+\))? WITH (LOCAL )?TIME ZONE$/.test(dataType))
        return { family: "timestamp", text: dataType, zone: true };
    if (/^TIMESTAMP(\(\d+\))?$/.test(dataType))
        return { family: "timestamp", text: dataType, zone: false };
    if (dataType === "JSON") return { family: "json", text: dataType };
    if (dataType === "BOOLEAN") return { family: "bool", text: dataType };
    if (dataType.startsWith("INTERVAL DAY")) return { family: "interval", text: dataType };
    return { family: "other", text: dataType };
}

function numberOrUndefined(value: unknown): number | undefined {
    if (value === null || value === undefined || value === "") return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
}

export const oracleColumns: ColumnsDialect = {
    dialect: "oracle",
    targetTableName: (name) => name.toUpperCase(),
    quote: quoteOracleIdent,
    applyPrivileges: PRIVILEGES,
    catalogQueries: (request) => [
        {
            note: "the owning schema",
            sql: "SELECT USERNAME FROM ALL_USERS WHERE USERNAME = :1",
            params: [request.schema],
        },
        {
            note: "columns: type, NOT NULL, default",
            sql:
                "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, DATA_LENGTH, CHAR_LENGTH, DATA_PRECISION, DATA_SCALE, " +
                "NULLABLE, DEFAULT_LENGTH, IDENTITY_COLUMN FROM ALL_TAB_COLUMNS WHERE OWNER = :1 ORDER BY TABLE_NAME, COLUMN_ID",
            params: [request.schema],
        },
        {
            note: "primary keys",
            sql:
                "SELECT c.TABLE_NAME, cc.COLUMN_NAME FROM ALL_CONSTRAINTS c JOIN ALL_CONS_COLUMNS cc " +
                "ON cc.OWNER = c.OWNER AND cc.CONSTRAINT_NAME = c.CONSTRAINT_NAME " +
                "WHERE c.OWNER = :1 AND c.CONSTRAINT_TYPE = 'P' ORDER BY c.TABLE_NAME, cc.POSITION",
            params: [request.schema],
        },
        {
            note: "the grantee's object and ANY TABLE privileges",
            sql:
                "SELECT TABLE_NAME, PRIVILEGE FROM DBA_TAB_PRIVS WHERE OWNER = :1 AND GRANTEE = :2 " +
                "UNION ALL SELECT NULL, PRIVILEGE FROM DBA_SYS_PRIVS WHERE GRANTEE = :3 AND PRIVILEGE LIKE '% ANY TABLE'",
            params: [request.schema, request.grantee, request.grantee],
        },
    ],
    parseCatalog([schemaRows = [], columnRows = [], keyRows = [], privilegeRows = []], request) {
        const columns = new Map<string, TargetColumn[]>();
        for (const row of columnRows) {
            push(columns, text(row, "TABLE_NAME"), {
                name: text(row, "COLUMN_NAME"),
                type: normalizeOracleType(row),
                nullable: text(row, "NULLABLE") !== "N",
                hasDefault:
                    numberOrUndefined(nullable(row, "DEFAULT_LENGTH")) !== undefined ||
                    text(row, "IDENTITY_COLUMN") === "YES",
            });
        }
        const keys = new Map<string, string[]>();
        for (const row of keyRows) push(keys, text(row, "TABLE_NAME"), text(row, "COLUMN_NAME"));
        const privileges = new Map<string, Set<string>>();
        const everyTable = new Set<string>();
        for (const row of privilegeRows) {
            const privilege = text(row, "PRIVILEGE").toUpperCase();
            const table = nullable(row, "TABLE_NAME");
            if (table === null) everyTable.add(privilege.replace(/ ANY TABLE$/, ""));
            else
                privileges.set(
                    String(table),
                    (privileges.get(String(table)) ?? new Set()).add(privilege),
                );
        }
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
            target.family === "decimal" &&
            (target.precision === undefined || target.precision >= 1)
        ) {
            return { level: "ok" };
        }
        if (source.family === "timestamp" && target.text === "DATE") {
            return {
                level: "warning",
                reason: `Oracle DATE drops the fractional seconds${source.zone ? " and the time zone" : ""} of ${source.text}`,
            };
        }
        return undefined;
    },
    alterColumnHint: (schema, table, column) =>
        `ALTER TABLE ${quoteOracleIdent(schema)}.${quoteOracleIdent(table)} MODIFY (${quoteOracleIdent(column)} …)`,
    async open(endpoint: TargetEndpoint) {
        const oracledb = require("oracledb") as typeof oracledbTypes;
        const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
        const connection = await oracledb.getConnection({
            user: endpoint.user,
            password: endpoint.password,
            connectString: `${host}:${endpoint.port}/${endpoint.database}`,
            connectTimeout: 10,
            transportConnectTimeout: 10,
        });
        connection.callTimeout = 30_000;
        return oracleCatalogSession(connection as unknown as OracleCatalogConnection);
    },
};

/** The part of an oracledb connection the catalog reader uses (a recording client implements it). */
export interface OracleCatalogConnection {
    execute<T>(
        sql: string,
        binds: unknown[],
        options: { outFormat?: number },
    ): Promise<{ rows?: T[] }>;
    close(): Promise<void>;
}

/** A catalog session over an oracledb-like connection. */
export function oracleCatalogSession(connection: OracleCatalogConnection) {
    return {
        run: async (sql: string, params: readonly unknown[]) =>
            (
                await connection.execute<Record<string, unknown>>(sql, [...params], {
                    outFormat: OUT_FORMAT_OBJECT,
                })
            ).rows ?? [],
        close: () => connection.close().catch(() => undefined),
    };
}
