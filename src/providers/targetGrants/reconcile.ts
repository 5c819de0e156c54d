/**
 * Reconciliation (pure): what this resource holds, re-derived from a fresh catalog snapshot, and
 * the column grants a table-level REVOKE would take with it.
 */
import { tableGroupsOf } from "../targets/tableGroups";
import {
    type CatalogSnapshot,
    type ColumnGrant,
    type GrantPair,
    columnKey,
    sortColumnGrants,
    sortPairs,
} from "../targets/types";
import { type HeldIndex, heldIndex, nonTablePairs } from "./pairs";
import { recordedTablesExactlyHeld } from "./reconcileTables";

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

/** What {@link withGrantor} reads of a held entry: a held pair, or a catalog group's entry. */
interface HeldEntry {
    privilege: string;
    grantor?: string | undefined;
    scope?: "database";
}

/**
 * The one grantor `entries` show for `privilege` (those of other privileges and database-wide
 * ones passed over), or undefined when they show none or several.
 */
function soleGrantor(entries: readonly HeldEntry[], privilege: string): string | undefined {
    let grantor: string | undefined;
    for (const e of entries) {
        if (e.privilege !== privilege || e.scope === "database" || e.grantor === undefined) {
            continue;
        }
        if (grantor !== undefined && grantor !== e.grantor) return undefined;
        grantor = e.grantor;
    }
    return grantor;
}

/**
 * `pair` with its grantor filled in from the catalog when it has none and the catalog shows
 * exactly one grantor for it among `entries`.
 */
function withGrantor(pair: GrantPair, entries: readonly HeldEntry[]): GrantPair {
    if (pair.grantor !== undefined) return pair;
    return withKnownGrantor(pair, soleGrantor(entries, pair.privilege));
}

function withKnownGrantor(pair: GrantPair, grantor: string | undefined): GrantPair {
    if (grantor === undefined) return pair;
    return { kind: pair.kind, object: pair.object, privilege: pair.privilege, grantor };
}

/**
 * `pairs` with grantors filled in from `snapshot` where it shows exactly one: table pairs from
 * their catalog group when the read recorded groups (no index of every held table pair), the
 * group's grantor of each privilege found once.
 */
export function attachGrantors(
    pairs: readonly GrantPair[],
    snapshot: CatalogSnapshot,
): GrantPair[] {
    const groups = tableGroupsOf(snapshot);
    if (!groups) {
        const index = heldIndex(snapshot.held);
        return pairs.map((p) => withGrantor(p, index.entries(p)));
    }
    const others = heldIndex(groups.others);
    const found: Map<string, string | undefined>[] = [];
    // Sorted pairs bring a table's privileges together: its group is looked up once.
    let table: string | undefined;
    let group: number | undefined;
    return pairs.map((p) => {
        if (p.kind !== "table") return withGrantor(p, others.entries(p));
        if (p.object !== table) group = groups.groupOf.get((table = p.object));
        if (group === undefined || p.grantor !== undefined) return p;
        const known = (found[group] ??= new Map());
        let grantor = known.get(p.privilege);
        if (grantor === undefined && !known.has(p.privilege)) {
            known.set(p.privilege, (grantor = soleGrantor(groups.entries[group]!, p.privilege)));
        }
        return withKnownGrantor(p, grantor);
    });
}

/**
 * Re-derives the recorded pairs from a fresh snapshot: pairs no longer held (from their recorded
 * grantor) drop out (drift), a pending pair now held is counted as granted (its GRANT was sent
 * by this resource), and on PostgreSQL a table privilege that appeared on a table created by an
 * owner whose default privilege this resource granted is counted as granted by this resource.
 * The result has no pending pairs; its column grants are those still to protect (see
 * {@link reconcileColumnGrants}).
 *
 * When the recorded table pairs are exactly the held ones (`recordedTablesExactlyHeld`, the
 * usual refresh), they are kept as they are and only the other kinds are reconciled pair by
 * pair: the result is the same, without indexing every held table pair.
 */
export function reconcile(previous: RecordedGrants, snapshot: CatalogSnapshot): RecordedGrants {
    const tables = recordedTablesExactlyHeld(previous, snapshot);
    const kept = tables
        ? reconcilePairs(withoutTablePairs(previous), heldIndex(nonTablePairs(snapshot)))
        : reconcilePairs(previous, heldIndex(snapshot.held), snapshot);
    const sortedGranted = sortPairs(tables ? [...kept.granted, ...tables.granted] : kept.granted);
    return {
        granted: sortedGranted,
        preexisting: sortPairs(
            tables ? [...kept.preexisting, ...tables.preexisting] : kept.preexisting,
        ),
        columnGrants: reconcileColumnGrants(previous.columnGrants ?? [], sortedGranted, snapshot),
    };
}

/** `recorded` without its table pairs. */
function withoutTablePairs(recorded: RecordedGrants): RecordedGrants {
    const others = (pairs: readonly GrantPair[]) => pairs.filter((p) => p.kind !== "table");
    return {
        granted: others(recorded.granted),
        preexisting: others(recorded.preexisting),
        pending: others(recorded.pending ?? []),
    };
}

/**
 * {@link reconcile}'s pair-by-pair work over `index`, unsorted. Tables made under this resource's
 * default privileges are adopted from `adoptFrom` (left out when every held table pair is
 * already recorded).
 */
export function reconcilePairs(
    previous: RecordedGrants,
    index: HeldIndex,
    adoptFrom?: CatalogSnapshot,
): { granted: GrantPair[]; preexisting: GrantPair[] } {
    // Pairs already counted, by their index slot (one array per kind, privilege and object).
    const known = new Set<readonly GrantPair[]>();
    const preexisting: GrantPair[] = [];
    for (const p of previous.preexisting) {
        const slot = index.slot(p);
        if (!slot) continue;
        known.add(slot);
        preexisting.push(p);
    }
    const granted: GrantPair[] = [];
    /** Privilege → owners whose default privilege this resource granted. */
    const ourDefaults = new Map<string, Set<string>>();
    const adopt = (pairs: readonly GrantPair[]) => {
        for (const p of pairs) {
            const slot = index.slot(p);
            if (!slot || known.has(slot) || !index.ours(p, slot)) continue;
            known.add(slot);
            granted.push(withGrantor(p, slot));
            if (p.kind !== "defaultTables") continue;
            const owners = ourDefaults.get(p.privilege) ?? new Set<string>();
            ourDefaults.set(p.privilege, owners.add(p.object));
        }
    };
    adopt(previous.granted);
    adopt(previous.pending ?? []);
    if (!adoptFrom || ourDefaults.size === 0) return { granted, preexisting };
    // When every held table key is already counted, the catalog has nothing more to adopt.
    let knownTables = 0;
    for (const slot of known) if (slot[0]?.kind === "table") knownTables++;
    if (knownTables === index.keyCount("table")) return { granted, preexisting };
    const owners = new Map(adoptFrom.tables.map((t) => [t.name, t.owner]));
    for (const pair of adoptFrom.held) {
        if (pair.kind !== "table") continue;
        const owner = owners.get(pair.object);
        if (!owner || !ourDefaults.get(pair.privilege)?.has(owner)) continue;
        // Made by the default ACL: granted by the table's owner.
        if (pair.grantor !== undefined && pair.grantor !== owner) continue;
        const slot = index.slot(pair);
        if (!slot || known.has(slot)) continue;
        known.add(slot);
        granted.push(pair);
    }
    return { granted, preexisting };
}

/**
 * The role a REVOKE of `pair` acts as: its recorded grantor, or (older state) the owner of the
 * table, which is whom a superuser's or an owner's REVOKE acts as.
 */
function revokingGrantor(
    pair: GrantPair,
    owners: () => ReadonlyMap<string, string | null>,
): string | undefined {
    if (pair.grantor !== undefined) return pair.grantor;
    return owners().get(pair.object) ?? undefined;
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
    // Without column grants (the usual case) there is nothing to match 40,000 pairs against.
    if ((snapshot.columns ?? []).length === 0) return [];
    let ownerMap: Map<string, string | null> | undefined;
    const owners = () => (ownerMap ??= new Map(snapshot.tables.map((t) => [t.name, t.owner])));
    const grantorOf = new Map<string, string | undefined>();
    for (const p of tablePairs) {
        if (p.kind === "table")
            grantorOf.set(JSON.stringify([p.object, p.privilege]), revokingGrantor(p, owners));
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
    if (recorded.length === 0) return [];
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
