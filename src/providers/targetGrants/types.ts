/**
 * TargetGrants shapes: the inputs as the engine sends them, the configuration `check` parses them
 * into (which every lifecycle method works from), and the outputs kept in state.
 */
import type { StateVersioning } from "../kernel/stateVersion";
import type { ParsedConnection, TargetDialect } from "../targets";
import type { ColumnGrant, Dialect, GrantPair } from "../targets/types";

/** The inputs as the provider receives them (secrets in plaintext). */
export interface TargetGrantsInputs {
    connection: string;
    dialect?: string;
    grantee: string;
    granteeHost?: string;
    schema: string;
    tables?: string[];
    privileges?: string[];
    defaultPrivileges?: boolean;
    defaultPrivilegesFor?: string[];
}

/** What planning needs: the grant scope with every default applied (no connection). */
export interface GrantScopeConfig {
    dialect: TargetDialect;
    grantee: string;
    /** MySQL only (`%` by default); undefined elsewhere. */
    granteeHost: string | undefined;
    schema: string;
    /** null: every table of the schema. */
    tables: string[] | null;
    /** Table privileges, upper-case, in the order given. */
    privileges: string[];
    /** PostgreSQL only; false elsewhere. */
    defaultPrivileges: boolean;
    /** Owners named explicitly for default privileges; null: resolved from the catalog. */
    defaultPrivilegesFor: string[] | null;
}

/** The parsed configuration: the grant scope plus the parsed admin connection. */
export interface TargetGrantsConfig extends GrantScopeConfig {
    connection: ParsedConnection;
}

/** Version of the output shape below; bump it (and add a migration) when it changes. */
export const STATE_VERSION = 1;

/** How TargetGrants state is versioned (read through `readVersionedState`). */
export const STATE_VERSIONING: StateVersioning = {
    resource: "TargetGrants",
    current: STATE_VERSION,
};

/** Everything stored in state. `connection` is a secret output. */
export interface TargetGrantsOutputs {
    connection: string;
    dialect: Dialect;
    grantee: string;
    granteeHost: string | null;
    schema: string;
    tables: string[] | null;
    privileges: string[];
    defaultPrivileges: boolean;
    defaultPrivilegesFor: string[] | null;
    /** The server the grants live on (`dialect://host:port[/database]`, no credentials). */
    server: string;
    /** Roles whose future tables get default privileges (PostgreSQL). */
    defaultPrivilegeOwners: string[];
    /** Pairs this resource added (revoked on delete). */
    granted: GrantPair[];
    /** Pairs the grantee already held (never revoked). */
    preexisting: GrantPair[];
    /**
     * Pairs whose GRANT was sent when a change failed half-way, not yet confirmed (see
     * `RecordedGrants.pending`); empty unless the last create/update failed. Absent in older state.
     */
    pending?: GrantPair[];
    /** Desired pairs not held at the last read (drift; the next `up` grants them). */
    missing: GrantPair[];
    /**
     * Listed tables (`tables`) not found at the last read, e.g. dropped out of band (drift: the
     * next `up` refuses until they are recreated or removed from `tables`). Absent in older state.
     */
    missingTables?: string[];
    /**
     * Column-level privileges of the grantee that revoking this resource's table-level grants
     * would remove as a side effect; restored after every such REVOKE. Absent in older state.
     */
    columnGrants?: ColumnGrant[];
    /**
     * Tables in scope on which the grantee holds every configured privilege. For a MySQL `db.*`
     * grant (tables omitted) create and update do not list the tables (the grant covers every
     * present and future table of the database) and record []; read (refresh) fills it in.
     */
    coveredTables: string[];
    stateVersion: number;
}
