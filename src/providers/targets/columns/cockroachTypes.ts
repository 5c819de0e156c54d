/**
 * CockroachDB's own type names (`information_schema.columns.crdb_sql_type`, the text of
 * `types.T.SQLString()`: INT8, STRING(20), DECIMAL(10,2), TIMESTAMPTZ, …) normalized for the
 * compatibility table. docs/cockroachdb-behaviour.md, "Column catalog".
 */
import type { NormalizedType } from "./types";

const INT_BITS: Record<string, number> = {
    INT2: 16,
    SMALLINT: 16,
    INT4: 32,
    INT8: 64,
    INT: 64,
    INTEGER: 64,
    BIGINT: 64,
};

/** Normalizes a CockroachDB type name; unknown names (enums, geometry, …) become `other`. */
export function normalizeCockroachType(text: string): NormalizedType {
    const raw = text.trim();
    const upper = raw.toUpperCase();
    if (upper.endsWith("[]")) return { family: "array", text: raw };
    const match = /^([A-Z0-9 ]+?)\s*(?:\((\d+)(?:\s*,\s*(\d+))?\))?$/.exec(upper);
    const name = match?.[1]?.trim() ?? upper;
    const first = match?.[2] !== undefined ? Number(match[2]) : undefined;
    const second = match?.[3] !== undefined ? Number(match[3]) : undefined;
    const bits = INT_BITS[name];
    if (bits !== undefined) return { family: "int", text: raw, bits };
    switch (name) {
        case "DECIMAL":
        case "NUMERIC":
            return {
                family: "decimal",
                text: raw,
                ...(first !== undefined ? { precision: first, scale: second ?? 0 } : {}),
            };
        case "FLOAT8":
        case "FLOAT":
        case "DOUBLE PRECISION":
            return { family: "float", text: raw, floatBytes: 8 };
        case "FLOAT4":
        case "REAL":
            return { family: "float", text: raw, floatBytes: 4 };
        case "STRING":
        case "TEXT":
        case "VARCHAR":
        case "CHAR":
        case "CHARACTER":
        case "CHARACTER VARYING":
        case "NAME":
        case "CITEXT":
            return {
                family: "string",
                text: raw,
                ...(first !== undefined
                    ? { length: first }
                    : name === "CHAR" || name === "CHARACTER"
                      ? { length: 1 }
                      : {}),
            };
        case "BYTES":
        case "BYTEA":
            return { family: "bytes", text: raw };
        case "BOOL":
        case "BOOLEAN":
            return { family: "bool", text: raw };
        case "TIMESTAMPTZ":
            return { family: "timestamp", text: raw, zone: true };
        case "TIMESTAMP":
            return { family: "timestamp", text: raw, zone: false };
        case "DATE":
            return { family: "date", text: raw };
        case "TIME":
            return { family: "time", text: raw, zone: false };
        case "TIMETZ":
            return { family: "time", text: raw, zone: true };
        case "UUID":
            return { family: "uuid", text: raw };
        case "JSONB":
        case "JSON":
            return { family: "json", text: raw };
        case "INTERVAL":
            return { family: "interval", text: raw };
        case "INET":
            return { family: "inet", text: raw };
        default:
            return { family: "other", text: raw };
    }
}
