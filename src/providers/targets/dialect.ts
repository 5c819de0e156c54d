/**
 * The shape every target dialect implements (PostgreSQL, MySQL/MariaDB, Oracle). Everything that
 * differs between target databases is a member here; code outside this folder asks the dialect
 * object and never compares dialect names. {@link defineDialect} fills in conservative defaults,
 * so a new dialect states only what it does differently.
 */
import type { SessionOpener } from "./session";
import type { CatalogSnapshot, ColumnGrant, Dialect, GrantTarget, PlannedPair } from "./types";

/** The admin connection, parsed. Holds the password: never log or return it. */
export interface ParsedConnection {
    url: string;
    dialect: TargetDialect;
    host: string;
    port: number;
    /** PostgreSQL database or Oracle service name; empty where the URL path is not used. */
    database: string;
    user: string;
    password: string;
    /** Query parameters of the URL. */
    params: Record<string, string>;
}

/** Options the GRANT/REVOKE text depends on. */
export interface RenderOptions {
    /** MySQL 8 `partial_revokes` (changes how `db.*` names are written); false elsewhere. */
    partialRevokes: boolean;
    /**
     * The catalog the change is planned from (who the connection is and who owns what); without
     * it, statements ignore grantors.
     */
    snapshot?: CatalogSnapshot;
    /** Column grants to restore right after the REVOKEs. */
    restoreColumns?: readonly ColumnGrant[];
}

/** The pairs a change grants and revokes. */
export interface PlannedChange {
    toGrant: readonly PlannedPair[];
    toRevoke: readonly PlannedPair[];
}

/** The REVOKE then GRANT statement texts of a change. */
export interface RenderedChange {
    revokes: string[];
    grants: string[];
}

/** Which kinds of grant a dialect uses for the resource's configuration. */
export interface GrantScope {
    /** PostgreSQL: `USAGE` on the schema comes with the table privileges. */
    schemaUsage: boolean;
    /** MySQL: with tables omitted, one `db.*` grant covers every present and future table. */
    wholeDatabase: boolean;
    /** Oracle: no schema-wide object grant exists, so `tables` must be listed. */
    tablesRequired: boolean;
    /** PostgreSQL: default privileges for tables created later. */
    defaultPrivileges: boolean;
}

/** What the Failback component needs to know about a target dialect. */
export interface FailbackRules {
    /**
     * How `target.database` relates to the schema: `required` (PostgreSQL: the database of the
     * replicator connection), `isSchema` (MySQL: optional, equal to the schema) or `unused`.
     */
    database: "required" | "isSchema" | "unused";
    /** URL schemes the replicator's `--targetConn` accepts (with the colon). */
    replicatorSchemes: readonly string[];
    /** The segments of the target schema (the webhook path): `[database, schema]` or `[schema]`. */
    targetSchemaParts(database: string | undefined, schema: string): string[];
    /** The same segments as placeholders for messages: `<database>`, `<schema>`, `<SCHEMA>`. */
    schemaPlaceholders: readonly string[];
    /** The short product name messages use (`MySQL`, where `label` says `MySQL/MariaDB`). */
    shortName: string;
    /** The article before `shortName` (`a PostgreSQL target`, `an Oracle target`). */
    article: "a" | "an";
    /**
     * The replicator needs its separate Oracle-capable build (`oracleImage`), which exists for
     * linux/amd64 only.
     */
    oracleBuild: boolean;
}

/** One target database dialect. */
export interface TargetDialect {
    readonly name: Dialect;
    /** Human name: `PostgreSQL`. */
    readonly label: string;
    /** URL schemes of the admin connection, with the colon (`postgres:`). */
    readonly schemes: readonly string[];
    readonly defaultPort: number;
    /** An example admin URL for error messages. */
    readonly urlExample: string;
    /** What the URL's path names: the database, the service, or nothing. */
    readonly urlPath: "database" | "service" | "ignored";
    /** Query parameters the admin URL may carry (TLS settings); anything else is refused. */
    readonly acceptedParameters: readonly string[];
    /** Problems of the parsed URL beyond the generic ones (e.g. a missing service name). */
    urlProblems(url: URL): string[];
    /** A GRANT/REVOKE batch is all-or-nothing (PostgreSQL) rather than statement by statement. */
    readonly dclIsTransactional: boolean;
    /** `upper`: unquoted names are stored upper case (Oracle), so names are compared that way. */
    readonly nameCase: "exact" | "upper";
    /** What the resource's `schema` is called in this dialect (`schema`, `database`, …). */
    readonly schemaWord: string;
    /** The grantee is an account `'user'@'host'` (MySQL); `granteeHost` applies. */
    readonly accountHost: boolean;
    readonly scope: GrantScope;
    /** Table privileges every supported server version accepts. */
    readonly tablePrivileges: readonly string[];
    /**
     * Table privileges only newer server versions accept (PostgreSQL 17 `MAINTAIN`): `check`
     * accepts them and {@link serverPrivilegeProblems} refuses them at apply on an older server.
     */
    readonly laterPrivileges: readonly string[];
    readonly defaultPrivileges: readonly string[];
    /**
     * Why the server read in `snapshot` cannot grant some of `privileges` (e.g. a privilege newer
     * than the server); none when it can. `check` cannot know the server, so this runs at apply.
     */
    serverPrivilegeProblems(privileges: readonly string[], snapshot: CatalogSnapshot): string[];
    /** Why `name` cannot be a schema/table/role name, or undefined. */
    identifierProblem(name: string): string | undefined;
    /** Why `name` cannot be the grantee (defaults to {@link identifierProblem}). */
    granteeProblem(name: string): string | undefined;
    /** The grantee as the catalog and error messages name it. */
    describeGrantee(target: GrantTarget): string;
    /** The REVOKE then GRANT statements of a change; objects only known at apply are placeholders. */
    renderChange(
        change: PlannedChange,
        target: GrantTarget,
        options: RenderOptions,
    ): RenderedChange;
    /** Statements sent as one block (Oracle PL/SQL); undefined: sent as they are. */
    asOneBlock?(revokes: readonly string[], grants: readonly string[]): string;
    /** A note on a rendered statement (e.g. MySQL wildcards in `db.*`); undefined for none. */
    statementNote(sql: string, schema: string): string | undefined;
    /** A remark on REVOKE text rendered offline, without the server's settings (destroy plan). */
    readonly offlineRevokeNote?: string;
    /** The catalog read, described for a preview. */
    readonly catalogReadDescription: string;
    /**
     * A change's catalog read may skip listing the tables (MySQL `db.*`: only the account's
     * privilege rows are read); `tablesListed` false means the snapshot's `tables` is empty.
     */
    changeReadListsTables(tablesListed: boolean): boolean;
    /** Opens the driver connection. */
    readonly openSession: SessionOpener;
    /** The server answered a failed batch (it stopped there), as opposed to a lost connection. */
    serverAnswered(err: unknown): boolean;
    /** The server answered "lost a race; try again". */
    isRetriable(err: unknown): boolean;
    /** The error means the object (database, schema, table, role, grant) is gone. */
    isGone(err: unknown): boolean;
    /**
     * A failed REVOKE batch stopped at its failing statement with the ones before applied
     * (MySQL): delete then retries statement by statement, skipping what is gone.
     */
    readonly revokeOneByOne: boolean;
    /** Why a REVOKE did not remove a pair granted by another role; undefined: any grantor revokes. */
    readonly grantorRule?: string;
    /** Extra words for the "set connection to the grantor" fix (PostgreSQL: membership works). */
    readonly grantorFixHint: string;
    /** The error means the connection is not the grantor of a privilege it tried to revoke. */
    isNotGrantor(err: unknown): boolean;
    /**
     * An error naming the fix when the server refused a change for a reason the dialect knows
     * (e.g. PostgreSQL SET ROLE denied); undefined for any other error.
     */
    refusal(
        revoked: readonly PlannedPair[],
        snapshot: CatalogSnapshot,
        err: unknown,
    ): Error | undefined;
    /** What the Failback component needs to know. */
    readonly failback: FailbackRules;
}

/** What a dialect must state; everything else has a conservative default. */
export type DialectDefinition = Pick<
    TargetDialect,
    | "name"
    | "label"
    | "schemes"
    | "defaultPort"
    | "urlExample"
    | "tablePrivileges"
    | "defaultPrivileges"
    | "identifierProblem"
    | "renderChange"
    | "openSession"
    | "serverAnswered"
    | "catalogReadDescription"
> &
    Partial<TargetDialect>;

/**
 * A dialect from its definition. Defaults: URL path is the database, no query parameters, DCL
 * not transactional (re-read after a failure), exact-case names, no account host, grants per
 * listed table or every table of the schema, no retriable or "gone" errors, any grantor revokes.
 */
export function defineDialect(definition: DialectDefinition): TargetDialect {
    return {
        urlPath: "database",
        acceptedParameters: [],
        urlProblems: () => [],
        dclIsTransactional: false,
        nameCase: "exact",
        schemaWord: "schema",
        accountHost: false,
        scope: {
            schemaUsage: false,
            wholeDatabase: false,
            tablesRequired: false,
            defaultPrivileges: false,
        },
        granteeProblem: definition.identifierProblem,
        serverPrivilegeProblems: () => [],
        laterPrivileges: [],
        describeGrantee: (target) => `grantee ${JSON.stringify(target.grantee)}`,
        statementNote: () => undefined,
        changeReadListsTables: () => true,
        isRetriable: () => false,
        isGone: () => false,
        revokeOneByOne: false,
        grantorFixHint: "",
        isNotGrantor: () => false,
        refusal: () => undefined,
        failback: {
            database: "unused",
            replicatorSchemes: definition.schemes,
            targetSchemaParts: (_database, schema) => [schema],
            schemaPlaceholders: ["<schema>"],
            shortName: definition.label,
            article: "a",
            oracleBuild: false,
        },
        ...definition,
    };
}
