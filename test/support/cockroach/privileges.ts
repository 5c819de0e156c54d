/**
 * Users, role membership and privileges: what CREATE USER / GRANT record and what SHOW GRANTS,
 * SHOW SYSTEM GRANTS, crdb_internal.is_admin() and the changefeed/job/setting checks read
 * (reference §6.1, §6.4, §6.6, §6.9). `root` is a member of `admin`; every user is in `public`.
 */
import { CockroachError, SQLSTATE } from "./errors";
import { OID, type ResultSet, textColumn } from "./results";

/** Table-level privileges CockroachDB accepts in GRANT ... ON TABLE. */
export const TABLE_PRIVILEGES = new Set([
    "ALL",
    "BACKUP",
    "CHANGEFEED",
    "CREATE",
    "DROP",
    "GRANT",
    "SELECT",
    "INSERT",
    "DELETE",
    "UPDATE",
    "ZONECONFIG",
    "TRIGGER",
]);
/** System privileges (GRANT SYSTEM ...). */
export const SYSTEM_PRIVILEGES = new Set([
    "ALL",
    "BACKUP",
    "CANCELQUERY",
    "CONTROLJOB",
    "CREATEDB",
    "CREATELOGIN",
    "CREATEROLE",
    "EXTERNALCONNECTION",
    "MODIFYCLUSTERSETTING",
    "MODIFYSQLCLUSTERSETTING",
    "NOSQLLOGIN",
    "REPAIRCLUSTER",
    "REPLICATION",
    "RESTORE",
    "VIEWACTIVITY",
    "VIEWACTIVITYREDACTED",
    "VIEWCLUSTERMETADATA",
    "VIEWCLUSTERSETTING",
    "VIEWDEBUG",
    "VIEWJOB",
    "VIEWSYSTEMTABLE",
    "CHANGEFEED",
]);

/** A table of the one database: `schema.table`. */
export interface TableRef {
    schema: string;
    table: string;
}

const tableKey = (t: TableRef) => `${t.schema}.${t.table}`;

interface Principal {
    password?: string;
    isRole: boolean;
}

export class PrivilegeModel {
    private readonly principals = new Map<string, Principal>([
        ["root", { isRole: false }],
        ["admin", { isRole: true }],
        ["public", { isRole: true }],
    ]);
    private readonly memberOf = new Map<string, Set<string>>([["root", new Set(["admin"])]]);
    private readonly systemGrants = new Map<string, Set<string>>();
    private readonly tableGrants = new Map<string, Map<string, Set<string>>>();

    constructor(private readonly database: string) {}

    exists(name: string): boolean {
        return this.principals.has(name);
    }

    passwordOf(name: string): string | undefined {
        return this.principals.get(name)?.password;
    }

    createUser(name: string, password: string | undefined, ifNotExists: boolean): void {
        if (this.principals.has(name)) {
            if (ifNotExists) return;
            throw new CockroachError(
                SQLSTATE.duplicateObject,
                `a role/user named ${name} already exists`,
            );
        }
        this.principals.set(name, {
            isRole: false,
            ...(password !== undefined ? { password } : {}),
        });
    }

    grantTable(
        privileges: readonly string[],
        tables: readonly TableRef[],
        grantees: readonly string[],
    ): void {
        this.requirePrincipals(grantees);
        for (const table of tables) {
            const grants = this.tableGrants.get(tableKey(table)) ?? new Map<string, Set<string>>();
            for (const grantee of grantees) {
                const held = grants.get(grantee) ?? new Set<string>();
                for (const privilege of privileges) held.add(privilege);
                grants.set(grantee, held);
            }
            this.tableGrants.set(tableKey(table), grants);
        }
    }

    grantSystem(privileges: readonly string[], grantees: readonly string[]): void {
        this.requirePrincipals(grantees);
        for (const grantee of grantees) {
            const held = this.systemGrants.get(grantee) ?? new Set<string>();
            for (const privilege of privileges) held.add(privilege);
            this.systemGrants.set(grantee, held);
        }
    }

    grantRoles(roles: readonly string[], members: readonly string[]): void {
        this.requirePrincipals([...roles, ...members]);
        for (const member of members) {
            for (const role of roles) {
                if (role === member || this.rolesOf(role).has(member)) {
                    throw new CockroachError(
                        SQLSTATE.invalidParameterValue,
                        `making ${member} a member of ${role} would create a cycle`,
                    );
                }
            }
            const set = this.memberOf.get(member) ?? new Set<string>();
            for (const role of roles) set.add(role);
            this.memberOf.set(member, set);
        }
    }

    /** The user and every role it belongs to, transitively (including `public`). */
    rolesOf(user: string): Set<string> {
        const seen = new Set<string>([user, "public"]);
        const queue = [user];
        while (queue.length > 0) {
            const next = queue.pop() as string;
            for (const role of this.memberOf.get(next) ?? []) {
                if (!seen.has(role)) {
                    seen.add(role);
                    queue.push(role);
                }
            }
        }
        return seen;
    }

    isAdmin(user: string): boolean {
        return this.rolesOf(user).has("admin");
    }

    hasSystemPrivilege(user: string, privilege: string): boolean {
        if (this.isAdmin(user)) return true;
        for (const role of this.rolesOf(user)) {
            const held = this.systemGrants.get(role);
            if (held?.has(privilege) || held?.has("ALL")) return true;
        }
        return false;
    }

    hasTablePrivilege(user: string, table: TableRef, privilege: string): boolean {
        if (this.isAdmin(user)) return true;
        const grants = this.tableGrants.get(tableKey(table));
        for (const role of this.rolesOf(user)) {
            const held = grants?.get(role);
            if (held?.has(privilege) || held?.has("ALL")) return true;
        }
        return false;
    }

    /** SHOW GRANTS ON TABLE ... FOR ...: direct grants and those through roles. */
    showTableGrants(tables: readonly TableRef[], users: readonly string[] | undefined): ResultSet {
        const holders = this.holders(users);
        const rows: Array<[string, string, string, string, string, string]> = [];
        for (const table of tables) {
            // Every table descriptor carries ALL for admin and root (grantable).
            const grants = new Map<string, Set<string>>([
                ["admin", new Set(["ALL"])],
                ["root", new Set(["ALL"])],
            ]);
            for (const [grantee, held] of this.tableGrants.get(tableKey(table)) ?? []) {
                grants.set(grantee, new Set([...(grants.get(grantee) ?? []), ...held]));
            }
            for (const [grantee, held] of grants) {
                if (holders && !holders.has(grantee)) continue;
                for (const privilege of held) {
                    const grantable = grantee === "admin" || grantee === "root" ? "t" : "f";
                    rows.push([
                        this.database,
                        table.schema,
                        table.table,
                        grantee,
                        privilege,
                        grantable,
                    ]);
                }
            }
        }
        rows.sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));
        return {
            columns: [
                textColumn("database_name"),
                textColumn("schema_name"),
                textColumn("table_name"),
                textColumn("grantee"),
                textColumn("privilege_type"),
                { name: "is_grantable", oid: OID.bool },
            ],
            rows,
            tag: `SHOW GRANTS ${rows.length}`,
        };
    }

    /** SHOW SYSTEM GRANTS FOR ...: explicit system privileges of the users and their roles. */
    showSystemGrants(users: readonly string[] | undefined): ResultSet {
        const holders = this.holders(users);
        const rows: Array<[string, string, string]> = [];
        for (const [grantee, held] of this.systemGrants) {
            if (holders && !holders.has(grantee)) continue;
            for (const privilege of held) rows.push([grantee, privilege, "f"]);
        }
        rows.sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));
        return {
            columns: [
                textColumn("grantee"),
                textColumn("privilege_type"),
                { name: "is_grantable", oid: OID.bool },
            ],
            rows,
            tag: `SHOW SYSTEM GRANTS ${rows.length}`,
        };
    }

    /** The grantees whose grants SHOW ... FOR <users> lists; undefined = everyone. */
    private holders(users: readonly string[] | undefined): Set<string> | undefined {
        if (!users) return undefined;
        this.requirePrincipals(users);
        return new Set(users.flatMap((u) => [...this.rolesOf(u)]));
    }

    private requirePrincipals(names: readonly string[]): void {
        for (const name of names) {
            if (!this.principals.has(name)) {
                throw new CockroachError(
                    SQLSTATE.undefinedObject,
                    `role/user "${name}" does not exist`,
                );
            }
        }
    }
}
