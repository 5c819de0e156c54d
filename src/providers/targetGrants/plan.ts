/**
 * Pure planning: from the configuration, the catalog snapshot and what this resource granted
 * before, which (object, privilege) pairs to grant and revoke, and the steps (statements) that
 * do it. Apply runs these steps; preview prints the same steps, with the names only the catalog
 * read at apply tells shown as placeholders. Nothing here touches a database.
 */
import type { PlannedChange, RenderOptions } from "../targets/dialect";
import {
    type AtApply,
    type CatalogSnapshot,
    type GrantPair,
    type GrantTarget,
    type PlannedName,
    type PlannedPair,
    isAtApply,
    sortOwnPairs,
} from "../targets/types";
import { resolvedAtApply } from "../kernel/previewSql";
import { PairSet, distinctSortedNames, heldIndex, heldLookup, sortedNames } from "./pairs";
import type { GrantScopeConfig } from "./types";

/** The pairs the configuration asks for, given what exists now. */
export interface DesiredGrants {
    pairs: GrantPair[];
    /** Roles whose future tables get default privileges (PostgreSQL). */
    defaultPrivilegeOwners: string[];
}

/** Tables the resource covers: the listed ones that exist, or every base table of the schema. */
export function tablesInScope(config: GrantScopeConfig, snapshot: CatalogSnapshot): string[] {
    if (config.tables === null) {
        return snapshot.tables.filter((t) => t.baseTable).map((t) => t.name);
    }
    const existing = new Set(snapshot.tables.map((t) => t.name));
    return config.tables.filter((t) => existing.has(t));
}

/** Listed tables that do not exist in the schema. */
export function missingTables(config: GrantScopeConfig, snapshot: CatalogSnapshot): string[] {
    if (config.tables === null) return [];
    const existing = new Set(snapshot.tables.map((t) => t.name));
    return config.tables.filter((t) => !existing.has(t));
}

/**
 * Owners whose future tables get default privileges: the names given, or the connecting role
 * plus every current owner of a base table in the schema (never the grantee itself).
 */
export function defaultPrivilegeOwners(
    config: GrantScopeConfig,
    snapshot: CatalogSnapshot,
): string[] {
    if (!config.defaultPrivileges) return [];
    const owners = new Set<string>(config.defaultPrivilegesFor ?? [snapshot.currentUser]);
    if (config.defaultPrivilegesFor === null) {
        for (const t of snapshot.tables) if (t.baseTable && t.owner) owners.add(t.owner);
    }
    return [...owners].filter((o) => o && o !== config.grantee).sort();
}

/** A pair whose object has the name type `N`. */
type PairOf<N extends PlannedName> = Omit<GrantPair, "object"> & { object: N };

/** Objects of one kind that all need the same privileges. */
interface DesiredGroup<N extends PlannedName> {
    kind: GrantPair["kind"];
    objects: readonly N[];
    privileges: readonly string[];
}

/** What `config` asks for on `tables` and, for default privileges, `owners`, by kind. */
function desiredGroups<N extends PlannedName>(
    config: GrantScopeConfig,
    tables: readonly N[],
    owners: readonly N[],
): DesiredGroup<N>[] {
    const privileges = distinctSortedNames(config.privileges);
    const groups: DesiredGroup<N>[] = [];
    const { scope } = config.dialect;
    if (scope.schemaUsage) {
        groups.push({ kind: "schema", objects: [config.schema as N], privileges: ["USAGE"] });
    }
    if (scope.wholeDatabase && config.tables === null) {
        groups.push({ kind: "database", objects: [config.schema as N], privileges });
    } else {
        groups.push({ kind: "table", objects: tables, privileges });
    }
    groups.push({ kind: "defaultTables", objects: owners, privileges });
    return groups;
}

/** The pairs of `config` on `tables` and, for default privileges, `owners`. */
function pairsFor<N extends PlannedName>(
    config: GrantScopeConfig,
    tables: readonly N[],
    owners: readonly N[],
): PairOf<N>[] {
    const pairs: PairOf<N>[] = [];
    for (const { kind, objects, privileges } of desiredGroups(config, tables, owners)) {
        const named = distinctSortedNames(objects.filter((o) => !isAtApply(o)) as string[]);
        const later = objects.filter((o) => isAtApply(o));
        for (const object of [...(named as N[]), ...later]) {
            for (const privilege of privileges) pairs.push({ kind, object, privilege });
        }
    }
    return sortOwnPairs(pairs);
}

/**
 * The pairs the configuration asks for that `snapshot` does not show held (drift; the next `up`
 * grants them): the pairs of `desiredGrants(config, snapshot)` the catalog does not hold, found
 * without building every desired pair — at 10,000 tables nearly all of them are held.
 */
export function missingGrants(config: GrantScopeConfig, snapshot: CatalogSnapshot): GrantPair[] {
    const index = heldLookup(snapshot);
    const owners = defaultPrivilegeOwners(config, snapshot);
    const missing: GrantPair[] = [];
    for (const group of desiredGroups(config, tablesInScope(config, snapshot), owners)) {
        const objects = new Set(group.objects);
        for (const privilege of group.privileges) {
            const held = index.objectsWith(group.kind, privilege);
            for (const object of objects) {
                if (!held.has(object)) missing.push({ kind: group.kind, object, privilege });
            }
        }
    }
    return sortOwnPairs(missing);
}

/** Every pair the configuration asks for. */
export function desiredGrants(config: GrantScopeConfig, snapshot: CatalogSnapshot): DesiredGrants {
    const owners = defaultPrivilegeOwners(config, snapshot);
    return {
        pairs: pairsFor(config, tablesInScope(config, snapshot), owners),
        defaultPrivilegeOwners: owners,
    };
}

/** What only the catalog read at apply tells, for a plan made offline (preview). */
export const EVERY_TABLE = (schema: string): AtApply => ({
    atApply: `every table in ${schema}`,
});
export const TABLE_OWNERS: AtApply = {
    atApply: "the connecting role and every owner of a table in the schema",
};

/**
 * The pairs the configuration asks for, planned offline: the tables and owners given (or known
 * from state), and otherwise the ones the catalog read at apply resolves.
 */
export function plannedGrants(
    config: GrantScopeConfig,
    tables: readonly PlannedName[],
    owners: readonly PlannedName[] | null,
): PlannedPair[] {
    const planned =
        owners ?? (config.defaultPrivileges ? (config.defaultPrivilegesFor ?? [TABLE_OWNERS]) : []);
    return pairsFor<PlannedName>(
        config,
        tables,
        planned.filter((o) => o !== config.grantee),
    );
}

/** The change to make, and the state to record once it is made. */
export interface GrantChange<P extends PlannedPair = GrantPair> {
    toGrant: P[];
    toRevoke: P[];
    granted: P[];
    preexisting: P[];
}

/**
 * Plans a change from `previouslyGranted` (already reconciled with `held`) to `desired`:
 * grant what is desired and not held; revoke what this resource granted and is no longer
 * desired; a desired pair held without this resource having granted it is pre-existing and is
 * never revoked. `create` is this with nothing previously granted.
 */
export function planChange<P extends PlannedPair>(
    previouslyGranted: readonly P[],
    desired: readonly P[],
    held: readonly GrantPair[],
): GrantChange<P> {
    const heldKeys = heldIndex(held);
    if (previouslyGranted.length === 0 && !desired.some((p) => heldKeys.has(p))) {
        // A create on a schema where the grantee holds none of it: every pair is granted.
        const all = sortOwnPairs(desired.slice());
        return { toGrant: all, toRevoke: [], granted: all.slice(), preexisting: [] };
    }
    const ours = new PairSet(previouslyGranted);
    const toGrant: P[] = [];
    const granted: P[] = [];
    const preexisting: P[] = [];
    for (const p of desired) {
        const isHeld = heldKeys.has(p);
        if (!isHeld) toGrant.push(p);
        if (!isHeld || ours.has(p)) granted.push(p);
        else preexisting.push(p);
    }
    // Nothing previously granted (create): no revoke to find, no index of the desired pairs.
    const wanted = previouslyGranted.length > 0 ? new PairSet(desired) : undefined;
    const toRevoke = previouslyGranted.filter((p) => !wanted?.has(p) && heldKeys.has(p));
    return {
        toGrant: sortOwnPairs(toGrant),
        toRevoke: sortOwnPairs(toRevoke),
        granted: sortOwnPairs(granted),
        preexisting: sortOwnPairs(preexisting),
    };
}

/**
 * Tables in scope on which the grantee can use every configured privilege: through table
 * grants, or on MySQL through the `db.*` grant (which covers tables created later).
 */
export function coveredTables(config: GrantScopeConfig, snapshot: CatalogSnapshot): string[] {
    const index = heldLookup(snapshot);
    const privileges = [...new Set(config.privileges)];
    // Privileges the `db.*` grant does not give must be held on each table.
    const perTable = config.dialect.scope.wholeDatabase
        ? privileges.filter((p) => !index.objectsWith("database", p).has(config.schema))
        : privileges;
    const holders = perTable.map((privilege) => index.objectsWith("table", privilege));
    const covered = tablesInScope(config, snapshot).filter((table) =>
        holders.every((on) => on.has(table)),
    );
    return sortedNames(covered);
}

/** Applies a change to a held set (what the catalog will show once the change is made). */
export function heldAfter(held: readonly GrantPair[], change: GrantChange): GrantPair[] {
    const revoked = new PairSet(change.toRevoke);
    const out = change.toRevoke.length === 0 ? [...held] : held.filter((p) => !revoked.has(p));
    const present = new PairSet(out);
    for (const p of change.toGrant) if (present.add(p)) out.push(p);
    return out;
}

/** One statement of a change, as apply runs it and preview prints it. */
export interface GrantStep {
    /** REVOKE steps (and the column grants that restore what they removed) run before GRANTs. */
    phase: "revoke" | "grant";
    /** The statement: identifiers quoted by the dialect's rules. */
    sql: string;
    /** Bound parameters (none: GRANT/REVOKE name objects, which cannot be bound). */
    params: readonly unknown[];
    /** Why the step runs, or when it is skipped. */
    note?: string;
    /** What in the statement only the catalog read at apply tells (shown as placeholders). */
    atApply: string[];
}

/** Notes a preview attaches to the steps of a change planned offline. */
export interface StepNotes {
    revoke?: string;
    grant?: string;
}

/** Where the grants are made, and in which dialect. */
export type GrantPlace = Pick<GrantScopeConfig, "dialect" | "schema" | "grantee" | "granteeHost">;

/** The target of the grants. */
export function targetOf(config: GrantPlace): GrantTarget {
    return { schema: config.schema, grantee: config.grantee, granteeHost: config.granteeHost };
}

/** The REVOKE then GRANT statements for a change, in the dialect's syntax. */
export function renderChange(
    config: GrantPlace,
    change: PlannedChange,
    options: RenderOptions = { partialRevokes: false },
): { revokes: string[]; grants: string[] } {
    return config.dialect.renderChange(change, targetOf(config), options);
}

/** The steps of a change: its REVOKEs, then its GRANTs. */
export function changeSteps(
    config: GrantPlace,
    change: PlannedChange,
    options: RenderOptions = { partialRevokes: false },
    notes: StepNotes = {},
): GrantStep[] {
    const { revokes, grants } = renderChange(config, change, options);
    const deferred = new Set<string>();
    for (const list of [change.toGrant, change.toRevoke]) {
        for (const { object } of list) if (isAtApply(object)) deferred.add(object.atApply);
    }
    const step = (phase: GrantStep["phase"], sql: string, note?: string): GrantStep => {
        const extra = config.dialect.statementNote(sql, config.schema);
        const joined = [note, extra].filter((n) => n).join("; ");
        return {
            phase,
            sql,
            params: [],
            ...(joined ? { note: joined } : {}),
            atApply: [...deferred].filter((d) => sql.includes(resolvedAtApply(d))),
        };
    };
    return [
        ...revokes.map((sql) => step("revoke", sql, notes.revoke)),
        ...grants.map((sql) => step("grant", sql, notes.grant)),
    ];
}

/** The statements of `steps` by phase, as a session runs them. */
export function statementsOf(steps: readonly GrantStep[]): { revokes: string[]; grants: string[] } {
    return {
        revokes: steps.filter((s) => s.phase === "revoke").map((s) => s.sql),
        grants: steps.filter((s) => s.phase === "grant").map((s) => s.sql),
    };
}
