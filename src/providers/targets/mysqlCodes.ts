/** MySQL / MariaDB error numbers the provider classifies, and ending a lost connection. */

/** errno values that mean "nothing left to revoke" (grant, table, database or account gone). */
export const MYSQL_GONE_ERRNOS: ReadonlySet<number> = new Set([
    1049, // ER_BAD_DB_ERROR
    1133, // ER_PASSWORD_NO_MATCH: no such user
    1141, // ER_NONEXISTING_GRANT
    1146, // ER_NO_SUCH_TABLE
    1147, // ER_NONEXISTING_TABLE_GRANT
]);

/**
 * errno values of `SHOW FULL TABLES FROM db` (`mysqlTableListStatement`) meaning "no table of
 * this database is visible".
 */
export const MYSQL_TABLE_LIST_NOTHING_VISIBLE_ERRNOS: ReadonlySet<number> = new Set([
    1049, // ER_BAD_DB_ERROR: unknown database
    1044, // ER_DBACCESS_DENIED_ERROR: the account sees nothing in it
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
