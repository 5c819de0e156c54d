/**
 * The SQL a DBA would run by hand for the same effect as TargetGrants create / refresh / destroy.
 * These scripts are the baselines the provider is measured against. Names in the benchmark are
 * plain lower-case identifiers, quoted anyway as a careful DBA would.
 */

const PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE";

const pg = (name: string) => `"${name.replace(/"/g, '""')}"`;
const my = (name: string) => "`" + name.replace(/`/g, "``") + "`";
const account = (user: string) => `'${user}'@'%'`;

/** What each baseline script does, per lifecycle step. */
export interface BaselineScripts {
    create: string;
    refresh: string;
    destroy: string;
}

/**
 * PostgreSQL, every table of a schema plus future tables: `GRANT … ON ALL TABLES IN SCHEMA`,
 * schema USAGE and `ALTER DEFAULT PRIVILEGES FOR ROLE <owner>`; refresh reads the schema, table
 * and default ACLs from the catalog (what `\dn+`, `\dp` and `\ddp` show); destroy revokes.
 */
export function postgresBaseline(schema: string, grantee: string, owner: string): BaselineScripts {
    const s = pg(schema);
    const r = pg(grantee);
    const defaults = (verb: "GRANT" | "REVOKE", toFrom: "TO" | "FROM") =>
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${pg(owner)} IN SCHEMA ${s} ${verb} ${PRIVILEGES} ON TABLES ${toFrom} ${r};`;
    const literal = `'${schema.replace(/'/g, "''")}'`;
    return {
        create: [
            `GRANT USAGE ON SCHEMA ${s} TO ${r};`,
            `GRANT ${PRIVILEGES} ON ALL TABLES IN SCHEMA ${s} TO ${r};`,
            defaults("GRANT", "TO"),
        ].join("\n"),
        refresh: [
            `SELECT n.nspname, n.nspacl FROM pg_catalog.pg_namespace n WHERE n.nspname = ${literal};`,
            `SELECT c.relname, c.relkind, c.relacl FROM pg_catalog.pg_class c` +
                ` JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace` +
                ` WHERE n.nspname = ${literal} AND c.relkind IN ('r', 'p', 'v', 'm', 'f');`,
            `SELECT pg_catalog.pg_get_userbyid(d.defaclrole), d.defaclacl` +
                ` FROM pg_catalog.pg_default_acl d` +
                ` JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace` +
                ` WHERE n.nspname = ${literal};`,
        ].join("\n"),
        destroy: [
            defaults("REVOKE", "FROM"),
            `REVOKE ${PRIVILEGES} ON ALL TABLES IN SCHEMA ${s} FROM ${r};`,
            `REVOKE USAGE ON SCHEMA ${s} FROM ${r};`,
        ].join("\n"),
    };
}

/**
 * MariaDB, one database-level grant (`GRANT … ON db.* TO 'u'@'%'`, which also covers tables
 * created later); refresh is `SHOW GRANTS` plus the table list; destroy revokes it.
 */
export function mariadbDatabaseBaseline(database: string, user: string): BaselineScripts {
    return {
        create: `GRANT ${PRIVILEGES} ON ${my(database)}.* TO ${account(user)};`,
        refresh: mariadbRefresh(database, user),
        destroy: `REVOKE ${PRIVILEGES} ON ${my(database)}.* FROM ${account(user)};`,
    };
}

/** MariaDB, one `GRANT … ON db.tbl` per listed table (the per-table form). */
export function mariadbPerTableBaseline(
    database: string,
    user: string,
    tables: readonly string[],
): BaselineScripts {
    const each = (verb: "GRANT" | "REVOKE", toFrom: "TO" | "FROM") =>
        tables
            .map(
                (t) =>
                    `${verb} ${PRIVILEGES} ON ${my(database)}.${my(t)} ${toFrom} ${account(user)};`,
            )
            .join("\n");
    return {
        create: each("GRANT", "TO"),
        refresh: mariadbRefresh(database, user),
        destroy: each("REVOKE", "FROM"),
    };
}

function mariadbRefresh(database: string, user: string): string {
    return `SHOW GRANTS FOR ${account(user)};\nSHOW FULL TABLES FROM ${my(database)};`;
}
