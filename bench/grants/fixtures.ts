/**
 * Benchmark fixtures on the real servers: a PostgreSQL database whose schema `s` holds N tables,
 * a MariaDB database with N tables, a grantee on each, and checks that count what the grantee
 * holds (so every contender is proven to have the same effect before it is timed).
 */
import mysql = require("mysql2/promise");
import { myq, pgq, urlWith } from "../../test/support/grants/fixtures";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL } from "../../test/support/services";
import { withMysql as sessionWithMysql, withPg } from "../../test/support/sessions";

/** A short name unique to this process; only `[a-z0-9]`, so no quoting or wildcard escaping matters. */
export function benchName(prefix: string): string {
    return `${prefix}${process.pid}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** `base` with its path replaced by `/database`. */
export function withDatabase(base: string, database: string): string {
    return urlWith(base, database);
}

export { withPg };

export function withMysql<T>(url: string, work: (c: mysql.Connection) => Promise<T>): Promise<T> {
    return sessionWithMysql(work, url);
}

/** Table names `t1 … tN`. */
export function tableNames(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `t${i + 1}`);
}

export interface PostgresFixture {
    database: string;
    /** Admin URL of the fixture database. */
    url: string;
    schema: string;
    grantee: string;
    /** Role that owns the tables (the admin role connecting). */
    owner: string;
    /** Privilege pairs the grantee holds on the schema, its tables and default ACLs. */
    held(): Promise<number>;
    drop(): Promise<void>;
}

/** Creates a database with schema `s` holding `count` tables, and a NOLOGIN grantee role. */
export async function createPostgresFixture(count: number): Promise<PostgresFixture> {
    const database = benchName("benchtg");
    const grantee = benchName("benchr");
    const schema = "s";
    await withPg(POSTGRES_ADMIN_URL, async (c) => {
        await c.query(`CREATE DATABASE ${pgq(database)}`);
        await c.query(`CREATE ROLE ${pgq(grantee)} NOLOGIN`);
    });
    const url = withDatabase(POSTGRES_ADMIN_URL, database);
    const owner = await withPg(url, async (c) => {
        await c.query(`CREATE SCHEMA ${pgq(schema)}`);
        // Batches of 1,000 per transaction stay well inside the shared lock table.
        for (let from = 1; from <= count; from += 1000) {
            const to = Math.min(count, from + 999);
            await c.query(`DO $$ BEGIN FOR i IN ${from}..${to} LOOP
                EXECUTE format('CREATE TABLE s.%I (id INT8 PRIMARY KEY, v TEXT)', 't' || i);
            END LOOP; END $$`);
        }
        await c.query("ANALYZE");
        return (await c.query<{ u: string }>("SELECT current_user AS u")).rows[0]!.u;
    });
    return {
        database,
        url,
        schema,
        grantee,
        owner,
        held: () =>
            withPg(url, async (c) => {
                const result = await c.query<{ n: number }>(
                    `WITH g AS (SELECT oid FROM pg_roles WHERE rolname = $2),
                          n AS (SELECT oid, nspacl FROM pg_namespace WHERE nspname = $1)
                     SELECT ((SELECT count(*) FROM pg_class c JOIN n ON c.relnamespace = n.oid,
                                   aclexplode(c.relacl) a WHERE a.grantee = (SELECT oid FROM g))
                           + (SELECT count(*) FROM n, aclexplode(n.nspacl) a
                                   WHERE a.grantee = (SELECT oid FROM g))
                           + (SELECT count(*) FROM pg_default_acl d JOIN n
                                   ON d.defaclnamespace = n.oid, aclexplode(d.defaclacl) a
                                   WHERE a.grantee = (SELECT oid FROM g)))::int AS n`,
                    [schema, grantee],
                );
                return result.rows[0]!.n;
            }),
        async drop() {
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
                await c.query(`DROP ROLE IF EXISTS ${pgq(grantee)}`);
            });
        },
    };
}

export interface MariadbFixture {
    database: string;
    user: string;
    tables: string[];
    /** Rows in mysql.db plus rows in mysql.tables_priv for the grantee on this database. */
    held(): Promise<number>;
    drop(): Promise<void>;
}

/** Creates a database with `count` MEMORY tables (cheap to create) and a grantee `'u'@'%'`. */
export async function createMariadbFixture(count: number): Promise<MariadbFixture> {
    const database = benchName("benchtg");
    const user = benchName("benchu");
    const tables = tableNames(count);
    await withMysql(MARIADB_ADMIN_URL, async (c) => {
        await c.query(`CREATE DATABASE ${myq(database)}`);
        await c.query(`CREATE USER '${user}'@'%'`);
        for (let i = 0; i < tables.length; i += 1000) {
            const creates = tables
                .slice(i, i + 1000)
                .map(
                    (t) =>
                        `CREATE TABLE ${myq(database)}.${myq(t)} (id BIGINT PRIMARY KEY, v VARCHAR(100)) ENGINE=MEMORY`,
                );
            await c.query(creates.join(";\n"));
        }
    });
    return {
        database,
        user,
        tables,
        held: () =>
            withMysql(MARIADB_ADMIN_URL, async (c) => {
                const [rows] = await c.query(
                    `SELECT (SELECT COUNT(*) FROM mysql.db WHERE User = ? AND Db = ?)
                          + (SELECT COUNT(*) FROM mysql.tables_priv WHERE User = ? AND Db = ?) AS n`,
                    [user, database, user, database],
                );
                return Number((rows as Array<{ n: number | string }>)[0]!.n);
            }),
        async drop() {
            await withMysql(MARIADB_ADMIN_URL, async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${myq(database)}`);
                await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
            });
        },
    };
}
