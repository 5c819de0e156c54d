/**
 * The table-level holdings of a catalog read in the grouped form the catalog returned them:
 * relations that share one ACL value hold exactly the same privileges, so a read of a 10,000-table
 * schema comes back as a handful of groups. The flat `held` list of a snapshot still lists every
 * pair, built when first read; this view lets planning, reconciliation and a refresh check and
 * look up table pairs per group instead of per pair (docs/target-grants.md, "Reading the
 * catalog").
 */
import type { CatalogSnapshot, GrantPair } from "./types";

/** One privilege the grantee holds on every member of a group, and who granted it. */
export interface GroupEntry {
    privilege: string;
    grantor: string | undefined;
}

/** The table pairs of one catalog read, by group. */
export interface TableGroups {
    /** Per group, the grantee's entries on each of its members. */
    readonly entries: readonly (readonly GroupEntry[])[];
    /** Per group, how many tables it has. */
    readonly memberCounts: readonly number[];
    /** Table name → its group. */
    readonly groupOf: ReadonlyMap<string, number>;
    /** The read's pairs of other kinds (schema, default privileges), in the order read. */
    readonly others: readonly GrantPair[];
}

/**
 * A parser's groups, and how to list its `held` pairs: `members` per group, and the order in
 * which the read brought the other pairs (entries of `others`) and the groups (their index).
 */
export interface ParsedGroups extends TableGroups {
    readonly members: readonly (readonly string[])[];
    readonly order: readonly (GrantPair | number)[];
}

const bySnapshot = new WeakMap<CatalogSnapshot, TableGroups>();

/**
 * Gives `snapshot` the table pairs of `groups`: its `held` list is built from them when first
 * read (every (member, entry) of each group, where the read brought the group), and the groups
 * are recorded for {@link tableGroupsOf}. Most reads never need the list: a 10,000-table read
 * holds 40,000 table pairs, and building them was most of its parse. Assigning `held` drops the
 * groups; held lists are never changed in place after the catalog read that made them.
 */
export function withTableGroups(snapshot: CatalogSnapshot, groups: ParsedGroups): void {
    let held: GrantPair[] | undefined;
    Object.defineProperty(snapshot, "held", {
        configurable: true,
        enumerable: true,
        get: () => (held ??= heldPairs(groups)),
        set: (value: GrantPair[]) => {
            held = value;
            bySnapshot.delete(snapshot);
        },
    });
    bySnapshot.set(snapshot, {
        entries: groups.entries,
        memberCounts: groups.memberCounts,
        groupOf: groups.groupOf,
        others: groups.others,
    });
}

/** The held list of a parse: its other pairs and groups' pairs, in the order read. */
function heldPairs(groups: ParsedGroups): GrantPair[] {
    const held: GrantPair[] = [];
    for (const item of groups.order) {
        if (typeof item !== "number") {
            held.push(item);
            continue;
        }
        const entries = groups.entries[item]!;
        for (const object of groups.members[item]!) {
            for (const { privilege, grantor } of entries) {
                held.push({ kind: "table", object, privilege, grantor });
            }
        }
    }
    return held;
}

/** The groups recorded for `snapshot` by its parser, if any. */
export function tableGroupsOf(snapshot: CatalogSnapshot): TableGroups | undefined {
    return bySnapshot.get(snapshot);
}

/** The group's entry for `privilege`, when the group holds it from exactly one grantor. */
function onlyEntry(entries: readonly GroupEntry[], privilege: string): GroupEntry | undefined {
    let found: GroupEntry | undefined;
    for (const e of entries) {
        if (e.privilege !== privilege) continue;
        if (found) return undefined;
        found = e;
    }
    return found;
}

/** How many table pairs the groups hold: each group's entries on each of its tables. */
export function heldPairCount(groups: TableGroups): number {
    let count = 0;
    for (let g = 0; g < groups.entries.length; g++) {
        count += groups.entries[g]!.length * groups.memberCounts[g]!;
    }
    return count;
}

/**
 * True when `table` holds `privilege` from `grantor` and from no other grantor: the pair a
 * resource recorded, held as it recorded it.
 */
export function heldOnlyFrom(
    groups: TableGroups,
    table: string,
    privilege: string,
    grantor: string,
): boolean {
    const group = groups.groupOf.get(table);
    if (group === undefined) return false;
    return onlyEntry(groups.entries[group]!, privilege)?.grantor === grantor;
}

/** Tables of `groups` whose group holds `privilege` (any grantor). */
export function tablesHolding(
    groups: TableGroups,
    privilege: string,
): { has(table: string): boolean } {
    const holds = groups.entries.map((entries) => entries.some((e) => e.privilege === privilege));
    return {
        has(table: string): boolean {
            const group = groups.groupOf.get(table);
            return group !== undefined && holds[group] === true;
        },
    };
}
