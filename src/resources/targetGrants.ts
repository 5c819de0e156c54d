import * as pulumi from "@pulumi/pulumi";
import type { Dialect, GrantPair } from "../providers/targets/types";
import { targetGrantsProvider } from "../providers/targetGrants";
import { readGrantLists } from "../providers/targetGrants/stateCodec";

/** One (object, privilege) pair; see {@link TargetGrants.granted}. */
export type TargetGrantPair = GrantPair;

/** Arguments of {@link TargetGrants}. */
export interface TargetGrantsArgs {
    /**
     * Admin connection URL of the failback target: `postgres://` / `postgresql://` (the
     * database in the path is the one the replicator writes to), `mysql://` or
     * `oracle://user:password@host:1521/SERVICE`. The connecting user must be able to grant the
     * privileges (and, on Oracle, read DBA_TAB_PRIVS/DBA_ROLES).
     *
     * Secret: wrapped in `pulumi.secret()`, never printed. A new password or user is an in-place
     * update; another host, port or database/service replaces the resource.
     */
    connection: pulumi.Input<string>;
    /**
     * `"postgres"`, `"mysql"` (also MariaDB) or `"oracle"`. Default: inferred from the URL scheme;
     * when given it must agree with it. Changing it replaces the resource.
     */
    dialect?: pulumi.Input<Dialect>;
    /**
     * The role (PostgreSQL), user (MySQL) or user/role (Oracle) the replicator connects as. It
     * must exist already. Changing it replaces the resource.
     */
    grantee: pulumi.Input<string>;
    /**
     * MySQL/MariaDB only: host part of the grantee account (`'user'@'host'`). Default `"%"`.
     * Changing it replaces the resource.
     */
    granteeHost?: pulumi.Input<string>;
    /**
     * Where the tables are: the PostgreSQL schema, the MySQL database, or the Oracle owning schema
     * (give Oracle names in their stored case — unquoted names are stored upper case, so `ORDERS`,
     * not `orders`). Changing it replaces the resource.
     */
    schema: pulumi.Input<string>;
    /**
     * Tables to grant on, exact (case-sensitive) names in `schema`. Default (PostgreSQL, MySQL):
     * every table of the schema — on MySQL through one `db.*` grant, which also covers tables
     * created later; on PostgreSQL through per-table grants plus default privileges. Required for
     * Oracle. Changing it is an in-place update (grants/revokes the difference).
     */
    tables?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Table privileges. Default: PostgreSQL and MySQL `SELECT, INSERT, UPDATE, DELETE`; Oracle
     * `SELECT, INSERT, UPDATE, DELETE, FLASHBACK` — what the replicator's upsert and delete
     * statements need (PostgreSQL also always gets `USAGE` on the schema). PostgreSQL's
     * `MAINTAIN` (PostgreSQL 17 and later) is accepted; on an older server the update or create
     * stops before changing anything, naming the privilege and the server version. Changing it is
     * an in-place update.
     */
    privileges?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * PostgreSQL only: also `ALTER DEFAULT PRIVILEGES FOR ROLE <owner> IN SCHEMA <schema> GRANT …
     * ON TABLES`, so tables those owners create later are covered. Default: `true` when `tables`
     * is omitted (or `defaultPrivilegesFor` is given), otherwise `false`. In-place update.
     */
    defaultPrivileges?: pulumi.Input<boolean>;
    /**
     * PostgreSQL only: the roles whose future tables get default privileges (a default privilege
     * only applies to tables created by the role it names). Default: the connecting role plus
     * every current owner of a table in the schema. In-place update.
     */
    defaultPrivilegesFor?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * Grants the replicator's user the privileges it needs on the failback target (PostgreSQL,
 * MySQL/MariaDB or Oracle), records exactly which (object, privilege) pairs it added, and on
 * destroy revokes exactly those — privileges the grantee already held are never touched.
 */
export class TargetGrants extends pulumi.dynamic.Resource {
    /** Pairs this resource added (including PostgreSQL default-privilege entries); revoked on destroy. */
    declare public readonly granted: pulumi.Output<TargetGrantPair[]>;
    /** Pairs the grantee already held when they were first wanted; never revoked. */
    declare public readonly preexisting: pulumi.Output<TargetGrantPair[]>;
    /** Wanted pairs missing at the last refresh (drift); the next `up` grants them. */
    declare public readonly missing: pulumi.Output<TargetGrantPair[]>;
    /**
     * Tables in scope on which the grantee holds every configured privilege, as of the last
     * refresh. For a MySQL `db.*` grant, `create` and `update` leave it empty (listing every
     * table is what a schema-wide grant avoids); `pulumi refresh` fills it in.
     */
    declare public readonly coveredTables: pulumi.Output<string[]>;
    /** The server the grants live on (`dialect://host:port[/database]`), without credentials. */
    declare public readonly server: pulumi.Output<string>;
    /** The dialect in use. */
    declare public readonly dialect: pulumi.Output<Dialect>;
    /** Resolved table privileges. */
    declare public readonly privileges: pulumi.Output<string[]>;

    constructor(name: string, args: TargetGrantsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            targetGrantsProvider,
            name,
            {
                ...args,
                connection: pulumi.secret(args.connection),
                granted: undefined,
                preexisting: undefined,
                missing: undefined,
                coveredTables: undefined,
                groupedGrants: undefined,
                server: undefined,
                privileges: args.privileges,
                dialect: args.dialect,
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connection"] }),
            "crdb-failback",
            "TargetGrants",
        );
        // Large resources keep these lists grouped in state (`groupedGrants`); the public outputs
        // are the plain lists either way.
        const stored = this as unknown as Record<string, pulumi.Output<unknown>>;
        const lists = pulumi
            .all({
                granted: stored["granted"],
                preexisting: stored["preexisting"],
                missing: stored["missing"],
                coveredTables: stored["coveredTables"],
                groupedGrants: stored["groupedGrants"],
            })
            .apply((state) => readGrantLists(state as Record<string, unknown>));
        this.granted = lists.apply((l) => l.granted);
        this.preexisting = lists.apply((l) => l.preexisting);
        this.missing = lists.apply((l) => l.missing);
        this.coveredTables = lists.apply((l) => l.coveredTables);
    }
}
