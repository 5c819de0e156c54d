/**
 * MySQL / MariaDB: identifier and string quoting, GRANT/REVOKE statement text, and the dialect
 * object (catalog in `mysqlCatalog.ts`, codes in `mysqlCodes.ts`, driver in `mysqlSession.ts`).
 */
import { RESOLVED_AT_APPLY } from "../kernel/previewSql";
import {
    type PlannedChange,
    type RenderedChange,
    type RenderOptions,
    defineDialect,
} from "./dialect";
import { MYSQL_TABLE_PRIVILEGES, mysqlDatabasePattern, quoteMysqlIdent } from "./mysqlCatalog";
import { MYSQL_GONE_ERRNOS, MYSQL_RETRIABLE_ERRNOS, mysqlServerAnswered } from "./mysqlCodes";
import { openMysqlSession } from "./mysqlSession";
import { errorCodes } from "./session";
import {
    type ColumnGrant,
    type GrantTarget,
    type PlannedPair,
    groupByPrivileges,
    nameText,
    qualifiedName,
} from "./types";

export { MYSQL_TABLE_PRIVILEGES, mysqlDatabasePattern };

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

/** Options the statements depend on. */
export interface MysqlGrantOptions {
    /** Server setting `partial_revokes` (MySQL 8); MariaDB has none (false). */
    partialRevokes: boolean;
}

/** GRANT statements: `db.*` grants first, then one statement per table. */
export function mysqlGrantStatements(
    pairs: readonly PlannedPair[],
    target: GrantTarget,
    options: MysqlGrantOptions,
): string[] {
    return mysqlStatements(pairs, target, options, "GRANT");
}

/** REVOKE statements for `pairs`: one per table, then the `db.*` ones. */
export function mysqlRevokeStatements(
    pairs: readonly PlannedPair[],
    target: GrantTarget,
    options: MysqlGrantOptions,
): string[] {
    // Tables before `db.*` (the reverse of the grants), but tables in the grants' own order:
    // MariaDB revokes 10,000 table grants in descending name order at about half the speed
    // (docs/target-grants.md, "MySQL / MariaDB specifics").
    const of = (kind: PlannedPair["kind"]) =>
        mysqlStatements(
            pairs.filter((p) => p.kind === kind),
            target,
            options,
            "REVOKE",
        );
    return [...of("table"), ...of("database")];
}

function mysqlStatements(
    pairs: readonly PlannedPair[],
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
            const pattern =
                typeof db === "string"
                    ? quoteMysqlIdent(mysqlDatabasePattern(db, options.partialRevokes))
                    : nameText(db, quoteMysqlIdent);
            out.push(`${verb} ${group.privileges.join(", ")} ON ${pattern}.* ${toFrom} ${account}`);
        }
    }
    const tablePairs = pairs.filter((p) => p.kind === "table");
    for (const group of groupByPrivileges(tablePairs, MYSQL_TABLE_PRIVILEGES)) {
        for (const table of group.objects) {
            const name = qualifiedName(target.schema, table, quoteMysqlIdent);
            out.push(`${verb} ${group.privileges.join(", ")} ON ${name} ${toFrom} ${account}`);
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

/** MySQL user names: MariaDB allows 80 characters, MySQL 8 allows 32 (the server enforces that). */
function mysqlUserProblem(name: string): string | undefined {
    if (name.includes("\0")) return "must not contain a NUL character";
    if ([...name].length > 80) return "is longer than 80 characters";
    return undefined;
}

function renderMysqlChange(
    change: PlannedChange,
    target: GrantTarget,
    options: RenderOptions,
): RenderedChange {
    return {
        revokes: [
            ...mysqlRevokeStatements(change.toRevoke, target, options),
            ...mysqlColumnGrantStatements(options.restoreColumns ?? [], target),
        ],
        grants: mysqlGrantStatements(change.toGrant, target, options),
    };
}

/** MySQL and MariaDB as a target. */
export const mysql = defineDialect({
    name: "mysql",
    label: "MySQL/MariaDB",
    schemes: ["mysql:"],
    defaultPort: 3306,
    urlExample: "mysql://user:password@host:3306/",
    urlPath: "ignored",
    acceptedParameters: ["ssl"],
    schemaWord: "database",
    accountHost: true,
    scope: {
        schemaUsage: false,
        wholeDatabase: true,
        tablesRequired: false,
        defaultPrivileges: false,
    },
    tablePrivileges: MYSQL_TABLE_PRIVILEGES,
    defaultPrivileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    identifierProblem: mysqlIdentifierProblem,
    granteeProblem: mysqlUserProblem,
    describeGrantee: (target) =>
        `account ${JSON.stringify(target.grantee)}@${JSON.stringify(target.granteeHost)}`,
    renderChange: renderMysqlChange,
    statementNote: (sql, schema) =>
        /\.\* (TO|FROM) /.test(sql) && /[_%]/.test(schema)
            ? `\`_\` and \`%\` in the database name are escaped unless partial_revokes is ON (${RESOLVED_AT_APPLY})`
            : undefined,
    offlineRevokeNote: "MySQL 8 with partial_revokes writes db.* names escaped; same privileges",
    catalogReadDescription:
        "session set-up (sql_mode without NO_BACKSLASH_ESCAPES, lock_wait_timeout, SHOW VARIABLES LIKE 'partial_revokes'), " +
        "then one catalog query: the database, the account, its tables and the privileges the account holds",
    // A `db.*` grant is one row of `mysql.db` whatever the table count: listing the tables costs
    // about as much as the whole GRANT at 1,000 tables and ten times it at 10,000.
    changeReadListsTables: (tablesListed) => tablesListed,
    openSession: openMysqlSession,
    serverAnswered: (err) => mysqlServerAnswered(errorCodes(err).errno),
    isRetriable: (err) => {
        const { errno } = errorCodes(err);
        return errno !== undefined && MYSQL_RETRIABLE_ERRNOS.has(errno);
    },
    isGone: (err) => {
        const { errno } = errorCodes(err);
        return errno !== undefined && MYSQL_GONE_ERRNOS.has(errno);
    },
    revokeOneByOne: true,
    failback: {
        database: "isSchema",
        replicatorSchemes: ["mysql:"],
        targetSchemaParts: (_database, schema) => [schema],
        schemaPlaceholders: ["<database>"],
        shortName: "MySQL",
        article: "a",
        oracleBuild: false,
    },
});
