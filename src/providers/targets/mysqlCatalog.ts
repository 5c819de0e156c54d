/**
 * MySQL / MariaDB privilege catalog: the table privileges, the session set-up, the one query that
 * reads the catalog and its parser.
 */
import { type CatalogSnapshot, type GrantTarget, emptySnapshot } from "./types";

/** Privileges MySQL/MariaDB accept both on `db.*` and on a single table. */
export const MYSQL_TABLE_PRIVILEGES = [
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "REFERENCES",
    "INDEX",
    "ALTER",
    "CREATE VIEW",
    "SHOW VIEW",
    "TRIGGER",
] as const;

/** Column of `mysql.db` that holds each privilege. */
const DB_PRIVILEGE_COLUMNS: Record<(typeof MYSQL_TABLE_PRIVILEGES)[number], string> = {
    SELECT: "Select_priv",
    INSERT: "Insert_priv",
    UPDATE: "Update_priv",
    DELETE: "Delete_priv",
    CREATE: "Create_priv",
    DROP: "Drop_priv",
    REFERENCES: "References_priv",
    INDEX: "Index_priv",
    ALTER: "Alter_priv",
    "CREATE VIEW": "Create_view_priv",
    "SHOW VIEW": "Show_view_priv",
    TRIGGER: "Trigger_priv",
};

/**
 * The database part of a `db.*` grant. In `GRANT … ON db.*`, `_` and `%` are wildcards (a grant
 * on `app_db.*` would also cover `appXdb`), so they are escaped with `\` unless the server runs
 * with `partial_revokes` on (MySQL 8), where the name is taken literally.
 */
export function mysqlDatabasePattern(database: string, partialRevokes: boolean): string {
    return partialRevokes ? database : database.replace(/[\\_%]/g, (c) => `\\${c}`);
}

/** Seconds a GRANT may wait for a metadata lock before failing. */
export const MYSQL_LOCK_WAIT_SECONDS = 30;

/**
 * Run once per connection, in one round trip: takes NO_BACKSLASH_ESCAPES out of the session's
 * sql_mode (so {@link quoteMysqlString} and driver-escaped parameters mean what they say), bounds
 * metadata-lock waits, and reports `partial_revokes` (one row on MySQL 8, none on MariaDB).
 */
export const MYSQL_SESSION_SETUP =
    "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), " +
    `',NO_BACKSLASH_ESCAPES,', ',')), SESSION lock_wait_timeout = ${MYSQL_LOCK_WAIT_SECONDS};\n` +
    "SHOW VARIABLES LIKE 'partial_revokes'";

const nameColumn = (expr: string) => `CONVERT(${expr} USING utf8mb4) COLLATE utf8mb4_bin`;

const META_PART = `SELECT 'meta' AS kind, ${nameColumn("CURRENT_USER()")} AS name,
  (SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?) AS schema_count,
  (SELECT COUNT(*) FROM mysql.user WHERE User = ? AND Host = ?) AS grantee_count,
  ${nameColumn("''")} AS privs`;

const PRIVILEGES_PART = `SELECT 'database', ${nameColumn("Db")}, 0, 0, ${nameColumn(
    `CONCAT_WS(',', ${Object.entries(DB_PRIVILEGE_COLUMNS)
        .map(([privilege, column]) => `IF(${column} = 'Y', '${privilege}', NULL)`)
        .join(", ")})`,
)}
  FROM mysql.db WHERE User = ? AND Host = ? AND Db = ?
UNION ALL
SELECT 'table_priv', ${nameColumn("Table_name")}, 0, 0, ${nameColumn("Table_priv")}
  FROM mysql.tables_priv WHERE User = ? AND Host = ? AND Db = ?
UNION ALL
SELECT 'column_priv', ${nameColumn("JSON_ARRAY(Table_name, Column_name)")}, 0, 0, ${nameColumn("Column_priv")}
  FROM mysql.columns_priv WHERE User = ? AND Host = ? AND Db = ?`;

/**
 * The privilege catalog of one account in one database (parameters: {@link mysqlCatalogParams}):
 * whether the database and the account exist, the current user, the account's `db.*` row for
 * the exact database pattern, its table-level privileges there and its column-level ones
 * (`columns_priv`, which a table-level REVOKE also clears). The snapshot's `tables` stays empty:
 * the session lists the tables, when it must, with {@link mysqlTableListStatement} in the same
 * round trip.
 */
export const MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY = `${META_PART}
UNION ALL
${PRIVILEGES_PART}`;

/** Bind values for {@link MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY}. */
export function mysqlCatalogParams(target: GrantTarget, partialRevokes: boolean): string[] {
    const user = target.grantee;
    const host = target.granteeHost ?? "%";
    const pattern = mysqlDatabasePattern(target.schema, partialRevokes);
    return [
        target.schema,
        user,
        host,
        user,
        host,
        pattern,
        user,
        host,
        target.schema,
        user,
        host,
        target.schema,
    ];
}

/** A row of {@link MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY}. */
export interface MysqlCatalogRow {
    kind: string;
    name: string;
    schema_count: number | string;
    grantee_count: number | string;
    privs: string;
}

/** Turns the rows of {@link MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY} into a snapshot (`db.*` rows under the schema name). */
export function parseMysqlCatalog(
    rows: readonly MysqlCatalogRow[],
    schema: string,
): CatalogSnapshot {
    const snapshot = emptySnapshot();
    const privilegesOf = (text: string) =>
        text
            .split(",")
            .map((p) => p.trim().toUpperCase())
            .filter((p) => p.length > 0);
    for (const row of rows) {
        switch (row.kind) {
            case "meta":
                snapshot.currentUser = row.name;
                snapshot.schemaExists = Number(row.schema_count) > 0;
                snapshot.granteeExists = Number(row.grantee_count) > 0;
                break;
            case "database":
                for (const privilege of privilegesOf(row.privs)) {
                    snapshot.held.push({ kind: "database", object: schema, privilege });
                }
                break;
            case "table_priv":
                for (const privilege of privilegesOf(row.privs)) {
                    snapshot.held.push({ kind: "table", object: row.name, privilege });
                }
                break;
            case "column_priv": {
                const [table, column] = JSON.parse(row.name) as [string, string];
                for (const privilege of privilegesOf(row.privs)) {
                    snapshot.columns?.push({ table, column, privilege });
                }
                break;
            }
        }
    }
    return snapshot;
}

/** Quotes an identifier with backticks, doubling every inner backtick. */
export function quoteMysqlIdent(name: string): string {
    if (name.length === 0 || name.includes("\0")) {
        throw new Error("invalid MySQL identifier: empty or contains a NUL character");
    }
    return "`" + name.replace(/`/g, "``") + "`";
}

/**
 * The tables of `schema` with their type (`SHOW FULL TABLES`: name, then `BASE TABLE`, `VIEW`,
 * `SEQUENCE` or `SYSTEM VERSIONED`). It lists what `information_schema.TABLES` lists for the
 * connecting account, at about half the cost on MariaDB at 10,000 tables: the information
 * schema opens every table's definition to fill `TABLE_TYPE`, SHOW reads only the type
 * (docs/target-grants.md, "Reading the catalog"). It fails (ER_BAD_DB_ERROR, ER_DBACCESS_DENIED)
 * where the information schema would list nothing.
 */
export function mysqlTableListStatement(schema: string): string {
    return `SHOW FULL TABLES FROM ${quoteMysqlIdent(schema)}`;
}

/** Adds the rows of {@link mysqlTableListStatement} to `snapshot.tables`. */
export function addListedTables(
    snapshot: CatalogSnapshot,
    rows: readonly Record<string, unknown>[],
): void {
    for (const row of rows) {
        // The first column is named after the database (`Tables_in_<db>`): read by position.
        const [name, type] = Object.values(row);
        snapshot.tables.push({ name: String(name), owner: null, baseTable: type === "BASE TABLE" });
    }
}
