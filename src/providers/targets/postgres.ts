/**
 * PostgreSQL: identifier quoting, GRANT/REVOKE statement text and the privilege catalog query.
 */
import {
    type CatalogSnapshot,
    type ColumnGrant,
    type GrantPair,
    type GrantTarget,
    groupByPrivileges,
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
export function pgGrantStatements(pairs: readonly GrantPair[], target: GrantTarget): string[] {
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
    pairs: readonly GrantPair[],
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
    const roleFor = (grantor: string | undefined, kind: "schema" | "table", object: string) =>
        grantor === undefined || context.actsAs(grantor, kind, object) ? undefined : grantor;
    const byRole = new Map<string | undefined, GrantPair[]>();
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

/**
 * A string literal in the `E'…'` form, whose meaning does not depend on the server's
 * `standard_conforming_strings` (backslashes and quotes doubled). Names never contain NUL.
 */
export function pgLiteral(text: string): string {
    return `E'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/**
 * {@link PG_CATALOG_QUERY} for `target` with its parameters written as literals, so it can end a
 * multi-statement change batch (the simple query protocol has no parameters) and report, in the
 * same transaction and round trip, what the change left in the catalog.
 */
export function pgCatalogQueryFor(target: GrantTarget): string {
    // One pass with a function: text inside a name ("$2", "$&") is never read as a placeholder
    // or a replacement pattern.
    return PG_CATALOG_QUERY.replace(/\$([12])\b/g, (_, n: string) =>
        pgLiteral(n === "1" ? target.schema : target.grantee),
    );
}

function pgStatements(
    pairs: readonly GrantPair[],
    target: GrantTarget,
    verb: "GRANT" | "REVOKE",
): string[] {
    const schema = quotePgIdent(target.schema);
    const grantee = quotePgIdent(target.grantee);
    const toFrom = verb === "GRANT" ? "TO" : "FROM";
    const order = [...PG_TABLE_PRIVILEGES, "USAGE"];
    const of = (kind: GrantPair["kind"]) => pairs.filter((p) => p.kind === kind);
    const out: string[] = [];
    for (const group of groupByPrivileges(of("schema"), order)) {
        for (const object of group.objects) {
            out.push(
                `${verb} ${group.privileges.join(", ")} ON SCHEMA ${quotePgIdent(object)} ${toFrom} ${grantee}`,
            );
        }
    }
    for (const group of groupByPrivileges(of("table"), order)) {
        for (let i = 0; i < group.objects.length; i += TABLES_PER_STATEMENT) {
            const tables = group.objects
                .slice(i, i + TABLES_PER_STATEMENT)
                .map((t) => `${schema}.${quotePgIdent(t)}`)
                .join(", ");
            out.push(
                `${verb} ${group.privileges.join(", ")} ON TABLE ${tables} ${toFrom} ${grantee}`,
            );
        }
    }
    for (const group of groupByPrivileges(of("defaultTables"), order)) {
        for (const owner of group.objects) {
            out.push(
                `ALTER DEFAULT PRIVILEGES FOR ROLE ${quotePgIdent(owner)} IN SCHEMA ${schema} ` +
                    `${verb} ${group.privileges.join(", ")} ON TABLES ${toFrom} ${grantee}`,
            );
        }
    }
    return out;
}

/**
 * One query that returns everything the provider needs about `$1` (schema) and `$2` (grantee):
 * whether both exist, the connecting role (whether it is a superuser, and which owners of the
 * schema or its relations it has the privileges of: a REVOKE by it acts as those owners), the
 * schema's owner, every relation with its owner,
 * and the privileges the grantee holds directly on the schema, each relation, single columns of
 * each relation (`attacl`), and the default ACLs for tables — the schema's own and the
 * database-wide ones (`defaclnamespace = 0`, kind `default_global`). Each privilege comes as
 * `PRIVILEGE:grantor` (columns: `PRIVILEGE:t|f:grantor`, with the grant option), since a REVOKE
 * removes only the revoker's grants. A NULL ACL means the owner's implicit privileges
 * (`acldefault`).
 *
 * Relations are read once (`r`); their ACLs are exploded once per DISTINCT ACL value (`held`, a
 * handful in a typical schema where tables share their grants) instead of once per relation, and
 * joined back. `aclitem[]` equality compares grantee, grantor and privilege bits, so relations with
 * equal ACLs hold exactly the same privileges. `OFFSET 0` keeps `held` from being inlined (the
 * planner would otherwise evaluate its sub-select per relation again); `MATERIALIZED` would need
 * PostgreSQL 12.
 */
export const PG_CATALOG_QUERY = `WITH g AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2),
n AS (SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.pg_namespace WHERE nspname = $1),
r AS (SELECT c.oid, c.relname, c.relowner, c.relkind, COALESCE(c.relacl, acldefault('r', c.relowner)) AS acl
      FROM pg_catalog.pg_class c JOIN n ON c.relnamespace = n.oid
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')),
held AS (SELECT u.acl,
                ARRAY(SELECT a.privilege_type || ':' || pg_catalog.pg_get_userbyid(a.grantor)
                      FROM aclexplode(u.acl) a JOIN g ON a.grantee = g.oid) AS privileges
         FROM (SELECT DISTINCT acl FROM r) u OFFSET 0)
SELECT 'meta' AS kind, current_user::text AS name,
       (SELECT pg_catalog.pg_get_userbyid(n.nspowner)::text FROM n) AS owner,
       (SELECT CASE WHEN rolsuper THEN 'superuser' END FROM pg_catalog.pg_roles WHERE rolname = current_user) AS relkind,
       EXISTS (SELECT 1 FROM n) AS schema_exists, EXISTS (SELECT 1 FROM g) AS grantee_exists,
       ARRAY(SELECT pg_catalog.pg_get_userbyid(o.owner)::text
             FROM (SELECT relowner AS owner FROM r UNION SELECT nspowner FROM n) o
             WHERE pg_catalog.pg_has_role(current_user, o.owner, 'USAGE')) AS privileges
UNION ALL
SELECT 'schema', n.nspname::text, NULL, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type || ':' || pg_catalog.pg_get_userbyid(a.grantor)
             FROM aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
             JOIN g ON a.grantee = g.oid)
FROM n
UNION ALL
SELECT 'relation', r.relname::text, pg_catalog.pg_get_userbyid(r.relowner)::text, r.relkind::text, NULL, NULL,
       held.privileges
FROM r JOIN held ON held.acl = r.acl
UNION ALL
SELECT 'column', r.relname::text, att.attname::text, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type || ':' || CASE WHEN a.is_grantable THEN 't' ELSE 'f' END || ':' ||
                    pg_catalog.pg_get_userbyid(a.grantor)
             FROM aclexplode(att.attacl) a JOIN g ON a.grantee = g.oid)
FROM r JOIN pg_catalog.pg_attribute att ON att.attrelid = r.oid
WHERE att.attacl IS NOT NULL AND att.attnum > 0 AND NOT att.attisdropped
UNION ALL
SELECT CASE WHEN d.defaclnamespace = 0 THEN 'default_global' ELSE 'default' END,
       pg_catalog.pg_get_userbyid(d.defaclrole)::text, NULL, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type || ':' || pg_catalog.pg_get_userbyid(a.grantor)
             FROM aclexplode(d.defaclacl) a JOIN g ON a.grantee = g.oid)
FROM pg_catalog.pg_default_acl d
WHERE d.defaclobjtype = 'r' AND (d.defaclnamespace = 0 OR d.defaclnamespace IN (SELECT oid FROM n))`;

/** A row of {@link PG_CATALOG_QUERY}. */
export interface PgCatalogRow {
    kind: string;
    name: string;
    owner: string | null;
    relkind: string | null;
    schema_exists: boolean | null;
    grantee_exists: boolean | null;
    privileges: string[] | null;
}

/** Splits `PRIVILEGE:grantor` (the grantor name may itself contain colons). */
function splitPrivilege(text: string): { privilege: string; grantor: string } {
    const at = text.indexOf(":");
    return at < 0
        ? { privilege: text, grantor: "" }
        : { privilege: text.slice(0, at), grantor: text.slice(at + 1) };
}

/** Turns the rows of {@link PG_CATALOG_QUERY} into a snapshot. */
export function parsePgCatalog(rows: readonly PgCatalogRow[]): CatalogSnapshot {
    const snapshot: CatalogSnapshot = {
        schemaExists: false,
        granteeExists: false,
        currentUser: "",
        tables: [],
        held: [],
        columns: [],
    };
    const add = (kind: GrantPair["kind"], object: string, entries: string[], global = false) => {
        for (const entry of entries) {
            const { privilege, grantor } = splitPrivilege(entry);
            snapshot.held.push({
                kind,
                object,
                privilege,
                grantor,
                ...(global ? { scope: "database" as const } : {}),
            });
        }
    };
    for (const row of rows) {
        const privileges = row.privileges ?? [];
        switch (row.kind) {
            case "meta":
                snapshot.currentUser = row.name;
                snapshot.schemaExists = row.schema_exists === true;
                snapshot.granteeExists = row.grantee_exists === true;
                if (row.owner) snapshot.schemaOwner = row.owner;
                snapshot.superuser = row.relkind === "superuser";
                snapshot.actsAsOwners = privileges;
                break;
            case "schema":
                add("schema", row.name, privileges);
                break;
            case "relation":
                snapshot.tables.push({
                    name: row.name,
                    owner: row.owner,
                    baseTable: row.relkind === "r" || row.relkind === "p",
                });
                add("table", row.name, privileges);
                break;
            case "column":
                for (const entry of privileges) {
                    const { privilege, grantor: rest } = splitPrivilege(entry);
                    const { privilege: grantable, grantor } = splitPrivilege(rest);
                    snapshot.columns?.push({
                        table: row.name,
                        column: row.owner ?? "",
                        privilege,
                        grantor,
                        grantable: grantable === "t",
                    });
                }
                break;
            case "default":
                add("defaultTables", row.name, privileges);
                break;
            case "default_global":
                add("defaultTables", row.name, privileges, true);
                break;
        }
    }
    return snapshot;
}

/**
 * SQLSTATEs of a PostgreSQL change that lost a race with another session and was rolled back, so
 * re-reading the catalog and trying again is safe: serialization_failure, deadlock_detected, and
 * internal_error when it is "tuple concurrently updated" (two GRANTs on one object at once).
 */
export function pgRetriable(code: string | undefined, message: string): boolean {
    if (code === "40001" || code === "40P01") return true;
    return code === "XX000" && /tuple concurrently (updated|deleted)/.test(message);
}

/**
 * True when `code` is a SQLSTATE the server sent (five characters, digits and capitals), as
 * opposed to a Node socket error code such as `ECONNRESET` or `EPIPE` on the same property (no
 * SQLSTATE class starts with "E"): only then did the server answer the statement batch.
 */
export function pgServerAnswered(code: string | undefined): boolean {
    return code !== undefined && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code);
}

/** insufficient_privilege: e.g. SET ROLE to a role the connection is not a member of. */
export const PG_INSUFFICIENT_PRIVILEGE = "42501";

/**
 * dependent_privileges_exist: a REVOKE (without CASCADE) would take away a grant option that
 * another grant depends on.
 */
export const PG_DEPENDENT_PRIVILEGES_EXIST = "2BP01";

/** SQLSTATEs that mean "the thing is already gone" when revoking. */
export const PG_GONE_SQLSTATES: ReadonlySet<string> = new Set([
    "3D000", // invalid_catalog_name: the database no longer exists
    "3F000", // invalid_schema_name
    "42P01", // undefined_table
    "42704", // undefined_object (role)
]);
