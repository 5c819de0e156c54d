/**
 * Pure planning: from the configuration, the catalog snapshot and what this resource granted
 * before, work out which (object, privilege) pairs to grant and revoke, and what state to record.
 * Nothing here touches a database.
 */
import {
    mysqlColumnGrantStatements,
    mysqlGrantStatements,
    mysqlRevokeStatements,
} from "../targets/mysql";
import { oracleGrantStatements, oracleRevokeStatements } from "../targets/oracle";
import { pgGrantStatements, pgRevokeStatements } from "../targets/postgres";
import {
    type CatalogSnapshot,
    type ColumnGrant,
    type GrantPair,
    type GrantTarget,
    columnKey,
    pairKey,
    sortColumnGrants,
    sortPairs,
} from "../targets/types";
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
    /**
     * Column-level privileges of the grantee that a REVOKE of this resource's table-level pairs
     * removes as a side effect (see {@link ColumnGrant}); they are granted again after every such
     * REVOKE, also by a later run when a REVOKE went through and the re-grant did not. Absent in
     * state written before this field existed.
     */
    columnGrants?: ColumnGrant[];
}

/** Held entries indexed by pair key (one per grantor). */
class HeldIndex {
    private readonly byKey = new Map<string, GrantPair[]>();

    constructor(held: readonly GrantPair[]) {
        for (const pair of held) {
            const key = pairKey(pair);
            const list = this.byKey.get(key);
            if (list) list.push(pair);
            else this.byKey.set(key, [pair]);
        }
    }

    /** Entries for `pair`'s (kind, object, privilege), any grantor and scope. */
    entries(pair: GrantPair): GrantPair[] {
        return this.byKey.get(pairKey(pair)) ?? [];
    }

    /**
     * The entry showing that a pair this resource granted is still there: one granted in the
     * schema itself (never a database-wide default) by the recorded grantor, when one is recorded
     * and the catalog reports grantors.
     */
    ours(pair: GrantPair): GrantPair | undefined {
        const local = this.entries(pair).filter((e) => e.scope !== "database");
        if (pair.grantor === undefined) return local[0];
        return local.find((e) => e.grantor === undefined || e.grantor === pair.grantor);
    }
}

/**
 * `pair` with its grantor filled in from the catalog when it has none and the catalog shows
 * exactly one grantor for it.
 */
function withGrantor(pair: GrantPair, index: HeldIndex): GrantPair {
    if (pair.grantor !== undefined) return pair;
    const grantors = new Set(
        index
            .entries(pair)
            .filter((e) => e.scope !== "database" && e.grantor !== undefined)
            .map((e) => e.grantor),
    );
    if (grantors.size !== 1) return pair;
    const [grantor] = grantors;
    return { kind: pair.kind, object: pair.object, privilege: pair.privilege, grantor };
}

/** `pairs` with grantors filled in from `snapshot` where it shows exactly one. */
export function attachGrantors(
    pairs: readonly GrantPair[],
    snapshot: CatalogSnapshot,
): GrantPair[] {
    const index = new HeldIndex(snapshot.held);
    return pairs.map((p) => withGrantor(p, index));
}

/**
 * Re-derives the recorded pairs from a fresh snapshot: pairs no longer held (from their recorded
 * grantor) drop out (drift), a pending pair now held is counted as granted (its GRANT was sent
 * by this resource), and on PostgreSQL a table privilege that appeared on a table created by an
 * owner whose default privilege this resource granted is counted as granted by this resource.
 * The result has no pending pairs; its column grants are those still to protect (see
 * {@link reconcileColumnGrants}).
 */
export function reconcile(previous: RecordedGrants, snapshot: CatalogSnapshot): RecordedGrants {
    const held = new PairSet(snapshot.held);
    const index = new HeldIndex(snapshot.held);
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
            if (!index.ours(p) || !known.add(p)) continue;
            granted.push(withGrantor(p, index));
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
            // Made by the default ACL: granted by the table's owner.
            if (pair.grantor !== undefined && pair.grantor !== owner) continue;
            if (known.add(pair)) granted.push(pair);
        }
    }
    const sortedGranted = sortPairs(granted);
    return {
        granted: sortedGranted,
        preexisting: sortPairs(preexisting),
        columnGrants: reconcileColumnGrants(previous.columnGrants ?? [], sortedGranted, snapshot),
    };
}

/**
 * The role a REVOKE of `pair` acts as: its recorded grantor, or (older state) the owner of the
 * table, which is whom a superuser's or an owner's REVOKE acts as.
 */
function revokingGrantor(pair: GrantPair, snapshot: CatalogSnapshot): string | undefined {
    if (pair.grantor !== undefined) return pair.grantor;
    return snapshot.tables.find((t) => t.name === pair.object)?.owner ?? undefined;
}

/**
 * Column grants of `snapshot` that a table-level REVOKE of `tablePairs` removes: on the same
 * table and privilege and, where the catalog reports grantors (PostgreSQL), from the same
 * grantor (MySQL removes them whatever their grantor).
 */
export function columnsAffected(
    tablePairs: readonly GrantPair[],
    snapshot: CatalogSnapshot,
): ColumnGrant[] {
    const grantorOf = new Map<string, string | undefined>();
    for (const p of tablePairs) {
        if (p.kind === "table")
            grantorOf.set(JSON.stringify([p.object, p.privilege]), revokingGrantor(p, snapshot));
    }
    return (snapshot.columns ?? []).filter((c) => {
        const key = JSON.stringify([c.table, c.privilege]);
        if (!grantorOf.has(key)) return false;
        return c.grantor === undefined || c.grantor === grantorOf.get(key);
    });
}

/**
 * The column grants to protect after a read: the ones a REVOKE of `granted` would remove, plus
 * recorded ones that are gone while this resource's table-level pair is gone too on a table that
 * still exists (a REVOKE went through and the re-grant did not; the next REVOKE step restores
 * them). A recorded one that is gone while the table-level pair is still held was revoked by
 * someone else: drift, dropped.
 */
export function reconcileColumnGrants(
    recorded: readonly ColumnGrant[],
    granted: readonly GrantPair[],
    snapshot: CatalogSnapshot,
): ColumnGrant[] {
    const out = new Map<string, ColumnGrant>();
    for (const c of columnsAffected(granted, snapshot)) out.set(columnKey(c), c);
    for (const c of missingColumnGrants(recorded, granted, snapshot)) out.set(columnKey(c), c);
    return sortColumnGrants([...out.values()]);
}

/**
 * Recorded column grants not held now, on tables that exist, whose table-level pair this
 * resource no longer holds (`stillGranted`): what a crashed REVOKE step left to restore.
 */
function missingColumnGrants(
    recorded: readonly ColumnGrant[],
    stillGranted: readonly GrantPair[],
    snapshot: CatalogSnapshot,
): ColumnGrant[] {
    const live = new Set((snapshot.columns ?? []).map(columnKey));
    const tables = new Set(snapshot.tables.map((t) => t.name));
    const ours = new Set(
        stillGranted
            .filter((p) => p.kind === "table")
            .map((p) => JSON.stringify([p.object, p.privilege])),
    );
    return recorded.filter(
        (c) =>
            !live.has(columnKey(c)) &&
            tables.has(c.table) &&
            !ours.has(JSON.stringify([c.table, c.privilege])),
    );
}

/**
 * Column grants to grant again right after revoking `toRevoke` (in the same batch): the ones the
 * REVOKE removes, and recorded ones an earlier REVOKE step removed without restoring them.
 * `remaining` are this resource's table-level pairs that stay granted.
 */
export function columnsToRestore(
    toRevoke: readonly GrantPair[],
    remaining: readonly GrantPair[],
    snapshot: CatalogSnapshot,
    recorded: readonly ColumnGrant[],
): ColumnGrant[] {
    const out = new Map<string, ColumnGrant>();
    for (const c of columnsAffected(toRevoke, snapshot)) out.set(columnKey(c), c);
    for (const c of missingColumnGrants(recorded, remaining, snapshot)) out.set(columnKey(c), c);
    return sortColumnGrants([...out.values()]);
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

/**
 * Whether a plain statement by the connection on an object acts as `grantor` (PostgreSQL): the
 * grantor is the connection's role, or it owns the object and the connection is a superuser or
 * has the owner's privileges (PostgreSQL then records/revokes grants as the owner's).
 */
export function actsAsGrantor(
    snapshot: CatalogSnapshot,
): (grantor: string, kind: "schema" | "table", object: string) => boolean {
    const owners = new Map(snapshot.tables.map((t) => [t.name, t.owner]));
    const actsAsOwner = new Set(snapshot.actsAsOwners ?? []);
    return (grantor, kind, object) => {
        if (grantor === snapshot.currentUser) return true;
        const owner = kind === "schema" ? snapshot.schemaOwner : owners.get(object);
        return owner === grantor && (snapshot.superuser === true || actsAsOwner.has(grantor));
    };
}

/** Options the statement text depends on. */
export interface StatementOptions {
    /** MySQL 8 `partial_revokes` (changes how `db.*` names are written). */
    partialRevokes: boolean;
    /**
     * The catalog the change is planned from: who the connection is and who owns what
     * (PostgreSQL revokes as each pair's grantor). Without it, statements ignore grantors.
     */
    snapshot?: CatalogSnapshot;
    /** Column grants to restore right after the REVOKEs (see {@link columnsToRestore}). */
    restoreColumns?: readonly ColumnGrant[];
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
    const restore = options.restoreColumns ?? [];
    switch (config.dialect) {
        case "postgres":
            return {
                revokes: pgRevokeStatements(
                    change.toRevoke,
                    target,
                    options.snapshot === undefined
                        ? undefined
                        : {
                              currentUser: options.snapshot.currentUser,
                              actsAs: actsAsGrantor(options.snapshot),
                              restoreColumns: restore,
                          },
                ),
                grants: pgGrantStatements(change.toGrant, target),
            };
        case "mysql":
            return {
                revokes: [
                    ...mysqlRevokeStatements(change.toRevoke, target, options),
                    ...mysqlColumnGrantStatements(restore, target),
                ],
                grants: mysqlGrantStatements(change.toGrant, target, options),
            };
        case "oracle":
            return {
                revokes: oracleRevokeStatements(change.toRevoke, target),
                grants: oracleGrantStatements(change.toGrant, target),
            };
    }
}
