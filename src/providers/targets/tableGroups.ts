/**
 * The table-level holdings of a catalog read in the grouped form the catalog returned them:
 * relations that share one ACL value hold exactly the same privileges, so a read of a 10,000-table
 * schema comes back as a handful of groups. The flat `held` list of a snapshot still carries
 * every pair; this view lets a refresh check and look up table pairs per group instead of per
 * pair (docs/target-grants.md, "Reading the catalog").
 */
import type { GrantPair } from "./types";

/** One privilege the grantee holds on every member of a group, and who granted it. */
export interface GroupEntry {
    privilege: string;
    grantor: string | undefined;
}

/** The table pairs of one held list, by group. */
export interface TableGroups {
    /** Per group, the grantee's entries on each of its members. */
    readonly entries: readonly (readonly GroupEntry[])[];
    /** Per group, how many tables it has. */
    readonly memberCounts: readonly number[];
    /** Table name → its group. */
    readonly groupOf: ReadonlyMap<string, number>;
}

const byHeld = new WeakMap<readonly GrantPair[], TableGroups>();

/**
 * Records that the table-kind pairs of `held` are exactly (member, entry) for each group of
 * `groups`, each table in one group. Called by a catalog parser once its list is complete; held
 * lists are never changed after that (a change makes a new list, which has no groups).
 */
export function recordTableGroups(held: readonly GrantPair[], groups: TableGroups): void {
    byHeld.set(held, groups);
}

/** The groups recorded for `held`, if its parser recorded them. */
export function tableGroupsOf(held: readonly GrantPair[]): TableGroups | undefined {
    return byHeld.get(held);
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
