/**
 * The usual refresh of a large resource, decided on the grouped record itself: the catalog shows
 * exactly what state records, so the stored record is kept as it is, without decoding 40,000
 * pairs from state or reconciling them one by one. Whatever this cannot show unchanged goes the
 * way of every other read (decode, `reconcile`, `outputsOf`, `toStoredOutputsAfterRead`), whose
 * result this one equals whenever it gives one.
 */
import { heldOnlyFrom, heldPairCount, tableGroupsOf } from "../targets/tableGroups";
import { type CatalogSnapshot, sameStrings, sortPairs } from "../targets/types";
import { outputsOf } from "./apply/outputs";
import { decodeRanges } from "./indexRanges";
import { heldIndex, nonTablePairs } from "./pairs";
import { reconcilePairs } from "./reconcile";
import { samePairs } from "./sameLists";
import { type GroupedGrants, type PairGroup, decodePairs } from "./stateCodec";
import { withGroupedRecord } from "./storedOutputs";
import type { TargetGrantsConfig, TargetGrantsOutputs } from "./types";

/**
 * The state to store after reading `snapshot`, when it is exactly the stored state with
 * `grouped` as its record (the catalog holds exactly the recorded pairs, nothing pending, no
 * column grants, `missing` and `coveredTables` unchanged); undefined otherwise. `state` is the
 * stored state with its lists left empty (`storedOutputsWithoutLists`).
 */
export function keptRecord(
    config: TargetGrantsConfig,
    state: TargetGrantsOutputs,
    grouped: GroupedGrants,
    snapshot: CatalogSnapshot,
): Record<string, unknown> | undefined {
    if (grouped.format !== 1 || grouped.pending.length > 0 || grouped.columnGrants.length > 0) {
        return undefined;
    }
    if ((snapshot.columns ?? []).length > 0) return undefined;
    if (!recordedTableGroupsExactlyHeld(grouped, snapshot)) return undefined;
    // The other kinds (schema, default ACLs: a handful of pairs), reconciled pair by pair.
    const otherKinds = (groups: readonly PairGroup[]) =>
        decodePairs(
            groups.filter((g) => g.kind !== "table"),
            grouped.objects,
        );
    const granted = otherKinds(grouped.granted);
    const preexisting = otherKinds(grouped.preexisting);
    const kept = reconcilePairs({ granted, preexisting }, heldIndex(nonTablePairs(snapshot)));
    if (
        !samePairs(sortPairs(kept.granted), granted) ||
        !samePairs(sortPairs(kept.preexisting), preexisting)
    ) {
        return undefined;
    }
    const outputs = outputsOf(
        config,
        state.defaultPrivilegeOwners,
        { granted: [], preexisting: [] },
        snapshot,
    );
    const covered = decodeRanges(grouped.coveredTables).map((i) => grouped.objects[i]);
    if (
        !samePairs(outputs.missing, decodePairs(grouped.missing, grouped.objects)) ||
        !sameStrings(outputs.coveredTables, covered as string[])
    ) {
        return undefined;
    }
    return withGroupedRecord(outputs, grouped);
}

/**
 * `recordedTablesExactlyHeld` on the grouped record: every table pair of `granted` and
 * `preexisting` held from its recorded grantor (the catalog showing one grantor for it), none
 * recorded twice, as many recorded as held.
 */
function recordedTableGroupsExactlyHeld(
    grouped: GroupedGrants,
    snapshot: CatalogSnapshot,
): boolean {
    const groups = tableGroupsOf(snapshot);
    if (!groups) return false;
    const { objects } = grouped;
    /** Privilege → its row of `seen` (one flag per object: recorded once already). */
    const rows = new Map<string, number>();
    const seen: Uint8Array[] = [];
    let recorded = 0;
    for (const group of [...grouped.granted, ...grouped.preexisting]) {
        if (group.kind !== "table") continue;
        const { grantor } = group;
        if (grantor === undefined || group.scope !== undefined) return false;
        const flags = group.privileges.map((privilege) => {
            let row = rows.get(privilege);
            if (row === undefined) {
                rows.set(privilege, (row = seen.length));
                seen.push(new Uint8Array(objects.length));
            }
            return seen[row]!;
        });
        for (const index of decodeRanges(group.objects)) {
            const object = objects[index];
            if (object === undefined) return false;
            for (let i = 0; i < group.privileges.length; i++) {
                if (!heldOnlyFrom(groups, object, group.privileges[i]!, grantor)) return false;
                if (flags[i]![index] === 1) return false;
                flags[i]![index] = 1;
                recorded++;
            }
        }
    }
    return recorded === heldPairCount(groups);
}
