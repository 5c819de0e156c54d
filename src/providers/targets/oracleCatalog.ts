/**
 * Oracle privilege catalog and change block: the one query that reads the catalog, its parser,
 * the PL/SQL block that carries a whole change, and the error codes the provider classifies.
 */
import { type CatalogSnapshot, emptySnapshot } from "./types";

/** A PL/SQL string literal: single quotes around it, every inner single quote doubled. */
export function plsqlString(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
}

/**
 * ORA- codes a REVOKE may raise when there is nothing left to revoke: ORA-00942 table gone,
 * ORA-01917/01918/01919 user or role gone. NOT ORA-01927 ("cannot REVOKE privileges you did not
 * grant"): the provider revokes only pairs the catalog shows held, so ORA-01927 means they are
 * held from another grantor — Oracle lets only the grantor revoke an object privilege — and the
 * privilege is still there.
 */
export const ORACLE_GONE_CODES = [942, 1917, 1918, 1919] as const;

/** ORA-01927: cannot REVOKE privileges you did not grant. */
export const ORACLE_NOT_GRANTOR = 1927;

/**
 * One anonymous PL/SQL block that runs every REVOKE (ignoring only the "already gone" codes) and
 * then every GRANT (the first failing GRANT stops the block; grants before it stay, as Oracle DDL
 * commits itself). Each statement is built from quoted identifiers and passed to
 * `EXECUTE IMMEDIATE` as a PL/SQL string literal.
 */
export function oracleChangeBlock(revokes: readonly string[], grants: readonly string[]): string {
    const gone = ORACLE_GONE_CODES.map((c) => `-${c}`).join(", ");
    const lines = [
        ...revokes.map(
            (s) =>
                `  BEGIN EXECUTE IMMEDIATE ${plsqlString(s)}; ` +
                `EXCEPTION WHEN OTHERS THEN IF SQLCODE NOT IN (${gone}) THEN RAISE; END IF; END;`,
        ),
        ...grants.map((s) => `  EXECUTE IMMEDIATE ${plsqlString(s)};`),
    ];
    return `BEGIN\n${lines.join("\n")}\nEND;`;
}

/**
 * One query (binds `:owner`, `:grantee`) returning whether the owner and grantee exist, the
 * session user, the owner's tables and the grantee's direct privileges on them. Reads
 * DBA_TAB_PRIVS and DBA_ROLES, so the admin user needs SELECT_CATALOG_ROLE (or SELECT ANY
 * DICTIONARY).
 */
export const ORACLE_CATALOG_QUERY = `SELECT 'meta' AS KIND, SYS_CONTEXT('USERENV', 'SESSION_USER') AS NAME, NULL AS PRIV, NULL AS GRANTOR,
  (SELECT COUNT(*) FROM ALL_USERS WHERE USERNAME = :owner) AS OWNER_COUNT,
  (SELECT COUNT(*) FROM ALL_USERS WHERE USERNAME = :grantee)
    + (SELECT COUNT(*) FROM DBA_ROLES WHERE ROLE = :grantee) AS GRANTEE_COUNT
FROM DUAL
UNION ALL
SELECT 'table', TABLE_NAME, NULL, NULL, 0, 0 FROM ALL_TABLES WHERE OWNER = :owner
UNION ALL
SELECT 'grant', TABLE_NAME, PRIVILEGE, GRANTOR, 0, 0 FROM DBA_TAB_PRIVS WHERE OWNER = :owner AND GRANTEE = :grantee`;

/** A row of {@link ORACLE_CATALOG_QUERY} (oracledb returns upper-case column names). */
export interface OracleCatalogRow {
    KIND: string;
    NAME: string;
    PRIV: string | null;
    GRANTOR: string | null;
    OWNER_COUNT: number;
    GRANTEE_COUNT: number;
}

/** Turns the rows of {@link ORACLE_CATALOG_QUERY} into a snapshot. */
export function parseOracleCatalog(rows: readonly OracleCatalogRow[]): CatalogSnapshot {
    const snapshot = emptySnapshot();
    for (const row of rows) {
        if (row.KIND === "meta") {
            snapshot.currentUser = row.NAME;
            snapshot.schemaExists = Number(row.OWNER_COUNT) > 0;
            snapshot.granteeExists = Number(row.GRANTEE_COUNT) > 0;
        } else if (row.KIND === "table") {
            snapshot.tables.push({ name: row.NAME, owner: null, baseTable: true });
        } else if (row.KIND === "grant" && row.PRIV) {
            snapshot.held.push({
                kind: "table",
                object: row.NAME,
                privilege: row.PRIV,
                ...(row.GRANTOR ? { grantor: row.GRANTOR } : {}),
            });
        }
    }
    return snapshot;
}

/**
 * ORA- codes that mean the connection broke (the call's outcome is unknown): ORA-00028 session
 * killed, ORA-01012 not logged on, ORA-03113 end-of-file on communication channel, ORA-03114
 * not connected, ORA-03135 connection lost contact, ORA-12170/12537/12547/12570 network errors.
 */
export const ORACLE_CONNECTION_LOST_CODES: ReadonlySet<number> = new Set([
    28, 1012, 3113, 3114, 3135, 12170, 12537, 12547, 12570,
]);

/**
 * True when `errorNum` is an ORA- error the server sent back for the call (the PL/SQL block ran
 * until that error), as opposed to a broken connection or a client-side error (NJS-/DPY-, which
 * carry no ORA- number).
 */
export function oracleServerAnswered(errorNum: number | undefined): boolean {
    return errorNum !== undefined && errorNum > 0 && !ORACLE_CONNECTION_LOST_CODES.has(errorNum);
}
