import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    COLUMN_DIALECTS,
    judgeType,
    normalizeCockroachType,
} from "../../../src/providers/targets/columns";
import { normalizePgType } from "../../../src/providers/targets/columns/postgres";
import { normalizeMysqlType } from "../../../src/providers/targets/columns/mysql";
import { normalizeOracleType } from "../../../src/providers/targets/columns/oracle";

const pg = (crdb: string, target: string) =>
    judgeType(COLUMN_DIALECTS.postgres, normalizeCockroachType(crdb), normalizePgType(target))
        .level;
const my = (crdb: string, target: string) =>
    judgeType(COLUMN_DIALECTS.mysql, normalizeCockroachType(crdb), normalizeMysqlType(target))
        .level;
const ora = (crdb: string, row: Record<string, unknown>) =>
    judgeType(COLUMN_DIALECTS.oracle, normalizeCockroachType(crdb), normalizeOracleType(row)).level;

describe("type compatibility table", () => {
    it("PostgreSQL: narrowing integers, lengths and DECIMAL precision are errors; unbounded → bounded and TIMESTAMPTZ → TIMESTAMP warn", () => {
        assert.equal(pg("INT8", "bigint"), "ok");
        assert.equal(pg("INT8", "integer"), "error");
        assert.equal(pg("INT4", "bigint"), "ok");
        assert.equal(pg("INT8", "numeric(19,0)"), "ok");
        assert.equal(pg("INT8", "numeric(10,0)"), "error");
        assert.equal(pg("STRING", "text"), "ok");
        assert.equal(pg("STRING", "character varying(20)"), "warning");
        assert.equal(pg("VARCHAR(30)", "character varying(20)"), "error");
        assert.equal(pg("VARCHAR(20)", "character varying(20)"), "ok");
        assert.equal(pg("DECIMAL(10,2)", "numeric(12,2)"), "ok");
        assert.equal(pg("DECIMAL(12,2)", "numeric(10,2)"), "error");
        assert.equal(pg("DECIMAL(10,4)", "numeric(12,2)"), "warning");
        assert.equal(pg("DECIMAL", "numeric(12,2)"), "warning");
        assert.equal(pg("TIMESTAMPTZ", "timestamp with time zone"), "ok");
        assert.equal(pg("TIMESTAMPTZ", "timestamp without time zone"), "warning");
        assert.equal(pg("TIMESTAMPTZ", "date"), "error");
        assert.equal(pg("UUID", "uuid"), "ok");
        assert.equal(pg("UUID", "text"), "ok");
        assert.equal(pg("STRING", "integer"), "error");
        assert.equal(pg("JSONB", "jsonb"), "ok");
        assert.equal(pg("FLOAT8", "real"), "warning");
        assert.equal(pg("BOOL", "boolean"), "ok");
        assert.equal(pg("my_enum", "text"), "warning");
    });

    it("MySQL: TINYINT(1) takes BOOL, unsigned and narrower integers are errors, TIMESTAMP's range warns", () => {
        assert.equal(my("BOOL", "tinyint(1)"), "ok");
        assert.equal(my("INT8", "bigint(20)"), "ok");
        assert.equal(my("INT8", "int(11)"), "error");
        assert.equal(my("INT8", "bigint(20) unsigned"), "error");
        assert.equal(my("TIMESTAMPTZ", "datetime(6)"), "ok");
        assert.equal(my("TIMESTAMPTZ", "timestamp"), "warning");
        assert.equal(my("STRING", "longtext"), "ok");
        assert.equal(my("STRING", "text"), "warning");
        assert.equal(my("JSONB", "longtext"), "ok");
        assert.equal(my("BYTES", "blob"), "warning");
        assert.equal(my("BYTES", "longblob"), "ok");
    });

    it("Oracle: NUMBER precision, VARCHAR2 length, DATE and time zones", () => {
        assert.equal(ora("INT8", { DATA_TYPE: "NUMBER", DATA_PRECISION: 19, DATA_SCALE: 0 }), "ok");
        assert.equal(
            ora("INT8", { DATA_TYPE: "NUMBER", DATA_PRECISION: 10, DATA_SCALE: 0 }),
            "error",
        );
        assert.equal(ora("INT8", { DATA_TYPE: "NUMBER" }), "ok");
        assert.equal(ora("BOOL", { DATA_TYPE: "NUMBER", DATA_PRECISION: 1, DATA_SCALE: 0 }), "ok");
        assert.equal(ora("STRING", { DATA_TYPE: "CLOB" }), "ok");
        assert.equal(ora("STRING", { DATA_TYPE: "VARCHAR2", CHAR_LENGTH: 100 }), "warning");
        assert.equal(ora("TIMESTAMPTZ", { DATA_TYPE: "TIMESTAMP(6) WITH TIME ZONE" }), "ok");
        assert.equal(ora("TIMESTAMPTZ", { DATA_TYPE: "TIMESTAMP(6)" }), "warning");
        assert.equal(ora("TIMESTAMP", { DATA_TYPE: "DATE" }), "warning");
    });

    it("table names follow each dialect's stored case", () => {
        assert.equal(COLUMN_DIALECTS.oracle.targetTableName("orders"), "ORDERS");
        assert.equal(COLUMN_DIALECTS.postgres.targetTableName("Orders"), "Orders");
        assert.equal(COLUMN_DIALECTS.mysql.targetTableName("orders"), "orders");
    });
});
