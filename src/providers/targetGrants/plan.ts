/**
 * Pure planning: from the configuration, the catalog snapshot and what this resource granted
 * before, work out which (object, privilege) pairs to grant and revoke, and what state to record.
 * Nothing here touches a database.
 */
import { mysqlGrantStatements, mysqlRevokeStatements } from "../dialects/mysql";
import { oracleGrantStatements, oracleRevokeStatements } from "../dialects/oracle";
import { pgGrantStatements, pgRevokeStatements } from "../dialects/postgres";
import {
    type CatalogSnapshot,
    type GrantPair,
    type GrantTarget,
    sortPairs,
} from "../dialects/types";
import type { TargetGrantsConfig } from "./config";

/** The pairs the configuration asks for, given what exists now. */
export interface DesiredGrants {
    pairs: GrantPair[];
    /** Roles whose future tables get default privileges (PostgreSQL). */
    defaultPrivilegeOwners: string[];
}

/*
 * Performance note: these functions run over (table, privilege) pairs — 40,000 and more on a
 * 10,000-table schema — on every read. Lookups go through {@link PairSet}, built once per call,
 * which never builds a string per pair (names coming from the catalog keep their cached hash),
 * and pairs are produced in sorted order so the final `sortPairs` (a merge sort) only confirms
 * the order in linear time.
 */

/** A set of pairs indexed kind → privilege → object. */
class PairSet {
    private readonly byKind = new Map<string, Map<string, Set<string>>>();

    constructor(pairs: readonly GrantPair[] = []) {
        for (const pair of pairs) this.add(pair);
    }

    /** Adds `pair`; false when it was already there. */
    add(pair: GrantPair): boolean {
        let byPrivilege = this.byKind.get(pair.kind);
        if (!byPrivilege) this.byKind.set(pair.kind, (byPrivilege = new Map()));
        let objects = byPrivilege.get(pair.privilege);
        if (!objects) byPrivilege.set(pair.privilege, (objects = new Set()));
        if (objects.has(pair.object)) return false;
        objects.add(pair.object);
        return true;
    }

    has(pair: GrantPair): boolean {
        return this.byKind.get(pair.kind)?.get(pair.privilege)?.has(pair.object) ?? false;
    }
}

/** Code-unit order, the order `sortPairs` uses for names. */
function sortedNames(names: Iterable<string>): string[] {
    return [...names].sort();
}

/** Tables the resource covers: the listed ones that exist, or every base table of the schema. */
export function tablesInScope(config: TargetGrantsConfig, snapshot: CatalogSnapshot): string[] {
    if (config.tables === null) {
        return snapshot.tables.filter((t) => t.baseTable).map((t) => t.name);
    }
    const existing = new Set(snapshot.tables.map((t) => t.name));
    return config.tables.filter((t) => existing.has(t));
}

/** Listed tables that do not exist in the schema. */
export function missingTables(config: TargetGrantsConfig, snapshot: CatalogSnapshot): string[] {
    if (config.tables === null) return [];
    const existing = new Set(snapshot.tables.map((t) => t.name));
    return config.tables.filter((t) => !existing.has(t));
}

/**
 * Owners whose future tables get default privileges: the names given, or the connecting role
 * plus every current owner of a base table in the schema (never the grantee itself).
 */
export function defaultPrivilegeOwners(
    config: TargetGrantsConfig,
    snapshot: CatalogSnapshot,
): string[] {
    if (config.dialect !== "postgres" || !config.defaultPrivileges) return [];
    const owners = new Set<string>(config.defaultPrivilegesFor ?? [snapshot.currentUser]);
    if (config.defaultPrivilegesFor === null) {
        for (const t of snapshot.tables) if (t.baseTable && t.owner) owners.add(t.owner);
    }
    return [...owners].filter((o) => o && o !== config.grantee).sort();
}

/** Every pair the configuration asks for. */
export function desiredGrants(
    config: TargetGrantsConfig,
    snapshot: CatalogSnapshot,
): DesiredGrants {
    const pairs: GrantPair[] = [];
    const owners = defaultPrivilegeOwners(config, snapshot);
    const privileges = sortedNames(new Set(config.privileges));
    const each = (kind: GrantPair["kind"], objects: readonly string[]) => {
        for (const object of sortedNames(new Set(objects))) {
            for (const privilege of privileges) pairs.push({ kind, object, privilege });
        }
    };
    if (config.dialect === "postgres") {
        pairs.push({ kind: "schema", object: config.schema, privilege: "USAGE" });
        each("table", tablesInScope(config, snapshot));
        each("defaultTables", owners);
    } else if (config.dialect === "mysql" && config.tables === null) {
        each("database", [config.schema]);
    } else {
        each("table", tablesInScope(config, snapshot));
    }
    return { pairs: sortPairs(pairs), defaultPrivilegeOwners: owners };
}

/** What this resource holds, as re-read from the catalog. */
export interface RecordedGrants {
    granted: GrantPair[];
    preexisting: GrantPair[];
    /**
     * Pairs a GRANT was sent for but whose outcome is unknown (the connection was lost and the
     * catalog could not be re-read with certainty). Never revoked as such: the next catalog read
     * (update, refresh, delete) counts the ones then held as granted by this resource and drops
     * the rest. Absent in state written before this field existed.
     */
    pending?: GrantPair[];
}

/**
 * Re-derives the recorded pairs from a fresh snapshot: pairs no longer held drop out (drift), a
 * pending pair now held is counted as granted (its GRANT was sent by this resource), and on
 * PostgreSQL a table privilege that appeared on a table created by an owner whose default
 * privilege this resource granted is counted as granted by this resource. The result has no
 * pending pairs.
 */
export function reconcile(previous: RecordedGrants, snapshot: CatalogSnapshot): RecordedGrants {
    const held = new PairSet(snapshot.held);
    const known = new PairSet();
    const preexisting: GrantPair[] = [];
    for (const p of previous.preexisting) {
        if (!held.has(p)) continue;
        known.add(p);
        preexisting.push(p);
    }
    const granted: GrantPair[] = [];
    /** Privilege → owners whose default privilege this resource granted. */
    const ourDefaults = new Map<string, Set<string>>();
    const adopt = (pairs: readonly GrantPair[]) => {
        for (const p of pairs) {
            if (!held.has(p) || !known.add(p)) continue;
            granted.push(p);
            if (p.kind !== "defaultTables") continue;
            const owners = ourDefaults.get(p.privilege) ?? new Set<string>();
            ourDefaults.set(p.privilege, owners.add(p.object));
        }
    };
    adopt(previous.granted);
    adopt(previous.pending ?? []);
    if (ourDefaults.size > 0) {
        const owners = new Map(snapshot.tables.map((t) => [t.name, t.owner]));
        for (const pair of snapshot.held) {
            if (pair.kind !== "table") continue;
            const owner = owners.get(pair.object);
            if (!owner || !ourDefaults.get(pair.privilege)?.has(owner)) continue;
            if (known.add(pair)) granted.push(pair);
        }
    }
    return { granted: sortPairs(granted), preexisting: sortPairs(preexisting) };
}

/** The change to make, and the state to record once it is made. */
export interface GrantChange {
    toGrant: GrantPair[];
    toRevoke: GrantPair[];
    granted: GrantPair[];
    preexisting: GrantPair[];
}

/**
 * Plans a change from `previouslyGranted` (already reconciled with `held`) to `desired`:
 * grant what is desired and not held; revoke what this resource granted and is no longer
 * desired; a desired pair held without this resource having granted it is pre-existing and is
 * never revoked. `create` is this with nothing previously granted.
 */
export function planChange(
    previouslyGranted: readonly GrantPair[],
    desired: readonly GrantPair[],
    held: readonly GrantPair[],
): GrantChange {
    const heldKeys = new PairSet(held);
    const ours = new PairSet(previouslyGranted);
    const wanted = new PairSet(desired);
    const toGrant: GrantPair[] = [];
    const granted: GrantPair[] = [];
    const preexisting: GrantPair[] = [];
    for (const p of desired) {
        const isHeld = heldKeys.has(p);
        if (!isHeld) toGrant.push(p);
        if (!isHeld || ours.has(p)) granted.push(p);
        else preexisting.push(p);
    }
    const toRevoke = previouslyGranted.filter((p) => !wanted.has(p) && heldKeys.has(p));
    return {
        toGrant: sortPairs(toGrant),
        toRevoke: sortPairs(toRevoke),
        granted: sortPairs(granted),
        preexisting: sortPairs(preexisting),
    };
}

/** Desired pairs not held now (shown as drift; the next `up` grants them). */
export function missingPairs(
    desired: readonly GrantPair[],
    held: readonly GrantPair[],
): GrantPair[] {
    const heldKeys = new PairSet(held);
    return desired.filter((p) => !heldKeys.has(p));
}

/**
 * Tables in scope on which the grantee can use every configured privilege: through table
 * grants, or on MySQL through the `db.*` grant (which covers tables created later).
 */
export function coveredTables(
    config: TargetGrantsConfig,
    snapshot: CatalogSnapshot,
    held: readonly GrantPair[] = snapshot.held,
): string[] {
    const privileges = [...new Set(config.privileges)];
    const onDatabase = new Set<string>();
    const onTables = new Map<string, Set<string>>();
    for (const p of held) {
        if (p.kind === "table") {
            const set = onTables.get(p.object);
            if (set) set.add(p.privilege);
            else onTables.set(p.object, new Set([p.privilege]));
        } else if (p.kind === "database" && p.object === config.schema) {
            onDatabase.add(p.privilege);
        }
    }
    // Privileges the `db.*` grant does not give must be held on each table.
    const perTable =
        config.dialect === "mysql" ? privileges.filter((p) => !onDatabase.has(p)) : privileges;
    const covered = tablesInScope(config, snapshot).filter((table) => {
        if (perTable.length === 0) return true;
        const set = onTables.get(table);
        return set !== undefined && perTable.every((p) => set.has(p));
    });
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

/** Options the statement text depends on. */
export interface StatementOptions {
    /** MySQL 8 `partial_revokes` (changes how `db.*` names are written). */
    partialRevokes: boolean;
}

/** The REVOKE then GRANT statements for a change, in the dialect's syntax. */
export function renderChange(
    config: TargetGrantsConfig,
    change: Pick<GrantChange, "toGrant" | "toRevoke">,
    options: StatementOptions = { partialRevokes: false },
): { revokes: string[]; grants: string[] } {
    const target: GrantTarget = {
        schema: config.schema,
        grantee: config.grantee,
        granteeHost: config.granteeHost,
    };
    switch (config.dialect) {
        case "postgres":
            return {
                revokes: pgRevokeStatements(change.toRevoke, target),
                grants: pgGrantStatements(change.toGrant, target),
            };
        case "mysql":
            return {
                revokes: mysqlRevokeStatements(change.toRevoke, target, options),
                grants: mysqlGrantStatements(change.toGrant, target, options),
            };
        case "oracle":
            return {
                revokes: oracleRevokeStatements(change.toRevoke, target),
                grants: oracleGrantStatements(change.toGrant, target),
            };
    }
}
