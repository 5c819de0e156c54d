/**
 * Set and index structures over grant pairs, shared by planning and reconciliation.
 *
 * Performance note: planning runs over (table, privilege) pairs — 40,000 and more on a
 * 10,000-table schema — on every read. Lookups go through {@link PairSet}, built once per call,
 * which never builds a string per pair (names coming from the catalog keep their cached hash),
 * and pairs are produced in sorted order so the final `sortPairs` (a merge sort) only confirms
 * the order in linear time.
 */
import { tableGroupsOf, tablesHolding } from "../targets/tableGroups";
import {
    type CatalogSnapshot,
    type GrantPair,
    type PlannedName,
    type PlannedPair,
    isAtApply,
} from "../targets/types";

/** A set of pairs indexed kind → privilege → object. */
export class PairSet {
    private readonly byKind = new Map<string, Map<string, Set<PlannedName>>>();

    constructor(pairs: readonly PlannedPair[] = []) {
        for (const pair of pairs) this.add(pair);
    }

    /** Adds `pair`; false when it was already there. */
    add(pair: PlannedPair): boolean {
        let byPrivilege = this.byKind.get(pair.kind);
        if (!byPrivilege) this.byKind.set(pair.kind, (byPrivilege = new Map()));
        let objects = byPrivilege.get(pair.privilege);
        if (!objects) byPrivilege.set(pair.privilege, (objects = new Set()));
        if (objects.has(pair.object)) return false;
        objects.add(pair.object);
        return true;
    }

    has(pair: PlannedPair): boolean {
        return this.byKind.get(pair.kind)?.get(pair.privilege)?.has(pair.object) ?? false;
    }
}

/** Code-unit order, the order `sortPairs` uses for names (one pass when already in it). */
export function sortedNames(names: Iterable<string>): string[] {
    return inCodeUnitOrder([...names]);
}

/** `list` sorted in code-unit order in place; a list already in order is only checked. */
export function inCodeUnitOrder(list: string[]): string[] {
    for (let i = 1; i < list.length; i++) if (list[i - 1]! > list[i]!) return list.sort();
    return list;
}

/** The distinct names of `names`, in code-unit order (no hash set: sorted names are adjacent). */
export function distinctSortedNames(names: Iterable<string>): string[] {
    const sorted = sortedNames(names);
    return sorted.filter((name, i) => i === 0 || name !== sorted[i - 1]);
}

/**
 * Held entries indexed kind → privilege → object (one entry per grantor). No string is built per
 * pair: a JSON key per held pair was the largest single cost of a 10,000-table read.
 */
export class HeldIndex {
    private readonly byKind = new Map<string, Map<string, Map<string, GrantPair[]>>>();

    constructor(held: readonly GrantPair[]) {
        let last: GrantPair | undefined;
        let byObject: Map<string, GrantPair[]> | undefined;
        for (const pair of held) {
            // Catalog lists bring runs of one kind and privilege: look their map up once per run.
            if (!byObject || last?.kind !== pair.kind || last.privilege !== pair.privilege) {
                let byPrivilege = this.byKind.get(pair.kind);
                if (!byPrivilege) this.byKind.set(pair.kind, (byPrivilege = new Map()));
                byObject = byPrivilege.get(pair.privilege);
                if (!byObject) byPrivilege.set(pair.privilege, (byObject = new Map()));
            }
            last = pair;
            const list = byObject.get(pair.object);
            if (list) list.push(pair);
            else byObject.set(pair.object, [pair]);
        }
    }

    /** Entries for `pair`'s (kind, object, privilege), any grantor and scope. */
    entries(pair: GrantPair): readonly GrantPair[] {
        return this.slot(pair) ?? [];
    }

    /**
     * The entries for `pair`'s (kind, object, privilege), or undefined when none is held. The
     * same array comes back for every pair with that key, so it can stand for the key in a Set.
     */
    slot(pair: GrantPair): readonly GrantPair[] | undefined {
        return this.byKind.get(pair.kind)?.get(pair.privilege)?.get(pair.object);
    }

    /** How many distinct (object, privilege) keys of `kind` are held. */
    keyCount(kind: GrantPair["kind"]): number {
        let count = 0;
        for (const objects of this.byKind.get(kind)?.values() ?? []) count += objects.size;
        return count;
    }

    /** The held objects of one kind and privilege (object → its entries), if any. */
    objectsWith(kind: GrantPair["kind"], privilege: string): ReadonlyMap<string, unknown> {
        return this.byKind.get(kind)?.get(privilege) ?? EMPTY;
    }

    /** True when the catalog shows `pair` held (any grantor, any scope). */
    has(pair: PlannedPair): boolean {
        return (
            !isAtApply(pair.object) && this.objectsWith(pair.kind, pair.privilege).has(pair.object)
        );
    }

    /**
     * The entry showing that a pair this resource granted is still there: one granted in the
     * schema itself (never a database-wide default) by the recorded grantor, when one is recorded
     * and the catalog reports grantors.
     */
    ours(pair: GrantPair, entries = this.entries(pair)): GrantPair | undefined {
        for (const e of entries) {
            if (e.scope === "database") continue;
            if (
                pair.grantor === undefined ||
                e.grantor === undefined ||
                e.grantor === pair.grantor
            ) {
                return e;
            }
        }
        return undefined;
    }
}

const EMPTY: ReadonlyMap<string, unknown> = new Map();

const heldIndexes = new WeakMap<readonly GrantPair[], HeldIndex>();

/**
 * The index of a catalog's held list, built once per list: one read plans, reconciles and
 * computes its outputs over the same 40,000 pairs of a 10,000-table schema, and each index
 * build is a full pass. Held lists are never changed after the catalog read that made them
 * (changes make new lists, see `heldAfter`).
 */
export function heldIndex(held: readonly GrantPair[]): HeldIndex {
    let index = heldIndexes.get(held);
    if (!index) heldIndexes.set(held, (index = new HeldIndex(held)));
    return index;
}

const otherKinds = new WeakMap<readonly GrantPair[], GrantPair[]>();

/**
 * The held pairs of `snapshot` that are not table pairs (schema, database, default ACLs): as its
 * parser recorded them beside its table groups, or else from its held list, once per list.
 */
export function nonTablePairs(snapshot: CatalogSnapshot): readonly GrantPair[] {
    const grouped = tableGroupsOf(snapshot)?.others;
    if (grouped) return grouped;
    const { held } = snapshot;
    let list = otherKinds.get(held);
    if (!list) otherKinds.set(held, (list = held.filter((p) => p.kind !== "table")));
    return list;
}

/** Which objects hold a privilege: what planning asks of a held list. */
export interface HeldLookup {
    objectsWith(kind: GrantPair["kind"], privilege: string): { has(object: string): boolean };
}

/**
 * Lookups over what `snapshot` shows held: per catalog group for its table pairs when the parser
 * recorded the groups (PostgreSQL), so no index of 40,000 table pairs is built; otherwise the
 * index of its held list.
 */
export function heldLookup(snapshot: CatalogSnapshot): HeldLookup {
    const groups = tableGroupsOf(snapshot);
    if (!groups) return heldIndex(snapshot.held);
    const others = heldIndex(groups.others);
    return {
        objectsWith: (kind, privilege) =>
            kind === "table"
                ? tablesHolding(groups, privilege)
                : others.objectsWith(kind, privilege),
    };
}
