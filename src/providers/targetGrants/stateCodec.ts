/**
 * How TargetGrants keeps its recorded lists in state without growing with the table count.
 *
 * A resource over 10,000 tables records about 40,000 (table, privilege) pairs, and Pulumi writes
 * state at every step of an update, so the plain list form (one `{ kind, object, privilege,
 * grantor }` object per pair, ≈ 4.5 MB) does not scale. Above {@link PLAIN_LIMIT} entries the
 * lists are stored grouped instead ({@link GroupedGrants}): every object name once, then per
 * (kind, grantor, scope) the objects sharing one privilege set as index ranges — a schema-wide
 * grant of four privileges on 10,000 tables is one group `"0-9999"`. Small resources keep the
 * plain lists, readable in `pulumi stack export` and unchanged for existing stacks.
 *
 * Everything here is pure; decoding restores exactly the lists that were encoded, in the order
 * `sortPairs` / `sortColumnGrants` give.
 */
import { type ColumnGrant, type GrantKind, type GrantPair, sameStrings } from "../targets/types";
import { ascending, decodeRanges, encodeRanges } from "./indexRanges";
import { distinctSortedNames, inCodeUnitOrder } from "./pairs";
import { type ColumnGroup, decodeColumns, encodeColumns } from "./columnGroups";

export type { ColumnGroup };

export { decodeRanges, encodeRanges };

/** The lists a TargetGrants resource records, in their plain (public output) form. */
export interface GrantLists {
    granted: GrantPair[];
    preexisting: GrantPair[];
    pending: GrantPair[];
    missing: GrantPair[];
    columnGrants: ColumnGrant[];
    coveredTables: string[];
}

/** Objects of one (kind, grantor, scope) that share one privilege set. */
export interface PairGroup {
    kind: GrantKind;
    privileges: string[];
    /** Indices into {@link GroupedGrants.objects}: `"0-9999,10002"`. */
    objects: string;
    grantor?: string;
    scope?: "database";
}

/** The grouped form of {@link GrantLists}. */
export interface GroupedGrants {
    /** Layout of this record; bumped (with a reader for the old one) if it ever changes. */
    format: 1;
    /** Every object and table name the lists mention, sorted, each once. */
    objects: string[];
    granted: PairGroup[];
    preexisting: PairGroup[];
    pending: PairGroup[];
    missing: PairGroup[];
    columnGrants: ColumnGroup[];
    /** Indices into `objects`. */
    coveredTables: string;
}

/**
 * Lists with at most this many entries in total (pairs, column grants and covered tables) stay
 * plain in state: ≈ 70 KB at most, still readable. Above it they are grouped.
 */
export const PLAIN_LIMIT = 1000;

/** The state fields that hold the lists: plain, or grouped under `groupedGrants`. */
export type StoredGrantLists = GrantLists | { groupedGrants: GroupedGrants };

const KIND_ORDER: readonly GrantKind[] = ["schema", "database", "table", "defaultTables"];

/** Total entries of the lists (what {@link PLAIN_LIMIT} counts). */
export function entryCount(lists: GrantLists): number {
    return (
        lists.granted.length +
        lists.preexisting.length +
        lists.pending.length +
        lists.missing.length +
        lists.columnGrants.length +
        lists.coveredTables.length
    );
}

/** The lists as stored: plain up to {@link PLAIN_LIMIT} entries, grouped above. */
export function storeGrantLists(lists: GrantLists, limit = PLAIN_LIMIT): StoredGrantLists {
    if (entryCount(lists) <= limit) return { ...lists };
    return { groupedGrants: encodeGrantLists(lists) };
}

/**
 * The plain lists of a stored state, whichever form it holds. Lists absent from older plain
 * state read as empty.
 */
export function readGrantLists(state: Record<string, unknown>): GrantLists {
    const grouped = state["groupedGrants"];
    if (grouped !== undefined && grouped !== null) {
        return decodeGrantLists(grouped as GroupedGrants);
    }
    const list = <T>(key: string): T[] => (Array.isArray(state[key]) ? (state[key] as T[]) : []);
    return {
        granted: list<GrantPair>("granted"),
        preexisting: list<GrantPair>("preexisting"),
        pending: list<GrantPair>("pending"),
        missing: list<GrantPair>("missing"),
        columnGrants: list<ColumnGrant>("columnGrants"),
        coveredTables: list<string>("coveredTables"),
    };
}

/**
 * Indexes names: sorted, unique, with their positions. The encoder asks for names mostly in
 * ascending order (each list is sorted), so a lookup tries the name after the last answer before
 * it searches: no hash table of 10,000 names is built.
 */
class NameTable {
    readonly names: string[];
    private last = 0;

    constructor(lists: GrantLists) {
        const all: string[] = [];
        for (const key of ["granted", "preexisting", "pending", "missing"] as const) {
            let last: string | undefined;
            for (const p of lists[key]) {
                // Sorted lists repeat an object once per privilege: add it once.
                if (p.object !== last) all.push((last = p.object));
            }
        }
        for (const c of lists.columnGrants) all.push(c.table);
        for (const t of lists.coveredTables) all.push(t);
        this.names = distinctSortedNames(all);
    }

    of(name: string): number {
        const { names } = this;
        if (names[this.last] === name) return this.last;
        if (names[this.last + 1] === name) return ++this.last;
        let low = 0;
        let high = names.length - 1;
        while (low <= high) {
            const middle = (low + high) >>> 1;
            const at = names[middle]!;
            if (at === name) return (this.last = middle);
            if (at < name) low = middle + 1;
            else high = middle - 1;
        }
        throw new Error(`TargetGrants state: name ${JSON.stringify(name)} missing from the table`);
    }
}

/** The pairs of one (kind, grantor, scope) while they are grouped. */
interface OriginEntry {
    sample: GrantPair;
    /** Object index → privileges (an array as long as the name table: no hashing per object). */
    slots: (string[] | undefined)[];
    /** The object indices with a slot, in the order met. */
    met: number[];
    lastObject?: string;
    lastPrivileges?: string[];
}

/** Groups pairs by (kind, grantor, scope), then objects by their privilege set. */
function encodePairs(pairs: readonly GrantPair[], names: NameTable): PairGroup[] {
    /** (kind, grantor, scope) → object index → privileges. */
    const byOrigin = new Map<string, OriginEntry>();
    let entry: OriginEntry | undefined;
    for (const p of pairs) {
        // Consecutive pairs mostly share their origin: build its key only when it changes.
        const same =
            entry !== undefined &&
            entry.sample.kind === p.kind &&
            entry.sample.grantor === p.grantor &&
            entry.sample.scope === p.scope;
        if (!same) {
            const origin = `${p.kind}\0${p.grantor ?? ""}\0${p.grantor === undefined ? 0 : 1}\0${p.scope ?? ""}`;
            entry = byOrigin.get(origin);
            if (!entry) {
                const slots = new Array<string[] | undefined>(names.names.length);
                byOrigin.set(origin, (entry = { sample: p, slots, met: [] }));
            }
        }
        if (!entry) continue;
        // Sorted lists bring an object's privileges one after another: look it up once.
        let privileges = entry.lastObject === p.object ? entry.lastPrivileges : undefined;
        if (!privileges) {
            const index = names.of(p.object);
            privileges = entry.slots[index];
            if (!privileges) {
                entry.slots[index] = privileges = [];
                entry.met.push(index);
            }
            entry.lastObject = p.object;
            entry.lastPrivileges = privileges;
        }
        if (!privileges.includes(p.privilege)) privileges.push(p.privilege);
    }
    const groups: PairGroup[] = [];
    for (const { sample, slots, met } of byOrigin.values()) {
        const bySet = new Map<string, { privileges: string[]; indices: number[] }>();
        let previous: { privileges: string[]; indices: number[] } | undefined;
        for (const index of ascending(met)) {
            const privileges = inCodeUnitOrder(slots[index]!);
            // Neighbouring objects mostly hold the same privileges: no key string for those.
            if (previous && sameStrings(previous.privileges, privileges)) {
                previous.indices.push(index);
                continue;
            }
            const key = privileges.join("\0");
            previous = bySet.get(key);
            if (previous) previous.indices.push(index);
            else bySet.set(key, (previous = { privileges, indices: [index] }));
        }
        for (const { privileges, indices } of bySet.values()) {
            const group: PairGroup = {
                kind: sample.kind,
                privileges,
                objects: encodeRanges(indices),
            };
            if (sample.grantor !== undefined) group.grantor = sample.grantor;
            if (sample.scope !== undefined) group.scope = sample.scope;
            groups.push(group);
        }
    }
    return groups;
}

function comparePrivileges(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Pairs of `groups` in `sortPairs` order, without sorting the whole list. */
export function decodePairs(groups: readonly PairGroup[], objects: readonly string[]): GrantPair[] {
    const out: GrantPair[] = [];
    for (const kind of KIND_ORDER) {
        const ofKind = groups.filter((g) => g.kind === kind);
        if (ofKind.length === 1 && decodeSingleGroup(ofKind[0]!, objects, out)) continue;
        const slots = new Map<number, GrantPair[]>();
        for (const group of ofKind) {
            for (const index of decodeRanges(group.objects)) {
                const object = objects[index];
                if (object === undefined) {
                    throw new Error(`TargetGrants state: object index ${index} out of range`);
                }
                let slot = slots.get(index);
                if (!slot) slots.set(index, (slot = []));
                for (const privilege of group.privileges) {
                    const pair: GrantPair = { kind, object, privilege };
                    if (group.grantor !== undefined) pair.grantor = group.grantor;
                    if (group.scope !== undefined) pair.scope = group.scope;
                    slot.push(pair);
                }
            }
        }
        for (const index of [...slots.keys()].sort((a, b) => a - b)) {
            const slot = slots.get(index)!;
            // One kind and object per slot: sortPairs' order is the privilege order (stable).
            if (slot.length > 1) slot.sort((a, b) => comparePrivileges(a.privilege, b.privilege));
            for (const pair of slot) out.push(pair);
        }
    }
    return out;
}

/**
 * The common case of {@link decodePairs}: one group holds every pair of its kind, its objects in
 * ascending order and its privileges sorted, so the pairs come out in `sortPairs` order as they
 * are read. Returns false, having added nothing, when the group is not in that shape.
 */
function decodeSingleGroup(
    group: PairGroup,
    objects: readonly string[],
    out: GrantPair[],
): boolean {
    const { privileges } = group;
    for (let i = 1; i < privileges.length; i++) {
        if (comparePrivileges(privileges[i - 1]!, privileges[i]!) >= 0) return false;
    }
    const indices = decodeRanges(group.objects);
    for (let i = 0; i < indices.length; i++) {
        const index = indices[i]!;
        if (objects[index] === undefined || (i > 0 && index <= indices[i - 1]!)) return false;
    }
    for (const index of indices) {
        const object = objects[index]!;
        for (const privilege of privileges) {
            const pair: GrantPair = { kind: group.kind, object, privilege };
            if (group.grantor !== undefined) pair.grantor = group.grantor;
            if (group.scope !== undefined) pair.scope = group.scope;
            out.push(pair);
        }
    }
    return true;
}

/** The grouped form of `lists` (lossless for lists in `sortPairs` order without duplicates). */
export function encodeGrantLists(lists: GrantLists): GroupedGrants {
    const names = new NameTable(lists);
    return {
        format: 1,
        objects: names.names,
        granted: encodePairs(lists.granted, names),
        preexisting: encodePairs(lists.preexisting, names),
        pending: encodePairs(lists.pending, names),
        missing: encodePairs(lists.missing, names),
        columnGrants: encodeColumns(lists.columnGrants, (name) => names.of(name)),
        coveredTables: encodeRanges(
            [...new Set(lists.coveredTables.map((t) => names.of(t)))].sort((a, b) => a - b),
        ),
    };
}

/** The plain lists of a grouped record. */
export function decodeGrantLists(grouped: GroupedGrants): GrantLists {
    if (grouped.format !== 1) {
        throw new Error(
            `TargetGrants state: grouped grants format ${String(grouped.format)} is not supported ` +
                "by this package version; install the version that wrote it",
        );
    }
    const { objects } = grouped;
    return {
        granted: decodePairs(grouped.granted, objects),
        preexisting: decodePairs(grouped.preexisting, objects),
        pending: decodePairs(grouped.pending, objects),
        missing: decodePairs(grouped.missing, objects),
        columnGrants: decodeColumns(grouped.columnGrants, objects),
        coveredTables: decodeRanges(grouped.coveredTables).map((i) => objects[i]!),
    };
}
