/**
 * Oracle: identifier quoting, GRANT/REVOKE statement text (sent together as one anonymous
 * PL/SQL block, so any number of tables costs one round trip) and the privilege catalog query.
 *
 * Names are always double-quoted, so they are case-sensitive: an unquoted name such as
 * `orders` is stored by Oracle as `ORDERS`, and must be given here in that stored form.
 * Oracle identifiers cannot contain a double quote or NUL at all (quoted or not).
 */
import {
    type PlannedChange,
    type RenderedChange,
    type RenderOptions,
    defineDialect,
} from "./dialect";
import { ORACLE_NOT_GRANTOR, oracleChangeBlock, oracleServerAnswered } from "./oracleCatalog";
import { oracleSessionOpener } from "./oracleSession";
import { errorCodes } from "./session";
import {
    type GrantTarget,
    type PlannedPair,
    groupByPrivileges,
    nameText,
    qualifiedName,
} from "./types";

/** Object privileges Oracle accepts on a table that make sense for a replication target. */
export const ORACLE_TABLE_PRIVILEGES = [
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "FLASHBACK",
    "READ",
    "ALTER",
    "INDEX",
    "REFERENCES",
] as const;

/** Longest identifier (bytes) Oracle 12.2+ accepts. */
export const ORACLE_MAX_IDENTIFIER_BYTES = 128;

/** Why `name` cannot be an Oracle identifier, or undefined when it can. */
export function oracleIdentifierProblem(name: string): string | undefined {
    if (name.length === 0) return "must not be empty";
    if (name.includes('"')) return "must not contain a double quote (Oracle identifiers cannot)";
    if (name.includes("\0")) return "must not contain a NUL character";
    const bytes = Buffer.byteLength(name, "utf8");
    if (bytes > ORACLE_MAX_IDENTIFIER_BYTES) {
        return `is ${bytes} bytes long; Oracle allows ${ORACLE_MAX_IDENTIFIER_BYTES}`;
    }
    return undefined;
}

/** Quotes an identifier with double quotes (exact, case-sensitive name). */
export function quoteOracleIdent(name: string): string {
    const problem = oracleIdentifierProblem(name);
    if (problem) throw new Error(`invalid Oracle identifier: ${problem}`);
    return `"${name}"`;
}

/** One GRANT per table (Oracle grants on one object per statement). */
export function oracleGrantStatements(
    pairs: readonly PlannedPair[],
    target: GrantTarget,
): string[] {
    return oracleStatements(pairs, target, "GRANT");
}

/** One REVOKE per table. */
export function oracleRevokeStatements(
    pairs: readonly PlannedPair[],
    target: GrantTarget,
): string[] {
    return oracleStatements(pairs, target, "REVOKE");
}

function oracleStatements(
    pairs: readonly PlannedPair[],
    target: GrantTarget,
    verb: "GRANT" | "REVOKE",
): string[] {
    const grantee = nameText(target.grantee, quoteOracleIdent);
    const toFrom = verb === "GRANT" ? "TO" : "FROM";
    const tablePairs = pairs.filter((p) => p.kind === "table");
    const out: string[] = [];
    for (const group of groupByPrivileges(tablePairs, ORACLE_TABLE_PRIVILEGES)) {
        for (const table of group.objects) {
            const name = qualifiedName(target.schema, table, quoteOracleIdent);
            out.push(`${verb} ${group.privileges.join(", ")} ON ${name} ${toFrom} ${grantee}`);
        }
    }
    return out;
}

function renderOracleChange(
    change: PlannedChange,
    target: GrantTarget,
    _options: RenderOptions,
): RenderedChange {
    return {
        revokes: oracleRevokeStatements(change.toRevoke, target),
        grants: oracleGrantStatements(change.toGrant, target),
    };
}

/** Oracle as a target. */
export const oracle = defineDialect({
    name: "oracle",
    label: "Oracle",
    schemes: ["oracle:"],
    defaultPort: 1521,
    urlExample: "oracle://user:password@host:1521/SERVICE",
    urlPath: "service",
    urlProblems: (url) => [
        ...(url.pathname.replace(/^\//, "")
            ? []
            : [
                  "needs the Oracle service name as its path, e.g. oracle://user:password@host:1521/FREEPDB1",
              ]),
        ...(url.username ? [] : ["needs a user name for Oracle"]),
    ],
    nameCase: "upper",
    schemaWord: "owning schema (user)",
    scope: {
        schemaUsage: false,
        wholeDatabase: false,
        tablesRequired: true,
        defaultPrivileges: false,
    },
    tablePrivileges: ORACLE_TABLE_PRIVILEGES,
    defaultPrivileges: ["SELECT", "INSERT", "UPDATE", "DELETE", "FLASHBACK"],
    identifierProblem: oracleIdentifierProblem,
    renderChange: renderOracleChange,
    asOneBlock: oracleChangeBlock,
    catalogReadDescription:
        "one catalog query: the owner, the grantee, the owner's tables and the grantee's privileges on them",
    openSession: (connection, options) => oracleSessionOpener()(connection, options),
    serverAnswered: (err) => oracleServerAnswered(errorCodes(err).errno),
    grantorRule: "Oracle lets only the grantor revoke an object privilege (ORA-01927)",
    isNotGrantor: (err) => errorCodes(err).errno === ORACLE_NOT_GRANTOR,
    failback: {
        database: "unused",
        replicatorSchemes: ["oracle:", "ora:"],
        targetSchemaParts: (_database, schema) => [schema],
        schemaPlaceholders: ["<SCHEMA>"],
        shortName: "Oracle",
        article: "an",
        oracleBuild: true,
    },
});
