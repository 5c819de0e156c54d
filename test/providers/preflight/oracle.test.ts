/**
 * Preflight on Oracle through a recording client (no Oracle server here): the catalog queries
 * are checked as text with bound owner/grantee, CockroachDB names map to upper case, and the
 * Oracle rows are judged by the same rules.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { POSTGRES_ADMIN_URL, requireService } from "../../support/services";
import {
    oracleCatalogSession,
    type OracleCatalogConnection,
} from "../../../src/providers/targets/columns";
import type { TargetOpener } from "../../../src/providers/preflight/apply/run";
import { create, inputs, startCockroach, type CockroachFixture } from "./harness";

type Row = Record<string, unknown>;

const column = (table: string, name: string, type: string, extra: Row = {}): Row => ({
    TABLE_NAME: table,
    COLUMN_NAME: name,
    DATA_TYPE: type,
    DATA_LENGTH: null,
    CHAR_LENGTH: null,
    DATA_PRECISION: null,
    DATA_SCALE: null,
    NULLABLE: "Y",
    DEFAULT_LENGTH: null,
    IDENTITY_COLUMN: "NO",
    ...extra,
});

const COLUMNS: Row[] = [
    column("ORDERS", "ID", "NUMBER", { DATA_PRECISION: 19, DATA_SCALE: 0, NULLABLE: "N" }),
    column("ORDERS", "CODE", "VARCHAR2", { CHAR_LENGTH: 20, DATA_LENGTH: 20 }),
    column("ORDERS", "AMOUNT", "NUMBER", { DATA_PRECISION: 12, DATA_SCALE: 2 }),
    column("ORDERS", "PLACED_AT", "TIMESTAMP(6) WITH TIME ZONE"),
    column("ORDERS", "PAID", "NUMBER", { DATA_PRECISION: 1, DATA_SCALE: 0 }),
    column("PAYMENTS", "ID", "NUMBER", { DATA_PRECISION: 19, DATA_SCALE: 0, NULLABLE: "N" }),
    column("PAYMENTS", "REGION", "VARCHAR2", { CHAR_LENGTH: 10, NULLABLE: "N" }),
    column("PAYMENTS", "AMOUNT", "NUMBER", { DATA_PRECISION: 10, DATA_SCALE: 0 }),
];

class RecordingOracleCatalog implements OracleCatalogConnection {
    calls: { sql: string; binds: unknown[] }[] = [];
    closed = false;
    async execute<T>(sql: string, binds: unknown[]): Promise<{ rows?: T[] }> {
        this.calls.push({ sql, binds });
        const rows: Row[] = sql.includes("FROM ALL_USERS")
            ? [{ USERNAME: "APP" }]
            : sql.includes("FROM ALL_TAB_COLUMNS")
              ? COLUMNS
              : sql.includes("FROM ALL_CONSTRAINTS")
                ? [
                      { TABLE_NAME: "ORDERS", COLUMN_NAME: "ID" },
                      { TABLE_NAME: "PAYMENTS", COLUMN_NAME: "ID" },
                  ]
                : sql.includes("FROM DBA_TAB_PRIVS")
                  ? ["SELECT", "INSERT", "UPDATE", "DELETE", "FLASHBACK"].flatMap((p) => [
                        { TABLE_NAME: "ORDERS", PRIVILEGE: p },
                        { TABLE_NAME: "PAYMENTS", PRIVILEGE: p },
                    ])
                  : [];
        return { rows: rows as T[] };
    }
    async close(): Promise<void> {
        this.closed = true;
    }
}

describe("Preflight on Oracle (recording client)", () => {
    let crdb: CockroachFixture;
    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        crdb = await startCockroach();
    });
    after(async () => {
        await crdb?.stop();
    });

    const url = "oracle://admin:secret-pw@oracle.test:1521/FREEPDB1";

    function opener(db: RecordingOracleCatalog): TargetOpener {
        return async (dialect, endpoint) => {
            assert.equal(dialect, "oracle");
            assert.equal(endpoint.database, "FREEPDB1");
            return oracleCatalogSession(db);
        };
    }

    it("passes a compatible table written to its upper-case name", async () => {
        const db = new RecordingOracleCatalog();
        const result = await create(
            inputs(crdb.server, url, "APP", "REPLICATOR", ["orders"]),
            opener(db),
        );
        assert.ok(result.ok, result.ok ? "" : result.message);
        assert.deepEqual(result.outs.checkedTables, ["APP.ORDERS"]);
        assert.equal(db.calls.length, 4, "schema, columns, keys, privileges");
        assert.deepEqual(db.calls[3]!.binds, ["APP", "REPLICATOR", "REPLICATOR"]);
        assert.ok(
            db.calls.every((c) => !c.sql.includes("APP") && !c.sql.includes("REPLICATOR")),
            "names are bound, never SQL text",
        );
        assert.ok(db.closed);
    });

    it("fails a drifted table with every problem, without the password", async () => {
        const db = new RecordingOracleCatalog();
        const result = await create(
            inputs(crdb.server, url, "APP", "REPLICATOR", ["orders", "payments", "invoices"]),
            opener(db),
        );
        assert.equal(result.ok, false);
        const message = result.ok ? "" : result.message;
        assert.match(
            message,
            /ERROR \[primaryKey\] target table APP\.PAYMENTS: primary key \(ID\) differs from CockroachDB's \(region, id\)/,
        );
        assert.match(
            message,
            /ERROR \[types\] column APP\.PAYMENTS\.AMOUNT: INT8 → NUMBER\(10,0\): narrowing/,
        );
        assert.match(
            message,
            /WARNING \[types\] column APP\.PAYMENTS\.REGION: STRING → VARCHAR2\(10\)/,
        );
        assert.match(message, /ERROR \[tables\] target table APP\.INVOICES: does not exist/);
        assert.ok(!message.includes("secret-pw"));
    });
});
