/**
 * PostgreSQL target: catalog queries modelled on the replicator's schema watcher
 * (`internal/target/schemawatch`): the database is looked up in pg_database (`unknown schema`
 * when absent) and tables/columns are read from `"<db>".information_schema`, which PostgreSQL
 * only allows for the connected database — so a path naming another existing database fails
 * with PostgreSQL's cross-database error, as it does for the real replicator.
 */
import { Pool } from "pg";
import { PlannedStatement, statementError } from "./applyPlan";
import { TargetColumn, TargetTable, quoteIdent } from "./applyStatements";
import { TargetDatabase } from "./target";
import { quotedName } from "./webhookPath";

export class PostgresTarget implements TargetDatabase {
    readonly product = "postgresql" as const;

    private constructor(private readonly pool: Pool) {}

    static async open(connection: string): Promise<PostgresTarget> {
        const url = new URL(connection.replace(/^[a-z]+:\/\//i, "postgres://"));
        if (!url.searchParams.has("application_name")) {
            url.searchParams.set("application_name", "replicator");
        }
        const pool = new Pool({
            connectionString: url.toString(),
            max: 4,
            connectionTimeoutMillis: 10_000,
            statement_timeout: 30_000,
            idleTimeoutMillis: 1_000,
        });
        pool.on("error", () => undefined);
        try {
            const { rows } = await pool.query<{ version: string }>("SELECT version() AS version");
            const version = rows[0]?.version ?? "";
            if (!version.startsWith("PostgreSQL") && !version.startsWith("CockroachDB")) {
                throw new Error(`unknown product for version: ${version}`);
            }
        } catch (err) {
            await pool.end();
            throw err;
        }
        return new PostgresTarget(pool);
    }

    async ping(): Promise<void> {
        await this.pool.query("SELECT 1");
    }

    async tables(schema: ReadonlyArray<string>): Promise<TargetTable[]> {
        const [db = "", schemaName = ""] = schema;
        const found = await this.pool.query<{ datname: string }>(
            "SELECT datname FROM pg_database WHERE lower(datname) = lower($1) ORDER BY datname = $1 DESC LIMIT 1",
            [db],
        );
        const dbName = found.rows[0]?.datname;
        if (dbName === undefined) throw new Error(`unknown schema: ${quotedName(schema)}`);
        const catalog = quoteIdent(dbName);
        const tables = await this.pool.query<{ table_schema: string; table_name: string }>(
            `SELECT table_schema, table_name FROM ${catalog}.information_schema.tables
              WHERE table_catalog = $1 AND lower(table_schema) = lower($2) AND table_type = 'BASE TABLE'
              ORDER BY table_name`,
            [dbName, schemaName],
        );
        const out: TargetTable[] = [];
        for (const t of tables.rows) {
            out.push({
                parts: [dbName, t.table_schema, t.table_name],
                columns: await this.columns(catalog, dbName, t.table_schema, t.table_name),
            });
        }
        return out;
    }

    private async columns(
        catalog: string,
        db: string,
        schema: string,
        table: string,
    ): Promise<TargetColumn[]> {
        const { rows } = await this.pool.query<{
            column_name: string;
            is_pk: boolean;
            udt_schema: string;
            udt_name: string;
            ignored: boolean;
        }>(
            `WITH pk_constraints AS (
                SELECT table_catalog, table_schema, table_name, constraint_name
                  FROM ${catalog}.information_schema.table_constraints
                 WHERE constraint_type = 'PRIMARY KEY'),
             pks AS (
                SELECT table_catalog, table_schema, table_name, column_name, ordinal_position
                  FROM ${catalog}.information_schema.key_column_usage
                  JOIN pk_constraints USING (table_catalog, table_schema, table_name, constraint_name))
             SELECT c.column_name, pks.ordinal_position IS NOT NULL AS is_pk, c.udt_schema, c.udt_name,
                    c.is_generated NOT IN ('NEVER', 'NO') AS ignored
               FROM ${catalog}.information_schema.columns c
               LEFT JOIN pks USING (table_catalog, table_schema, table_name, column_name)
              WHERE c.table_catalog = $1 AND c.table_schema = $2 AND c.table_name = $3
              ORDER BY COALESCE(pks.ordinal_position, 2048), c.column_name`,
            [db, schema, table],
        );
        return rows.map((r) => ({
            name: r.column_name,
            primary: r.is_pk,
            type: castType(r.udt_schema, r.udt_name),
            ignored: r.ignored,
        }));
    }

    async apply(statements: ReadonlyArray<PlannedStatement>): Promise<number[]> {
        const client = await this.pool.connect();
        try {
            await client.query("BEGIN");
            const affected: number[] = [];
            for (const s of statements) {
                try {
                    affected.push((await client.query(s.sql, s.params)).rowCount ?? 0);
                } catch (err) {
                    throw statementError(s, err);
                }
            }
            await client.query("COMMIT");
            return affected;
        } catch (err) {
            await client.query("ROLLBACK").catch(() => undefined);
            throw err;
        } finally {
            client.release();
        }
    }

    async close(): Promise<void> {
        await this.pool.end();
    }
}

/** Built-in types by their upper-case name (`INT8`, `TEXT[]`), others schema-qualified. */
function castType(udtSchema: string, udtName: string): string {
    const isArray = udtName.startsWith("_");
    const base = isArray ? udtName.slice(1) : udtName;
    const name =
        udtSchema === "pg_catalog"
            ? base.toUpperCase()
            : `${quoteIdent(udtSchema)}.${quoteIdent(base)}`;
    return isArray ? `${name}[]` : name;
}
