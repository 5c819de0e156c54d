/**
 * The full privilege snapshot of MySQL/MariaDB accounts and databases, for "destroy leaves the
 * server as found" assertions: the accounts' global rows (`mysql.global_priv`, which `mysql.user`
 * is a view of on MariaDB 10.4+; `mysql.user` elsewhere), their role mappings
 * (`mysql.roles_mapping` on MariaDB), and every row of `mysql.db`, `mysql.tables_priv`,
 * `mysql.columns_priv` and `mysql.procs_priv` that names one of the accounts or databases, plus
 * `SHOW GRANTS` for each account.
 *
 * Equal means equal: every column of every row is compared, except the `Timestamp` columns of
 * `tables_priv` and `columns_priv`, which record when a row was last written (not a privilege;
 * MySQL rewrites it on every GRANT/REVOKE that touches the row). `Grantor` in `tables_priv` and
 * `procs_priv` IS compared. In `SHOW GRANTS` lines the column list of a column privilege
 * (``SELECT (`id`, `pub`)``) is sorted: the server prints it in the order of its in-memory hash of
 * the columns, which depends on the order the grants were made, not on what is granted (the
 * `columns_priv` rows, compared exactly, hold the same facts). Privilege tables are server-wide and other test suites change them
 * concurrently, so the snapshot is limited to the given accounts and databases.
 */
import type mysql = require("mysql2/promise");
import { withMysql } from "../sessions";

export interface MysqlSnapshotScope {
    /** Accounts as `{ user, host }`; their global, database, table and column rows are read. */
    accounts: readonly { user: string; host: string }[];
    /** Databases whose rows in `db`, `tables_priv`, `columns_priv` are read for every account. */
    databases: readonly string[];
}

const DROPPED_COLUMNS = new Set(["Timestamp"]);

function line(table: string, row: Record<string, unknown>): string {
    const fields = Object.entries(row)
        .filter(([column]) => !DROPPED_COLUMNS.has(column))
        .map(([column, value]) => {
            const text = Buffer.isBuffer(value)
                ? value.toString("utf8")
                : value !== null && typeof value === "object" && !(value instanceof Date)
                  ? JSON.stringify(value)
                  : String(value);
            return `${column}=${JSON.stringify(text)}`;
        });
    return `${table} ${fields.join(" ")}`;
}

/** Sorts every parenthesised list of backquoted column names in a SHOW GRANTS line. */
function sortColumnLists(line: string): string {
    return line.replace(/\((`(?:[^`]|``)*`(?:, `(?:[^`]|``)*`)*)\)/g, (_, list: string) => {
        const columns = list.match(/`(?:[^`]|``)*`/g) ?? [];
        return `(${[...columns].sort().join(", ")})`;
    });
}

async function tableExists(conn: mysql.Connection, table: string): Promise<boolean> {
    const [rows] = await conn.query(
        "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = ?",
        [table],
    );
    return Number((rows as { n: number }[])[0]?.n ?? 0) > 0;
}

/** The snapshot of `scope` on the server `url` points at, as sorted lines. */
export async function snapshotMysql(url: string, scope: MysqlSnapshotScope): Promise<string[]> {
    return withMysql(
        async (conn) => {
            const out: string[] = [];
            const accountMatch = (userColumn: string, hostColumn: string) =>
                scope.accounts.length === 0
                    ? "FALSE"
                    : scope.accounts
                          .map(() => `(${userColumn} = ? AND ${hostColumn} = ?)`)
                          .join(" OR ");
            const accountParams = scope.accounts.flatMap((a) => [a.user, a.host]);
            const dbMatch =
                scope.databases.length === 0
                    ? "FALSE"
                    : `Db IN (${scope.databases.map(() => "?").join(", ")})`;
            const read = async (table: string, where: string, params: unknown[]) => {
                const [rows] = await conn.query(
                    `SELECT * FROM mysql.${table} WHERE ${where}`,
                    params,
                );
                for (const row of rows as Record<string, unknown>[]) out.push(line(table, row));
            };
            const globalTable = (await tableExists(conn, "global_priv")) ? "global_priv" : "user";
            await read(globalTable, accountMatch("User", "Host"), accountParams);
            if (await tableExists(conn, "roles_mapping")) {
                await read("roles_mapping", accountMatch("User", "Host"), accountParams);
            }
            for (const table of ["db", "tables_priv", "columns_priv", "procs_priv"]) {
                await read(table, `(${accountMatch("User", "Host")}) OR ${dbMatch}`, [
                    ...accountParams,
                    ...scope.databases,
                ]);
            }
            for (const account of scope.accounts) {
                try {
                    const [rows] = await conn.query("SHOW GRANTS FOR ?@?", [
                        account.user,
                        account.host,
                    ]);
                    for (const row of rows as Record<string, string>[]) {
                        out.push(`show-grants ${sortColumnLists(String(Object.values(row)[0]))}`);
                    }
                } catch (err) {
                    // ER_NONEXISTING_GRANT: the account does not exist (recorded as such).
                    if ((err as { errno?: number }).errno !== 1141) throw err;
                    out.push(`show-grants ${account.user}@${account.host} does not exist`);
                }
            }
            return out.sort();
        },
        url,
        { connectTimeoutMs: 5000 },
    );
}
