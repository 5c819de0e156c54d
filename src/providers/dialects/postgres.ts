/**
 * PostgreSQL: identifier quoting, GRANT/REVOKE statement text and the privilege catalog query.
 */
import { type CatalogSnapshot, type GrantPair, type GrantTarget, groupByPrivileges } from "./types";

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

/** REVOKE statements for `pairs`, in the reverse order of {@link pgGrantStatements}. */
export function pgRevokeStatements(pairs: readonly GrantPair[], target: GrantTarget): string[] {
    return pgStatements(pairs, target, "REVOKE").reverse();
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
 * whether both exist, the connecting role, every relation with its owner, and the privileges the
 * grantee holds directly on the schema, each relation and the schema's default ACLs for tables.
 * A NULL ACL means the owner's implicit privileges (`acldefault`).
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
r AS (SELECT c.relname, c.relowner, c.relkind, COALESCE(c.relacl, acldefault('r', c.relowner)) AS acl
      FROM pg_catalog.pg_class c JOIN n ON c.relnamespace = n.oid
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')),
held AS (SELECT u.acl,
                ARRAY(SELECT a.privilege_type FROM aclexplode(u.acl) a JOIN g ON a.grantee = g.oid) AS privileges
         FROM (SELECT DISTINCT acl FROM r) u OFFSET 0)
SELECT 'meta' AS kind, current_user::text AS name, NULL::text AS owner, NULL::text AS relkind,
       EXISTS (SELECT 1 FROM n) AS schema_exists, EXISTS (SELECT 1 FROM g) AS grantee_exists,
       NULL::text[] AS privileges
UNION ALL
SELECT 'schema', n.nspname::text, NULL, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type FROM aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
             JOIN g ON a.grantee = g.oid)
FROM n
UNION ALL
SELECT 'relation', r.relname::text, pg_catalog.pg_get_userbyid(r.relowner)::text, r.relkind::text, NULL, NULL,
       held.privileges
FROM r JOIN held ON held.acl = r.acl
UNION ALL
SELECT 'default', pg_catalog.pg_get_userbyid(d.defaclrole)::text, NULL, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type FROM aclexplode(d.defaclacl) a JOIN g ON a.grantee = g.oid)
FROM pg_catalog.pg_default_acl d JOIN n ON d.defaclnamespace = n.oid
WHERE d.defaclobjtype = 'r'`;

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

/** Turns the rows of {@link PG_CATALOG_QUERY} into a snapshot. */
export function parsePgCatalog(rows: readonly PgCatalogRow[]): CatalogSnapshot {
    const snapshot: CatalogSnapshot = {
        schemaExists: false,
        granteeExists: false,
        currentUser: "",
        tables: [],
        held: [],
    };
    for (const row of rows) {
        const privileges = row.privileges ?? [];
        switch (row.kind) {
            case "meta":
                snapshot.currentUser = row.name;
                snapshot.schemaExists = row.schema_exists === true;
                snapshot.granteeExists = row.grantee_exists === true;
                break;
            case "schema":
                for (const privilege of privileges) {
                    snapshot.held.push({ kind: "schema", object: row.name, privilege });
                }
                break;
            case "relation":
                snapshot.tables.push({
                    name: row.name,
                    owner: row.owner,
                    baseTable: row.relkind === "r" || row.relkind === "p",
                });
                for (const privilege of privileges) {
                    snapshot.held.push({ kind: "table", object: row.name, privilege });
                }
                break;
            case "default":
                for (const privilege of privileges) {
                    snapshot.held.push({ kind: "defaultTables", object: row.name, privilege });
                }
                break;
        }
    }
    return snapshot;
}

/** SQLSTATEs that mean "the thing is already gone" when revoking. */
export const PG_GONE_SQLSTATES: ReadonlySet<string> = new Set([
    "3D000", // invalid_catalog_name: the database no longer exists
    "3F000", // invalid_schema_name
    "42P01", // undefined_table
    "42704", // undefined_object (role)
]);
