/**
 * MySQL / MariaDB: identifier and string quoting, GRANT/REVOKE statement text, session set-up
 * and the privilege catalog query.
 */
import {
    type CatalogSnapshot,
    type ColumnGrant,
    type GrantPair,
    type GrantTarget,
    groupByPrivileges,
} from "./types";

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

/** Database and table names are limited to 64 characters. */
export const MYSQL_MAX_IDENTIFIER_CHARS = 64;

/** Why `name` cannot be a MySQL database or table name, or undefined when it can. */
export function mysqlIdentifierProblem(name: string): string | undefined {
    if (name.length === 0) return "must not be empty";
    if (name.includes("\0")) return "must not contain a NUL character";
    if (/ $/.test(name)) return "must not end with a space (MySQL rejects such names)";
    if ([...name].length > MYSQL_MAX_IDENTIFIER_CHARS) {
        return `is longer than ${MYSQL_MAX_IDENTIFIER_CHARS} characters`;
    }
    return undefined;
}

/** Quotes an identifier with backticks, doubling every inner backtick. */
export function quoteMysqlIdent(name: string): string {
    if (name.length === 0 || name.includes("\0")) {
        throw new Error("invalid MySQL identifier: empty or contains a NUL character");
    }
    return "`" + name.replace(/`/g, "``") + "`";
}

/**
 * Quotes a string literal: single quotes around it, inner `'` doubled, `\` doubled, NUL as `\0`.
 * Correct only when the session's sql_mode lacks NO_BACKSLASH_ESCAPES, which
 * {@link MYSQL_SESSION_SETUP} guarantees.
 */
export function quoteMysqlString(value: string): string {
    return "'" + value.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/\0/g, "\\0") + "'";
}

/** The account `'user'@'host'`. */
export function mysqlAccount(user: string, host: string): string {
    return `${quoteMysqlString(user)}@${quoteMysqlString(host)}`;
}

/**
 * The database part of a `db.*` grant. In `GRANT … ON db.*`, `_` and `%` are wildcards (a grant
 * on `app_db.*` would also cover `appXdb`), so they are escaped with `\` unless the server runs
 * with `partial_revokes` on (MySQL 8), where the name is taken literally.
 */
export function mysqlDatabasePattern(database: string, partialRevokes: boolean): string {
    return partialRevokes ? database : database.replace(/[\\_%]/g, (c) => `\\${c}`);
}

/** Options the statements depend on. */
export interface MysqlGrantOptions {
    /** Server setting `partial_revokes` (MySQL 8); MariaDB has none (false). */
    partialRevokes: boolean;
}

/** GRANT statements: `db.*` grants first, then one statement per table. */
export function mysqlGrantStatements(
    pairs: readonly GrantPair[],
    target: GrantTarget,
    options: MysqlGrantOptions,
): string[] {
    return mysqlStatements(pairs, target, options, "GRANT");
}

/** REVOKE statements for `pairs`: one per table, then the `db.*` ones. */
export function mysqlRevokeStatements(
    pairs: readonly GrantPair[],
    target: GrantTarget,
    options: MysqlGrantOptions,
): string[] {
    return mysqlStatements(pairs, target, options, "REVOKE").reverse();
}

function mysqlStatements(
    pairs: readonly GrantPair[],
    target: GrantTarget,
    options: MysqlGrantOptions,
    verb: "GRANT" | "REVOKE",
): string[] {
    const account = mysqlAccount(target.grantee, target.granteeHost ?? "%");
    const toFrom = verb === "GRANT" ? "TO" : "FROM";
    const out: string[] = [];
    const databasePairs = pairs.filter((p) => p.kind === "database");
    for (const group of groupByPrivileges(databasePairs, MYSQL_TABLE_PRIVILEGES)) {
        for (const db of group.objects) {
            const pattern = quoteMysqlIdent(mysqlDatabasePattern(db, options.partialRevokes));
            out.push(`${verb} ${group.privileges.join(", ")} ON ${pattern}.* ${toFrom} ${account}`);
        }
    }
    const tablePairs = pairs.filter((p) => p.kind === "table");
    const database = quoteMysqlIdent(target.schema);
    for (const group of groupByPrivileges(tablePairs, MYSQL_TABLE_PRIVILEGES)) {
        for (const table of group.objects) {
            out.push(
                `${verb} ${group.privileges.join(", ")} ON ${database}.${quoteMysqlIdent(table)} ${toFrom} ${account}`,
            );
        }
    }
    return out;
}

/**
 * `GRANT privilege (columns) ON db.table TO account`, one per table and privilege: restores
 * column privileges after a table-level REVOKE of the same privilege, which MySQL and MariaDB
 * apply to the table's column privileges too.
 */
export function mysqlColumnGrantStatements(
    grants: readonly ColumnGrant[],
    target: GrantTarget,
): string[] {
    const account = mysqlAccount(target.grantee, target.granteeHost ?? "%");
    const groups = new Map<string, { grant: ColumnGrant; columns: string[] }>();
    for (const grant of grants) {
        const key = JSON.stringify([grant.table, grant.privilege]);
        const group = groups.get(key) ?? { grant, columns: [] };
        if (!group.columns.includes(grant.column)) group.columns.push(grant.column);
        groups.set(key, group);
    }
    return [...groups.values()].map(
        ({ grant, columns }) =>
            `GRANT ${grant.privilege} (${columns.map(quoteMysqlIdent).join(", ")}) ON ` +
            `${quoteMysqlIdent(target.schema)}.${quoteMysqlIdent(grant.table)} TO ${account}`,
    );
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

const TABLES_PART = `SELECT 'table', ${nameColumn("TABLE_NAME")}, TABLE_TYPE = 'BASE TABLE', 0, ${nameColumn("''")}
  FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`;

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
 * One query (parameters: see {@link mysqlCatalogParams}) returning: whether the database and
 * account exist and the current user; every table of the database; the account's `db.*` row for
 * the exact database pattern; its table-level privileges in the database; and its column-level
 * privileges there (`columns_priv`, which a table-level REVOKE also clears).
 */
export const MYSQL_CATALOG_QUERY = `${META_PART}
UNION ALL
${TABLES_PART}
UNION ALL
${PRIVILEGES_PART}`;

/**
 * {@link MYSQL_CATALOG_QUERY} without the table list (the snapshot's `tables` stays empty). The
 * list comes from `information_schema.TABLES`, which opens every table's definition to tell base
 * tables from views (≈ 100 ms at 10,000 tables); the privilege part reads only the account's
 * rows of `mysql.db` and `mysql.tables_priv`. Parameters: `mysqlCatalogParams(…, false)`.
 */
export const MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY = `${META_PART}
UNION ALL
${PRIVILEGES_PART}`;

/**
 * Bind values for {@link MYSQL_CATALOG_QUERY} or, with `listTables` false,
 * {@link MYSQL_PRIVILEGES_ONLY_CATALOG_QUERY}.
 */
export function mysqlCatalogParams(
    target: GrantTarget,
    partialRevokes: boolean,
    listTables = true,
): string[] {
    const user = target.grantee;
    const host = target.granteeHost ?? "%";
    const pattern = mysqlDatabasePattern(target.schema, partialRevokes);
    return [
        target.schema,
        user,
        host,
        ...(listTables ? [target.schema] : []),
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

/** A row of {@link MYSQL_CATALOG_QUERY}. */
export interface MysqlCatalogRow {
    kind: string;
    name: string;
    schema_count: number | string;
    grantee_count: number | string;
    privs: string;
}

/** Turns the rows of {@link MYSQL_CATALOG_QUERY} into a snapshot (`db.*` rows under the schema name). */
export function parseMysqlCatalog(
    rows: readonly MysqlCatalogRow[],
    schema: string,
): CatalogSnapshot {
    const snapshot: CatalogSnapshot = {
        schemaExists: false,
        granteeExists: false,
        currentUser: "",
        tables: [],
        held: [],
        columns: [],
    };
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
            case "table":
                snapshot.tables.push({
                    name: row.name,
                    owner: null,
                    baseTable: Number(row.schema_count) === 1,
                });
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

/** errno values that mean "nothing left to revoke" (grant, table, database or account gone). */
export const MYSQL_GONE_ERRNOS: ReadonlySet<number> = new Set([
    1049, // ER_BAD_DB_ERROR
    1133, // ER_PASSWORD_NO_MATCH: no such user
    1141, // ER_NONEXISTING_GRANT
    1146, // ER_NO_SUCH_TABLE
    1147, // ER_NONEXISTING_TABLE_GRANT
]);

/**
 * errno values of a statement that lost a race with another session (ER_LOCK_DEADLOCK,
 * ER_LOCK_WAIT_TIMEOUT): the batch stopped there, and re-reading the catalog and trying the rest
 * again is safe.
 */
export const MYSQL_RETRIABLE_ERRNOS: ReadonlySet<number> = new Set([1213, 1205]);

/** ER_NO_SUCH_THREAD: the connection to kill has already ended. */
export const MYSQL_NO_SUCH_THREAD_ERRNO = 1094;

/**
 * Ends another connection of the same account (any account may kill its own connections): the
 * server stops its statement batch at the next statement boundary.
 */
export function mysqlKillConnection(threadId: number): string {
    if (!Number.isSafeInteger(threadId) || threadId <= 0) {
        throw new Error(`invalid MySQL connection id ${String(threadId)}`);
    }
    return `KILL CONNECTION ${threadId}`;
}

/** Counts connections with id `?` still known to the server (killed ones linger briefly). */
export const MYSQL_CONNECTION_ALIVE_QUERY =
    "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?";

/**
 * True when `errno` is an error the server sent back (it finished with the statement batch: a
 * multi-statement batch stops at its first error). Client-side errors (CR_*, 2000–2999, such
 * as 2013 "lost connection") and negative socket errnos mean the outcome is unknown.
 */
export function mysqlServerAnswered(errno: number | undefined): boolean {
    return errno !== undefined && errno > 0 && (errno < 2000 || errno >= 3000);
}
