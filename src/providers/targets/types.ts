/**
 * Shapes shared by the SQL dialect modules (`postgres.ts`, `mysql.ts`, `oracle.ts`) and the
 * providers that use them.
 */

import { resolvedAtApply } from "../kernel/previewSql";

/** The name of a target database dialect (the registry in `index.ts` lists them). */
export type Dialect = "postgres" | "mysql" | "oracle";

/**
 * What a privilege is held on:
 * - `table`: a table in the resource's schema (`object` is the table name);
 * - `schema`: the PostgreSQL schema itself (`USAGE`; `object` is the schema name);
 * - `database`: every table of a MySQL database, `db.*` (`object` is the database name);
 * - `defaultTables`: a PostgreSQL default privilege on tables that the role named by `object`
 *   creates later in the schema (`ALTER DEFAULT PRIVILEGES FOR ROLE object IN SCHEMA …`).
 */
export type GrantKind = "schema" | "database" | "table" | "defaultTables";

/** One (object, privilege) pair held by the grantee. */
export interface GrantPair {
    kind: GrantKind;
    object: string;
    privilege: string;
    /**
     * The role recorded as having granted it (PostgreSQL and Oracle catalogs), when known. A
     * PostgreSQL or Oracle REVOKE removes only the revoker's own grants, so a pair is revoked as
     * this role. Absent for MySQL (any holder of GRANT OPTION revokes any grant) and in state
     * written before grantors were recorded.
     */
    grantor?: string;
    /**
     * `database`: a PostgreSQL default privilege granted database-wide (`ALTER DEFAULT PRIVILEGES
     * FOR ROLE …` without `IN SCHEMA`, a `pg_default_acl` row with `defaclnamespace = 0`). It
     * gives the same privileges on the schema's future tables as a schema-level one, so a desired
     * pair it covers is pre-existing; it is never revoked by this resource.
     */
    scope?: "database";
}

/**
 * A name only the catalog read at apply tells (e.g. "every table in the schema" in a preview).
 * Renderers write it as a readable placeholder, never as a quoted identifier.
 */
export interface AtApply {
    readonly atApply: string;
}

/** A table, schema or role name, or one only known at apply. */
export type PlannedName = string | AtApply;

/** A pair as planned: like {@link GrantPair}, but its object may be known only at apply. */
export type PlannedPair = Omit<GrantPair, "object"> & { object: PlannedName };

/** True for a name only known at apply. */
export function isAtApply(name: PlannedName): name is AtApply {
    return typeof name !== "string";
}

/** `name` quoted by `quote`, or the readable placeholder of a name only known at apply. */
export function nameText(name: PlannedName, quote: (name: string) => string): string {
    return isAtApply(name) ? resolvedAtApply(name.atApply) : quote(name);
}

/** `schema.name`, each part quoted; a name only known at apply is its placeholder alone. */
export function qualifiedName(
    schema: string,
    name: PlannedName,
    quote: (name: string) => string,
): string {
    return isAtApply(name) ? resolvedAtApply(name.atApply) : `${quote(schema)}.${quote(name)}`;
}

/**
 * A column-level privilege the grantee holds (PostgreSQL `attacl`, MySQL `columns_priv`). A
 * table-level REVOKE of the same privilege also removes it (PostgreSQL: the ones with the same
 * grantor; MySQL: all), so every such REVOKE is followed by a GRANT that restores it.
 */
export interface ColumnGrant {
    table: string;
    column: string;
    privilege: string;
    /** PostgreSQL: the role that granted it; absent for MySQL. */
    grantor?: string;
    /** PostgreSQL: granted WITH GRANT OPTION. */
    grantable?: boolean;
}

/** Stable text key of a column grant (grantor and grant option included). */
export function columnKey(grant: ColumnGrant): string {
    return JSON.stringify([
        grant.table,
        grant.column,
        grant.privilege,
        grant.grantor ?? null,
        grant.grantable ?? false,
    ]);
}

/** Where the grants are made: every name exactly as stored in the catalog. */
export interface GrantTarget {
    /** PostgreSQL schema, MySQL database or Oracle owning schema. */
    schema: string;
    /** Role (PostgreSQL), user (MySQL) or user/role (Oracle) receiving the privileges. */
    grantee: string;
    /** MySQL account host part. */
    granteeHost?: string;
}

/** A relation found in the schema. */
export interface CatalogTable {
    name: string;
    /** Owning role (PostgreSQL); null where the dialect does not report one. */
    owner: string | null;
    /** True for base tables (schema-wide grants cover only these); false for views and the like. */
    baseTable: boolean;
}

/** The catalog as read in one query: what exists and what the grantee holds directly. */
export interface CatalogSnapshot {
    schemaExists: boolean;
    granteeExists: boolean;
    /** The role/user the admin connection runs as. */
    currentUser: string;
    tables: CatalogTable[];
    /**
     * Privileges the grantee holds directly on the schema, its tables and its default ACLs; a pair
     * granted by several grantors appears once per grantor.
     */
    held: GrantPair[];
    /** Column-level privileges the grantee holds on the schema's tables (none when absent). */
    columns?: ColumnGrant[];
    /** Owner of the schema (PostgreSQL), when it exists. */
    schemaOwner?: string;
    /** PostgreSQL: `server_version_num` of the server (e.g. 170002 for 17.2). */
    serverVersion?: number;
    /** PostgreSQL: the connecting role is a superuser. */
    superuser?: boolean;
    /**
     * PostgreSQL: owners (of the schema or its relations) whose privileges the connecting role
     * has; its GRANT/REVOKE on their objects act as them.
     */
    actsAsOwners?: string[];
}

/** A snapshot of nothing: the start of a catalog parser's result. */
export function emptySnapshot(): CatalogSnapshot {
    return {
        schemaExists: false,
        granteeExists: false,
        currentUser: "",
        tables: [],
        held: [],
        columns: [],
    };
}

/** Stable text key of a pair, for set operations. */
export function pairKey(pair: GrantPair): string {
    return JSON.stringify([pair.kind, pair.object, pair.privilege]);
}

/** Sorts column grants by table, column, privilege. */
export function sortColumnGrants(grants: readonly ColumnGrant[]): ColumnGrant[] {
    return [...grants].sort((a, b) => compareText(columnKey(a), columnKey(b)));
}

const KIND_RANK: Readonly<Record<GrantKind, number>> = {
    schema: 0,
    database: 1,
    table: 2,
    defaultTables: 3,
};

/** The order of {@link sortPairs}: kind, object, privilege; names known at apply last. */
function comparePairs(a: PlannedPair, b: PlannedPair): number {
    if (a.kind !== b.kind) return KIND_RANK[a.kind] - KIND_RANK[b.kind];
    if (a.object !== b.object) {
        const byObject = compareNames(a.object, b.object);
        if (byObject !== 0) return byObject;
    }
    return compareText(a.privilege, b.privilege);
}

/**
 * Sorts pairs by kind, object, privilege (state stays stable across runs); names known at apply
 * last. Planning mostly hands over lists already in this order (filters of sorted lists): one
 * pass confirms it, which costs far less than the sort's own calls of the comparison.
 */
export function sortPairs<P extends PlannedPair>(pairs: readonly P[]): P[] {
    return inPairOrder(pairs) ? pairs.slice() : [...pairs].sort(comparePairs);
}

/**
 * {@link sortPairs} for a list the caller has just built and owns: sorted in place when it is
 * not in order, and returned itself (at 10,000 tables every copy of a 40,000-pair list costs
 * fresh memory).
 */
export function sortOwnPairs<P extends PlannedPair>(pairs: P[]): P[] {
    return inPairOrder(pairs) ? pairs : pairs.sort(comparePairs);
}

function inPairOrder(pairs: readonly PlannedPair[]): boolean {
    for (let i = 1; i < pairs.length; i++) {
        if (comparePairs(pairs[i - 1]!, pairs[i]!) > 0) return false;
    }
    return true;
}

function compareText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function compareNames(a: PlannedName, b: PlannedName): number {
    if (isAtApply(a) || isAtApply(b)) {
        return isAtApply(a) && isAtApply(b)
            ? compareText(a.atApply, b.atApply)
            : isAtApply(a)
              ? 1
              : -1;
    }
    return compareText(a, b);
}

/**
 * Groups pairs of one kind by object, then groups objects that need the same privilege list, so
 * a dialect that accepts several objects per statement can issue one statement per group.
 * Privileges inside a group keep the order given by `privilegeOrder`.
 */
export function groupByPrivileges(
    pairs: readonly PlannedPair[],
    privilegeOrder: readonly string[],
    /** Only the pairs of this kind (default: every pair). */
    kind?: GrantKind,
): { privileges: string[]; objects: PlannedName[] }[] {
    const { objects, lists } = privilegesByObject(pairs, kind);
    const ranks = new Map<string, number>();
    privilegeOrder.forEach((p, i) => {
        if (!ranks.has(p)) ranks.set(p, i);
    });
    const rank = (p: string) => ranks.get(p) ?? privilegeOrder.length;
    type Group = { privileges: string[]; objects: PlannedName[] };
    const groups = new Map<string, Group>();
    let previousMet: string[] | undefined;
    let previous: Group | undefined;
    objects.forEach((object, i) => {
        const met = lists[i]!;
        // Neighbouring objects mostly met the same privileges in the same order: same group.
        let group = met === previousMet ? previous : undefined;
        if (!group) {
            const privileges = [...met].sort((a, b) => rank(a) - rank(b) || compareText(a, b));
            const key = privileges.join(",");
            group = groups.get(key);
            if (!group) groups.set(key, (group = { privileges, objects: [] }));
        }
        group.objects.push(object);
        previousMet = met;
        previous = group;
    });
    return [...groups.values()];
}

/**
 * The privileges of each object (`lists[i]` for `objects[i]`), in the order met. Pairs sorted by
 * object (as planning gives them) bring each object's pairs together and are read in one pass,
 * neighbours that met the same privileges in the same order sharing one list; any other order
 * goes through a map of the objects.
 */
function privilegesByObject(
    pairs: readonly PlannedPair[],
    kind: GrantKind | undefined,
): {
    objects: PlannedName[];
    lists: string[][];
} {
    const objects: PlannedName[] = [];
    const lists: string[][] = [];
    let current: string[] = [];
    const close = () => {
        const i = lists.length;
        if (i > 0 && sameStrings(lists[i - 1]!, current)) {
            lists.push(lists[i - 1]!);
            current.length = 0;
        } else {
            lists.push(current);
            current = [];
        }
    };
    for (const pair of pairs) {
        if (kind !== undefined && pair.kind !== kind) continue;
        const last = objects[objects.length - 1];
        if (objects.length === 0 || pair.object !== last) {
            const ascending =
                objects.length === 0 ||
                (typeof pair.object === "string" && typeof last === "string" && last < pair.object);
            if (!ascending) return privilegesByObjectUnsorted(pairs, kind);
            if (objects.length > 0) close();
            objects.push(pair.object);
        }
        if (!current.includes(pair.privilege)) current.push(pair.privilege);
    }
    if (objects.length > 0) close();
    return { objects, lists };
}

function privilegesByObjectUnsorted(
    pairs: readonly PlannedPair[],
    kind: GrantKind | undefined,
): {
    objects: PlannedName[];
    lists: string[][];
} {
    const byObject = new Map<PlannedName, string[]>();
    for (const pair of pairs) {
        if (kind !== undefined && pair.kind !== kind) continue;
        let privileges = byObject.get(pair.object);
        if (!privileges) byObject.set(pair.object, (privileges = []));
        if (!privileges.includes(pair.privilege)) privileges.push(pair.privilege);
    }
    return { objects: [...byObject.keys()], lists: [...byObject.values()] };
}

/** True when both lists hold the same strings in the same order. */
export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
}
