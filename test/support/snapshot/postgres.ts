/**
 * The full privilege snapshot of one PostgreSQL database, for "destroy leaves the database as
 * found" assertions: every relation ACL (`pg_class.relacl`), every column ACL
 * (`pg_attribute.attacl`), every schema ACL (`pg_namespace.nspacl`), every default ACL
 * (`pg_default_acl`, database-wide rows with `defaclnamespace = 0` included), the database's own
 * ACL (`pg_database.datacl`) and role memberships (`pg_auth_members`).
 *
 * Equal means equal, with one documented equivalence: PostgreSQL cannot always give back the
 * exact `aclitem[]` value it started from. A relation, schema or database whose ACL is NULL (the
 * owner's implicit privileges) gets an explicit ACL on its first GRANT, and revoking that grant
 * leaves the explicit owner-default array, not NULL; a column ACL goes from NULL to `{}`; a
 * database-wide default ACL row is deleted when it becomes equal to the built-in default. Those
 * values mean exactly the same privileges, so the snapshot compares the EXPANDED privileges
 * (`aclexplode`, with NULL replaced by `acldefault`), one line per (object, grantee, grantor,
 * privilege, grant option): a NULL ACL and its explicit default give the same lines, while any
 * real difference (one privilege, one grantor, one grant option) gives a different line. A
 * database-wide default row is written as its difference from `acldefault` ("+" lines for
 * privileges beyond the built-in default, "-" lines for built-in ones taken away), so an absent
 * row and a row equal to the default compare equal. The order of items inside an ACL array is
 * not compared (it has no meaning).
 *
 * Role memberships are cluster-wide and other test suites create roles concurrently, so
 * `options.roles` limits them to rows naming one of the given roles (as role, member or grantor).
 */
import { withPg } from "../sessions";

export interface PostgresSnapshotOptions {
    /** Only role memberships naming one of these roles; default: every membership. */
    roles?: readonly string[];
}

const WHO = (oid: string) =>
    `CASE WHEN ${oid} = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(${oid})::text END`;

const SNAPSHOT_SQL = `
SELECT format('relation %I.%I kind=%s grantee=%s grantor=%s privilege=%s grantable=%s',
              n.nspname, c.relname, c.relkind, ${WHO("a.grantee")}, ${WHO("a.grantor")},
              a.privilege_type, a.is_grantable) AS line
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
       aclexplode(COALESCE(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) a
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
UNION ALL
SELECT format('column %I.%I.%I grantee=%s grantor=%s privilege=%s grantable=%s',
              n.nspname, c.relname, att.attname, ${WHO("a.grantee")}, ${WHO("a.grantor")},
              a.privilege_type, a.is_grantable)
  FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(att.attacl) a
 WHERE att.attacl IS NOT NULL AND NOT att.attisdropped AND att.attnum > 0
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
UNION ALL
SELECT format('schema %I owner=%s grantee=%s grantor=%s privilege=%s grantable=%s',
              n.nspname, pg_get_userbyid(n.nspowner), ${WHO("a.grantee")}, ${WHO("a.grantor")},
              a.privilege_type, a.is_grantable)
  FROM pg_namespace n, aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
UNION ALL
SELECT format('default for=%s in schema %I objtype=%s grantee=%s grantor=%s privilege=%s grantable=%s',
              pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype, ${WHO("a.grantee")},
              ${WHO("a.grantor")}, a.privilege_type, a.is_grantable)
  FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a
UNION ALL
SELECT format('%s default for=%s database-wide objtype=%s grantee=%s grantor=%s privilege=%s grantable=%s',
              x.sign, pg_get_userbyid(x.defaclrole), x.defaclobjtype, ${WHO("x.grantee")},
              ${WHO("x.grantor")}, x.privilege_type, x.is_grantable)
  FROM (
    (SELECT '+' AS sign, d.defaclrole, d.defaclobjtype, a.grantee, a.grantor, a.privilege_type, a.is_grantable
       FROM pg_default_acl d, aclexplode(d.defaclacl) a WHERE d.defaclnamespace = 0
     EXCEPT
     SELECT '+', d.defaclrole, d.defaclobjtype, a.grantee, a.grantor, a.privilege_type, a.is_grantable
       FROM pg_default_acl d, aclexplode(acldefault(d.defaclobjtype, d.defaclrole)) a WHERE d.defaclnamespace = 0)
    UNION ALL
    (SELECT '-', d.defaclrole, d.defaclobjtype, a.grantee, a.grantor, a.privilege_type, a.is_grantable
       FROM pg_default_acl d, aclexplode(acldefault(d.defaclobjtype, d.defaclrole)) a WHERE d.defaclnamespace = 0
     EXCEPT
     SELECT '-', d.defaclrole, d.defaclobjtype, a.grantee, a.grantor, a.privilege_type, a.is_grantable
       FROM pg_default_acl d, aclexplode(d.defaclacl) a WHERE d.defaclnamespace = 0)
  ) x
UNION ALL
SELECT format('database %I grantee=%s grantor=%s privilege=%s grantable=%s',
              db.datname, ${WHO("a.grantee")}, ${WHO("a.grantor")}, a.privilege_type, a.is_grantable)
  FROM pg_database db, aclexplode(COALESCE(db.datacl, acldefault('d', db.datdba))) a
 WHERE db.datname = current_database()
UNION ALL
SELECT format('membership role=%s member=%s grantor=%s admin=%s',
              pg_get_userbyid(m.roleid), pg_get_userbyid(m.member), pg_get_userbyid(m.grantor),
              m.admin_option)
  FROM pg_auth_members m
 WHERE $1::text[] IS NULL
    OR pg_get_userbyid(m.roleid) = ANY ($1) OR pg_get_userbyid(m.member) = ANY ($1)
    OR pg_get_userbyid(m.grantor) = ANY ($1)`;

/** The snapshot of the database `url` points at, as sorted lines (see the module comment). */
export async function snapshotPostgres(
    url: string,
    options: PostgresSnapshotOptions = {},
): Promise<string[]> {
    return withPg(
        url,
        async (client) => {
            const { rows } = await client.query<{ line: string }>(SNAPSHOT_SQL, [
                options.roles ? [...options.roles] : null,
            ]);
            return rows.map((r) => r.line).sort();
        },
        { connectTimeoutMs: 5000 },
    );
}
