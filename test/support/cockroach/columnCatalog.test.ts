import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import { withCockroachColumnCatalog } from "./columnCatalog";

describe("CockroachDB test server: the column catalog the pre-flight reads", () => {
    let server: CockroachTestServer;
    let db: Client;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer();
        db = new Client({ connectionString: server.url });
        await db.connect();
        await db.query(
            "CREATE TABLE defaultdb.public.orders (id INT8 NOT NULL, region STRING NOT NULL, n INT4, " +
                "code VARCHAR(20), amount DECIMAL(10,2), plain DECIMAL, at TIMESTAMPTZ, ok BOOL, raw BYTES, " +
                "doc JSONB, u UUID, PRIMARY KEY (region, id))",
        );
    });
    after(async () => {
        await db?.end();
        await server?.stop();
    });

    it("prints CockroachDB's own type names in crdb_sql_type, with is_hidden and the database as table_catalog", async () => {
        const { rows } = await db.query(
            "SELECT table_catalog, column_name, crdb_sql_type, is_nullable, is_hidden, data_type " +
                "FROM defaultdb.information_schema.columns WHERE table_schema = $1 AND table_name = ANY($2::TEXT[]) " +
                "ORDER BY ordinal_position",
            ["public", ["orders"]],
        );
        assert.deepEqual(
            rows.map((r) => [r.column_name, r.crdb_sql_type, r.is_nullable]),
            [
                ["id", "INT8", "NO"],
                ["region", "STRING", "NO"],
                ["n", "INT4", "YES"],
                ["code", "VARCHAR(20)", "YES"],
                ["amount", "DECIMAL(10,2)", "YES"],
                ["plain", "DECIMAL", "YES"],
                ["at", "TIMESTAMPTZ", "YES"],
                ["ok", "BOOL", "YES"],
                ["raw", "BYTES", "YES"],
                ["doc", "JSONB", "YES"],
                ["u", "UUID", "YES"],
            ],
        );
        assert.ok(rows.every((r) => r.table_catalog === "defaultdb" && r.is_hidden === "NO"));
        assert.equal(rows[0].data_type, "bigint", "data_type keeps the PostgreSQL-compatible name");
    });

    it("answers the primary key through table_constraints and key_column_usage, in key order", async () => {
        const { rows } = await db.query(
            "SELECT k.column_name FROM defaultdb.information_schema.table_constraints AS c " +
                "JOIN defaultdb.information_schema.key_column_usage AS k ON k.constraint_name = c.constraint_name AND k.table_name = c.table_name " +
                "WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_name = 'orders' ORDER BY k.ordinal_position",
        );
        assert.deepEqual(
            rows.map((r) => r.column_name),
            ["region", "id"],
        );
    });

    it("rewrites only the columns view, with or without an alias", () => {
        assert.match(
            withCockroachColumnCatalog("SELECT 1 FROM information_schema.columns WHERE true", "d"),
            /\) AS columns WHERE/,
        );
        assert.match(
            withCockroachColumnCatalog("SELECT 1 FROM information_schema.columns AS x", "d"),
            /\) AS x$/,
        );
        assert.equal(
            withCockroachColumnCatalog("SELECT 1 FROM information_schema.tables", "d"),
            "SELECT 1 FROM information_schema.tables",
        );
    });
});
