/**
 * PostgreSQL: identifier rules and quoting, GRANT/REVOKE statement text, and the dialect object
 * (catalog in `postgresCatalog.ts`, codes in `postgresCodes.ts`, driver in `postgresSession.ts`).
 */
import {
    type PlannedChange,
    type RenderedChange,
    type RenderOptions,
    defineDialect,
} from "./dialect";
import {
    PG_DEPENDENT_PRIVILEGES_EXIST,
    PG_GONE_SQLSTATES,
    PG_INSUFFICIENT_PRIVILEGE,
    pgRetriable,
    pgServerAnswered,
} from "./postgresCodes";
import { openPostgresSession } from "./postgresSession";
import { errorCodes, errorText } from "./session";
import {
    type CatalogSnapshot,
    type ColumnGrant,
    type GrantTarget,
    type PlannedName,
    type PlannedPair,
    groupByPrivileges,
    isAtApply,
    nameText,
} from "./types";

/** Privileges PostgreSQL accepts on tables (`GRANT … ON TABLE`). */
export const PG_TABLE_PRIVILEGES = [
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
] as const;

/** Table privileges of newer PostgreSQL versions: accepted, checked against the server at apply. */
export const PG_LATER_TABLE_PRIVILEGES = ["MAINTAIN"] as const;

/** Table privileges that need a newer server than the oldest one supported, by `server_version_num`. */
const PG_PRIVILEGE_SINCE: Readonly<Record<string, number>> = { MAINTAIN: 170000 };

/** `server_version_num` as a version: 170002 → `17.2`. */
function pgVersionText(versionNum: number): string {
    return `${Math.floor(versionNum / 10000)}.${versionNum % 10000}`;
}

/** Privileges the server cannot grant because they are newer than it (e.g. MAINTAIN before 17). */
function pgServerPrivilegeProblems(
    privileges: readonly string[],
    snapshot: CatalogSnapshot,
): string[] {
    const version = snapshot.serverVersion;
    if (version === undefined) return [];
    return privileges
        .filter((p) => (PG_PRIVILEGE_SINCE[p] ?? 0) > version)
        .map(
            (p) =>
                `the table privilege ${p} needs PostgreSQL ${pgVersionText(PG_PRIVILEGE_SINCE[p] ?? 0)} ` +
                `or later and this server runs PostgreSQL ${pgVersionText(version)}. Fix: remove ` +
                `${p} from \`privileges\`, or upgrade the server`,
        );
}

/** Identifiers longer than this many bytes are silently truncated by PostgreSQL (NAMEDATALEN-1). */
export const PG_MAX_IDENTIFIER_BYTES = 63;

/** Why `name` cannot be a PostgreSQL identifier, or undefined when it can. */
export function pgIdentifierProblem(name: string): string | undefined {
    if (name.length === 0) return "must not be empty";
    if (name.includes("\0")) return "must not contain a NUL character";
    const bytes = Buffer.byteLength(name, "utf8");
    if (bytes > PG_MAX_IDENTIFIER_BYTES) {
        return `is ${bytes} bytes long; PostgreSQL truncates names to ${PG_MAX_IDENTIFIER_BYTES} bytes`;
    }
    return undefined;
}

/** Quotes an identifier: double quotes around it, every inner double quote doubled. */
export function quotePgIdent(name: string): string {
    const problem = pgIdentifierProblem(name);
    if (problem) throw new Error(`invalid PostgreSQL identifier: ${problem}`);
    return `"${name.replace(/"/g, '""')}"`;
}

/** How many tables one GRANT/REVOKE names at most (keeps each statement a readable size). */
const TABLES_PER_STATEMENT = 500;

/**
 * GRANT statements for `pairs`: schema USAGE first, then tables (one statement per distinct
 * privilege list, naming up to 500 tables), then default privileges per owner.
 */
export function pgGrantStatements(pairs: readonly PlannedPair[], target: GrantTarget): string[] {
    return pgStatements(pairs, target, "GRANT");
}

/** What revoke statements depend on beyond the pairs themselves. */
export interface PgRevokeContext {
    /** The role the admin connection runs as (`current_user`). */
    currentUser: string;
    /**
     * True when a plain REVOKE (or GRANT) by the connection on `object` (a table name, or the
     * schema for kind `schema`) already acts as `grantor`: the grantor is the connection's role,
     * or the object's owner and the connection is a superuser or has the owner's privileges.
     * Otherwise the statements run inside `SET ROLE grantor`.
     */
    actsAs: (grantor: string, kind: "schema" | "table", object: string) => boolean;
    /** Column privileges a table-level REVOKE below removes, to grant again right after it. */
    restoreColumns: readonly ColumnGrant[];
}

/**
 * REVOKE statements for `pairs`, in the reverse order of {@link pgGrantStatements}. PostgreSQL
 * REVOKE removes only the revoker's own grants (a superuser revokes as the object's owner), so
 * pairs recorded with a grantor other than `context.currentUser` are revoked inside
 * `SET ROLE grantor … RESET ROLE` (allowed to superusers and members of the grantor; otherwise
 * the server refuses the whole transaction). A table-level REVOKE also removes the same
 * privilege granted on single columns by the same grantor: `context.restoreColumns` are granted
 * again, as their grantor, after the table-level REVOKEs. Everything runs in one transaction.
 */
export function pgRevokeStatements(
    pairs: readonly PlannedPair[],
    target: GrantTarget,
    context?: PgRevokeContext,
): string[] {
    if (!context) return pgStatements(pairs, target, "REVOKE").reverse();
    const asRole = (grantor: string | undefined, statements: string[]): string[] =>
        statements.length === 0 || grantor === undefined
            ? statements
            : [`SET ROLE ${quotePgIdent(grantor)}`, ...statements, "RESET ROLE"];
    const out = pgStatements(
        pairs.filter((p) => p.kind === "defaultTables"),
        target,
        "REVOKE",
    ).reverse();
    /** Role to SET for a statement on `object` granted by `grantor`; undefined: none needed. */
    const roleFor = (grantor: string | undefined, kind: "schema" | "table", object: PlannedName) =>
        grantor === undefined || typeof object !== "string" || context.actsAs(grantor, kind, object)
            ? undefined
            : grantor;
    const byRole = new Map<string | undefined, PlannedPair[]>();
    for (const pair of pairs) {
        if (pair.kind !== "schema" && pair.kind !== "table") continue;
        const role = roleFor(pair.grantor, pair.kind, pair.object);
        const list = byRole.get(role) ?? [];
        list.push(pair);
        byRole.set(role, list);
    }
    for (const [role, list] of byRole) {
        out.push(...asRole(role, pgStatements(list, target, "REVOKE").reverse()));
    }
    const restoreBy = new Map<string | undefined, ColumnGrant[]>();
    for (const grant of context.restoreColumns) {
        const role = roleFor(grant.grantor, "table", grant.table);
        const list = restoreBy.get(role) ?? [];
        list.push(grant);
        restoreBy.set(role, list);
    }
    for (const [role, list] of restoreBy) {
        out.push(...asRole(role, pgColumnGrantStatements(list, target)));
    }
    return out;
}

/** `GRANT privilege (columns) ON TABLE … TO grantee [WITH GRANT OPTION]`, one per table/privilege. */
export function pgColumnGrantStatements(
    grants: readonly ColumnGrant[],
    target: GrantTarget,
): string[] {
    const groups = new Map<string, { grant: ColumnGrant; columns: string[] }>();
    for (const grant of grants) {
        const key = JSON.stringify([grant.table, grant.privilege, grant.grantable ?? false]);
        const group = groups.get(key) ?? { grant, columns: [] };
        if (!group.columns.includes(grant.column)) group.columns.push(grant.column);
        groups.set(key, group);
    }
    return [...groups.values()].map(
        ({ grant, columns }) =>
            `GRANT ${grant.privilege} (${columns.map(quotePgIdent).join(", ")}) ON TABLE ` +
            `${quotePgIdent(target.schema)}.${quotePgIdent(grant.table)} TO ` +
            `${quotePgIdent(target.grantee)}${grant.grantable ? " WITH GRANT OPTION" : ""}`,
    );
}

function pgStatements(
    pairs: readonly PlannedPair[],
    target: GrantTarget,
    verb: "GRANT" | "REVOKE",
): string[] {
    const schema = quotePgIdent(target.schema);
    const grantee = nameText(target.grantee, quotePgIdent);
    const toFrom = verb === "GRANT" ? "TO" : "FROM";
    const order = [...PG_TABLE_PRIVILEGES, ...PG_LATER_TABLE_PRIVILEGES, "USAGE"];
    const out: string[] = [];
    for (const group of groupByPrivileges(pairs, order, "schema")) {
        for (const object of group.objects) {
            out.push(
                `${verb} ${group.privileges.join(", ")} ON SCHEMA ${nameText(object, quotePgIdent)} ${toFrom} ${grantee}`,
            );
        }
    }
    for (const group of groupByPrivileges(pairs, order, "table")) {
        for (let i = 0; i < group.objects.length; i += TABLES_PER_STATEMENT) {
            const tables = group.objects
                .slice(i, i + TABLES_PER_STATEMENT)
                .map((t) =>
                    isAtApply(t) ? nameText(t, quotePgIdent) : `${schema}.${quotePgIdent(t)}`,
                )
                .join(", ");
            out.push(
                `${verb} ${group.privileges.join(", ")} ON TABLE ${tables} ${toFrom} ${grantee}`,
            );
        }
    }
    for (const group of groupByPrivileges(pairs, order, "defaultTables")) {
        for (const owner of group.objects) {
            out.push(
                `ALTER DEFAULT PRIVILEGES FOR ROLE ${nameText(owner, quotePgIdent)} IN SCHEMA ${schema} ` +
                    `${verb} ${group.privileges.join(", ")} ON TABLES ${toFrom} ${grantee}`,
            );
        }
    }
    return out;
}

/**
 * Whether a plain statement by the connection on an object acts as `grantor`: the grantor is the
 * connection's role, or it owns the object and the connection is a superuser or has the owner's
 * privileges (PostgreSQL then records/revokes grants as the owner's).
 */
export function actsAsGrantor(
    snapshot: CatalogSnapshot,
): (grantor: string, kind: "schema" | "table", object: string) => boolean {
    // Built at the first question: a change without revokes asks none.
    let owners: Map<string, string | null> | undefined;
    const actsAsOwner = new Set(snapshot.actsAsOwners ?? []);
    return (grantor, kind, object) => {
        if (grantor === snapshot.currentUser) return true;
        owners ??= new Map(snapshot.tables.map((t) => [t.name, t.owner]));
        const owner = kind === "schema" ? snapshot.schemaOwner : owners.get(object);
        return owner === grantor && (snapshot.superuser === true || actsAsOwner.has(grantor));
    };
}

function renderPgChange(
    change: PlannedChange,
    target: GrantTarget,
    options: RenderOptions,
): RenderedChange {
    return {
        revokes: pgRevokeStatements(
            change.toRevoke,
            target,
            options.snapshot === undefined
                ? undefined
                : {
                      currentUser: options.snapshot.currentUser,
                      actsAs: actsAsGrantor(options.snapshot),
                      restoreColumns: options.restoreColumns ?? [],
                  },
        ),
        grants: pgGrantStatements(change.toGrant, target),
    };
}

/** `"a", "b"` */
function names(list: Iterable<string>): string {
    return [...new Set(list)].map((n) => JSON.stringify(n)).join(", ");
}

/**
 * A change the server refused because the connection cannot act as a recorded grantor (`SET
 * ROLE` denied), or because a REVOKE would cascade into column grants passed on: an error naming
 * the fix. Undefined for any other error.
 */
function pgRefusal(
    revoked: readonly PlannedPair[],
    snapshot: CatalogSnapshot,
    err: unknown,
): Error | undefined {
    const { code } = errorCodes(err);
    if (code === PG_DEPENDENT_PRIVILEGES_EXIST) {
        return dependentColumnGrantsRefusal(revoked, snapshot, err);
    }
    if (code !== PG_INSUFFICIENT_PRIVILEGE) return undefined;
    const others = revoked.filter((p) => p.grantor && p.grantor !== snapshot.currentUser);
    if (others.length === 0) return undefined;
    const grantors = names(others.map((p) => p.grantor as string));
    return new Error(
        `${errorText(err)}; TargetGrants must revoke the privileges granted by ${grantors} as ` +
            `that role (PostgreSQL REVOKE removes only the revoker's own grants), and this ` +
            `connection's role ${JSON.stringify(snapshot.currentUser)} cannot SET ROLE to it. Fix: ` +
            `set \`connection\` to ${grantors}, a member of it or a superuser, and run again; ` +
            "nothing was changed",
    );
}

/**
 * PostgreSQL refused a table-level REVOKE because it also removes the grantee's column
 * privileges of the same privilege and grantor, and the grantee holds one of them WITH GRANT
 * OPTION and has passed it on. Revoking with CASCADE would take the dependent grants away from
 * other roles, so the change stops (nothing changed) and names the column privileges and the fix.
 */
function dependentColumnGrantsRefusal(
    revoked: readonly PlannedPair[],
    snapshot: CatalogSnapshot,
    err: unknown,
): Error {
    const revokedTables = new Set(
        revoked
            .filter((p) => p.kind === "table" && typeof p.object === "string")
            .map((p) => `${String(p.object)}\0${p.privilege}`),
    );
    const passedOn = (snapshot.columns ?? []).filter(
        (c) => c.grantable && revokedTables.has(`${c.table}\0${c.privilege}`),
    );
    const what =
        passedOn.length > 0
            ? passedOn
                  .slice(0, 5)
                  .map(
                      (c) =>
                          `${c.privilege} (${JSON.stringify(c.column)}) on ${JSON.stringify(c.table)}`,
                  )
                  .join(", ") + (passedOn.length > 5 ? ` and ${passedOn.length - 5} more` : "")
            : "a column privilege";
    return new Error(
        `${errorText(err)}: revoking the table-level privileges this resource granted also ` +
            `removes the grantee's column privileges ${what}, which it holds WITH GRANT OPTION ` +
            "and has granted on to other roles; PostgreSQL refuses that without CASCADE, and " +
            "TargetGrants never cascades into other roles' privileges. Nothing was changed and " +
            "the privileges stay recorded in state. Fix: revoke the grants the grantee made from " +
            "those columns (grant them again afterwards if they are still wanted), then run again",
    );
}

/** PostgreSQL as a target. */
export const postgres = defineDialect({
    name: "postgres",
    label: "PostgreSQL",
    schemes: ["postgres:", "postgresql:"],
    defaultPort: 5432,
    urlExample: "postgres://user:password@host:5432/database?sslmode=verify-full",
    acceptedParameters: [
        "sslmode",
        "ssl",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslpassword",
        "application_name",
    ],
    dclIsTransactional: true,
    scope: {
        schemaUsage: true,
        wholeDatabase: false,
        tablesRequired: false,
        defaultPrivileges: true,
    },
    tablePrivileges: PG_TABLE_PRIVILEGES,
    laterPrivileges: PG_LATER_TABLE_PRIVILEGES,
    defaultPrivileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    identifierProblem: pgIdentifierProblem,
    serverPrivilegeProblems: pgServerPrivilegeProblems,
    renderChange: renderPgChange,
    catalogReadDescription:
        "one catalog query: the schema, the grantee, every table with its owner, and the privileges the grantee holds",
    openSession: openPostgresSession,
    serverAnswered: (err) => pgServerAnswered(errorCodes(err).code),
    isRetriable: (err) => pgRetriable(errorCodes(err).code, errorText(err)),
    isGone: (err) => {
        const { code } = errorCodes(err);
        return code !== undefined && PG_GONE_SQLSTATES.has(code);
    },
    grantorRule: "PostgreSQL REVOKE removes only the revoker's own grants",
    grantorFixHint: " (or a member of it, or a superuser)",
    refusal: pgRefusal,
    failback: {
        database: "required",
        replicatorSchemes: ["postgres:", "postgresql:", "pg:", "pgx:"],
        targetSchemaParts: (database, schema) => [database ?? "", schema],
        schemaPlaceholders: ["<database>", "<schema>"],
        shortName: "PostgreSQL",
        article: "a",
        oracleBuild: false,
    },
});
