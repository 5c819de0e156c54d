/**
 * PostgreSQL privilege catalog: the one query that reads it and its parser.
 */
import { type GroupEntry, withTableGroups } from "./tableGroups";
import { type CatalogSnapshot, type GrantPair, type GrantTarget, emptySnapshot } from "./types";

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
 * Relations are read once (`r`) and grouped by ACL value, owner and kind (`held`, a handful of
 * groups in a typical schema where tables share their grants and owner): each group's ACL is
 * exploded once, and the group comes back as ONE row (`relations`) with its owner and relkind and
 * `members`, a JSON array of its relation names. `aclitem[]` equality compares grantee, grantor
 * and privilege bits, so relations with equal ACLs hold exactly the same privileges. One row per
 * group instead of one per relation is what keeps a 10,000-table read cheap on the client: the
 * driver parses a few privilege arrays and one JSON list of names per group instead of 10,000
 * rows each with its own array (docs/target-grants.md, "Reading the catalog"). `OFFSET 0` keeps `held` from being inlined
 * (the planner would otherwise evaluate its sub-select again); `MATERIALIZED` would need
 * PostgreSQL 12.
 *
 * Column ACLs are read only on relations where the grantee can hold one: those with a
 * `pg_shdepend` ACL entry for the grantee on a column (`objsubid > 0`), those the grantee owns,
 * and every relation when the grantee's OID is below 16384 (a role made by initdb, which may be
 * pinned). PostgreSQL records such an entry for every role named in a column ACL except the
 * relation's owner and pinned roles, so the set is complete; reading `pg_attribute` whole (over
 * 200,000 rows at 10,000 tables) was most of a new session's read. `OFFSET 0` keeps the column
 * lookup an index probe per candidate relation.
 */
export const PG_CATALOG_QUERY = `WITH g AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2),
n AS (SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.pg_namespace WHERE nspname = $1),
r AS (SELECT c.oid, c.relname, c.relowner, c.relkind, COALESCE(c.relacl, acldefault('r', c.relowner)) AS acl
      FROM pg_catalog.pg_class c JOIN n ON c.relnamespace = n.oid
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')),
held AS (SELECT u.relowner, u.relkind, u.members,
                ARRAY(SELECT a.privilege_type || ':' || pg_catalog.pg_get_userbyid(a.grantor)
                      FROM aclexplode(u.acl) a JOIN g ON a.grantee = g.oid) AS privileges
         FROM (SELECT acl, relowner, relkind, pg_catalog.json_agg(relname::text)::text AS members
               FROM r GROUP BY acl, relowner, relkind) u OFFSET 0)
SELECT 'meta' AS kind, current_user::text AS name,
       (SELECT pg_catalog.pg_get_userbyid(n.nspowner)::text FROM n) AS owner,
       (SELECT CASE WHEN rolsuper THEN 'superuser' END FROM pg_catalog.pg_roles WHERE rolname = current_user) AS relkind,
       EXISTS (SELECT 1 FROM n) AS schema_exists, EXISTS (SELECT 1 FROM g) AS grantee_exists,
       pg_catalog.current_setting('server_version_num')::int AS server_version,
       ARRAY(SELECT pg_catalog.pg_get_userbyid(o.owner)::text
             FROM (SELECT relowner AS owner FROM r UNION SELECT nspowner FROM n) o
             WHERE pg_catalog.pg_has_role(current_user, o.owner, 'USAGE')) AS privileges,
       NULL::text AS members
UNION ALL
SELECT 'schema', n.nspname::text, NULL, NULL, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type || ':' || pg_catalog.pg_get_userbyid(a.grantor)
             FROM aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
             JOIN g ON a.grantee = g.oid), NULL
FROM n
UNION ALL
SELECT 'relations', NULL, pg_catalog.pg_get_userbyid(held.relowner)::text, held.relkind::text,
       NULL, NULL, NULL, held.privileges, held.members
FROM held
UNION ALL
SELECT 'column', r.relname::text, att.attname::text, NULL, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type || ':' || CASE WHEN a.is_grantable THEN 't' ELSE 'f' END || ':' ||
                    pg_catalog.pg_get_userbyid(a.grantor)
             FROM aclexplode(att.attacl) a JOIN g ON a.grantee = g.oid), NULL
FROM r, LATERAL (SELECT attname, attacl FROM pg_catalog.pg_attribute
                 WHERE attrelid = r.oid AND attacl IS NOT NULL AND attnum > 0 AND NOT attisdropped
                 OFFSET 0) att
WHERE r.relowner IN (SELECT oid FROM g) OR EXISTS (SELECT 1 FROM g WHERE g.oid < 16384)
   OR r.oid IN (SELECT sd.objid FROM pg_catalog.pg_shdepend sd JOIN g ON sd.refobjid = g.oid
                WHERE sd.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
                  AND sd.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND sd.objsubid > 0
                  AND sd.dbid = (SELECT oid FROM pg_catalog.pg_database
                                 WHERE datname = pg_catalog.current_database()))
UNION ALL
SELECT CASE WHEN d.defaclnamespace = 0 THEN 'default_global' ELSE 'default' END,
       pg_catalog.pg_get_userbyid(d.defaclrole)::text, NULL, NULL, NULL, NULL, NULL,
       ARRAY(SELECT a.privilege_type || ':' || pg_catalog.pg_get_userbyid(a.grantor)
             FROM aclexplode(d.defaclacl) a JOIN g ON a.grantee = g.oid), NULL
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
    /** `server_version_num` (e.g. 170002), on the meta row. */
    server_version?: number | null;
    privileges: string[] | null;
    /**
     * `relations` rows: JSON `["name", …]` of the relations sharing one ACL value, owner (`owner`)
     * and relkind (`relkind`).
     */
    members?: string | null;
}

/** Splits `PRIVILEGE:grantor` (the grantor name may itself contain colons). */
function splitPrivilege(text: string): { privilege: string; grantor: string } {
    const at = text.indexOf(":");
    return at < 0
        ? { privilege: text, grantor: "" }
        : { privilege: text.slice(0, at), grantor: text.slice(at + 1) };
}

/** The table groups a parse is building (see `tableGroups.ts`). */
interface GroupsBuilder {
    entries: GroupEntry[][];
    memberCounts: number[];
    members: string[][];
    groupOf: Map<string, number>;
    others: GrantPair[];
    order: (GrantPair | number)[];
    /** False once a table turned up in two groups: then `held` is built in full at once. */
    valid: boolean;
}

/**
 * The relations of one `relations` row (one ACL value, owner and relkind) and the privileges the
 * grantee holds on each.
 */
function addRelations(snapshot: CatalogSnapshot, groups: GroupsBuilder, row: PgCatalogRow): void {
    const entries = (row.privileges ?? []).map(splitPrivilege);
    const names = JSON.parse(row.members ?? "[]") as string[];
    const { owner } = row;
    const baseTable = row.relkind === "r" || row.relkind === "p";
    const group = groups.entries.length;
    groups.entries.push(entries);
    groups.memberCounts.push(names.length);
    groups.members.push(names);
    groups.order.push(group);
    for (const name of names) {
        snapshot.tables.push({ name, owner, baseTable });
        if (groups.groupOf.has(name)) groups.valid = false;
        groups.groupOf.set(name, group);
    }
}

/** Turns the rows of {@link PG_CATALOG_QUERY} into a snapshot. */
export function parsePgCatalog(rows: readonly PgCatalogRow[]): CatalogSnapshot {
    const snapshot = emptySnapshot();
    const groups: GroupsBuilder = {
        entries: [],
        memberCounts: [],
        members: [],
        groupOf: new Map(),
        others: [],
        order: [],
        valid: true,
    };
    const add = (kind: GrantPair["kind"], object: string, entries: string[], global = false) => {
        for (const entry of entries) {
            const { privilege, grantor } = splitPrivilege(entry);
            const pair: GrantPair = {
                kind,
                object,
                privilege,
                grantor,
                ...(global ? { scope: "database" as const } : {}),
            };
            groups.others.push(pair);
            groups.order.push(pair);
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
                if (typeof row.server_version === "number") {
                    snapshot.serverVersion = row.server_version;
                }
                snapshot.actsAsOwners = privileges;
                break;
            case "schema":
                add("schema", row.name, privileges);
                break;
            case "relations":
                addRelations(snapshot, groups, row);
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
    // Every table pair of the list comes from a `relations` row (the only source of them here).
    withTableGroups(snapshot, groups);
    // A table in two groups (never from one read of `pg_class`): no grouped lookups, only `held`.
    if (!groups.valid) snapshot.held = [...snapshot.held];
    return snapshot;
}
