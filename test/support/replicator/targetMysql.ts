/**
 * MySQL/MariaDB target: like the replicator, only user, password, host, port and the database
 * path of the URL are used and every session runs with `sql_mode=ansi`. Tables come from
 * information_schema matched with `upper(table_schema) = upper(?)`; a database the user cannot
 * see simply has no tables.
 */
import mysql from "mysql2/promise";
import { PlannedStatement, statementError } from "./applyPlan";
import { TargetColumn, TargetTable } from "./applyStatements";
import { TargetDatabase } from "./target";
import { TargetProduct } from "./webhookPath";

const STATEMENT_TIMEOUT_MS = 30_000;

export class MysqlTarget implements TargetDatabase {
    private constructor(
        private readonly pool: mysql.Pool,
        readonly product: TargetProduct,
    ) {}

    static async open(connection: string): Promise<MysqlTarget> {
        const url = new URL(connection);
        const pool = mysql.createPool({
            host: url.hostname,
            port: url.port ? Number(url.port) : 3306,
            user: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
            database: decodeURIComponent(url.pathname.replace(/^\//, "")) || undefined,
            connectTimeout: 10_000,
            connectionLimit: 4,
            supportBigNumbers: true,
            bigNumberStrings: true,
        });
        try {
            const [rows] = await pool.query<mysql.RowDataPacket[]>("SELECT version() AS version");
            const version = String(rows[0]?.version ?? "");
            return new MysqlTarget(pool, version.includes("MariaDB") ? "mariadb" : "mysql");
        } catch (err) {
            await pool.end();
            throw err;
        }
    }

    async ping(): Promise<void> {
        await this.pool.query({ sql: "SELECT 1", timeout: STATEMENT_TIMEOUT_MS });
    }

    async tables(schema: ReadonlyArray<string>): Promise<TargetTable[]> {
        const [tables] = await this.pool.query<mysql.RowDataPacket[]>({
            sql: `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
                   WHERE upper(table_schema) = upper(?) AND table_type = 'BASE TABLE' ORDER BY table_name`,
            values: [schema[0] ?? ""],
            timeout: STATEMENT_TIMEOUT_MS,
        });
        const out: TargetTable[] = [];
        for (const row of tables) {
            const db = String(row.s);
            const table = String(row.t);
            out.push({ parts: [db, table], columns: await this.columns(db, table) });
        }
        return out;
    }

    private async columns(db: string, table: string): Promise<TargetColumn[]> {
        const [rows] = await this.pool.query<mysql.RowDataPacket[]>({
            sql: `SELECT c.column_name AS name, k.ordinal_position IS NOT NULL AS is_pk,
                         c.data_type AS type, c.extra IN ('STORED GENERATED', 'VIRTUAL GENERATED') AS ignored
                    FROM information_schema.columns c
                    LEFT JOIN information_schema.key_column_usage k
                      ON k.table_schema = c.table_schema AND k.table_name = c.table_name
                     AND k.column_name = c.column_name AND k.constraint_name = 'PRIMARY'
                   WHERE c.table_schema = ? AND c.table_name = ?
                   ORDER BY COALESCE(k.ordinal_position, 2048), c.column_name`,
            values: [db, table],
            timeout: STATEMENT_TIMEOUT_MS,
        });
        return rows.map((r) => ({
            name: String(r.name),
            primary: Number(r.is_pk) === 1,
            type: String(r.type),
            ignored: Number(r.ignored) === 1,
        }));
    }

    async apply(statements: ReadonlyArray<PlannedStatement>): Promise<number[]> {
        const conn = await this.pool.getConnection();
        try {
            await conn.query("SET SESSION sql_mode = 'ANSI'");
            await conn.beginTransaction();
            const affected: number[] = [];
            for (const s of statements) {
                try {
                    const [result] = await conn.query<mysql.ResultSetHeader>({
                        sql: s.sql,
                        values: s.params,
                        timeout: STATEMENT_TIMEOUT_MS,
                    });
                    affected.push(result.affectedRows);
                } catch (err) {
                    throw statementError(s, err);
                }
            }
            await conn.commit();
            return affected;
        } catch (err) {
            await conn.rollback().catch(() => undefined);
            throw err;
        } finally {
            conn.release();
        }
    }

    async close(): Promise<void> {
        await this.pool.end();
    }
}
