/**
 * Privilege snapshots other suites can compare before/after a stack runs: every privilege on a
 * PostgreSQL schema (schema ACL, table ACLs, default ACLs) or held by a MySQL account, as sorted
 * lines of text.
 */
import { Client } from "pg";
import mysql = require("mysql2/promise");

/**
 * Every ACL entry of `schema` (in the database of `url`): lines like
 * `table "t" grantee=app privilege=SELECT grantor=postgres`. Owner defaults (NULL ACLs) are
 * expanded with `acldefault`, so the result is comparable before and after a grant.
 */
export async function snapshotPostgresPrivileges(url: string, schema: string): Promise<string[]> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
        const { rows } = await client.query<{ line: string }>(
            `WITH n AS (SELECT oid, nspname, nspowner, nspacl FROM pg_namespace WHERE nspname = $1)
             SELECT format('schema %I grantee=%s privilege=%s grantor=%s', n.nspname,
                           COALESCE(pg_get_userbyid(NULLIF(a.grantee, 0)), 'PUBLIC'),
                           a.privilege_type, pg_get_userbyid(a.grantor)) AS line
               FROM n, aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
             UNION ALL
             SELECT format('table %I grantee=%s privilege=%s grantor=%s', c.relname,
                           COALESCE(pg_get_userbyid(NULLIF(a.grantee, 0)), 'PUBLIC'),
                           a.privilege_type, pg_get_userbyid(a.grantor))
               FROM pg_class c JOIN n ON c.relnamespace = n.oid,
                    aclexplode(COALESCE(c.relacl, acldefault('r', c.relowner))) a
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
             UNION ALL
             SELECT format('default for=%s objtype=%s grantee=%s privilege=%s',
                           pg_get_userbyid(d.defaclrole), d.defaclobjtype,
                           COALESCE(pg_get_userbyid(NULLIF(a.grantee, 0)), 'PUBLIC'), a.privilege_type)
               FROM pg_default_acl d JOIN n ON d.defaclnamespace = n.oid, aclexplode(d.defaclacl) a`,
            [schema],
        );
        return rows.map((r) => r.line).sort();
    } finally {
        await client.end();
    }
}

/** `SHOW GRANTS FOR 'user'@'host'` lines, sorted; empty when the account does not exist. */
export async function snapshotMysqlPrivileges(
    url: string,
    user: string,
    host: string,
): Promise<string[]> {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 5000 });
    try {
        const [rows] = await conn.query("SHOW GRANTS FOR ?@?", [user, host]);
        return (rows as Record<string, string>[]).map((r) => Object.values(r)[0] as string).sort();
    } catch (err) {
        if ((err as { errno?: number }).errno === 1141) return [];
        throw err;
    } finally {
        await conn.end();
    }
}
