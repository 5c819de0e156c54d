/**
 * The usual refresh of a large resource: every table pair it recorded is still held, from the
 * grantor it recorded, and the grantee holds nothing else on the schema's tables. Checked here
 * per catalog group (see `tableGroups.ts`) instead of indexing 40,000 held pairs; when it holds,
 * reconciliation keeps the recorded table pairs as they are (see `reconcile`).
 */
import { heldOnlyFrom, heldPairCount, tableGroupsOf } from "../targets/tableGroups";
import type { CatalogSnapshot, GrantPair } from "../targets/types";
import type { RecordedGrants } from "./reconcile";

/** The recorded table pairs, split as recorded. */
export interface TablePairs {
    granted: GrantPair[];
    preexisting: GrantPair[];
}

/**
 * The recorded table pairs when they are exactly the table pairs the catalog holds: each one
 * held from its recorded grantor (the catalog showing one grantor for it), none recorded twice
 * or left pending, and as many recorded as held. Then every held table pair is one this resource
 * recorded, so reconciliation would keep each as it is and adopt none; undefined otherwise
 * (including when the catalog's read recorded no groups), and the caller reconciles pair by pair.
 */
export function recordedTablesExactlyHeld(
    previous: RecordedGrants,
    snapshot: CatalogSnapshot,
): TablePairs | undefined {
    const groups = tableGroupsOf(snapshot);
    if (!groups) return undefined;
    if ((previous.pending ?? []).some((p) => p.kind === "table")) return undefined;
    const heldAsRecorded = (p: GrantPair): boolean =>
        p.grantor !== undefined &&
        p.scope === undefined &&
        heldOnlyFrom(groups, p.object, p.privilege, p.grantor);
    const out: TablePairs = { granted: [], preexisting: [] };
    /** Object → privileges recorded as pre-existing (usually none). */
    const preexisting = new Map<string, Set<string>>();
    for (const p of previous.preexisting) {
        if (p.kind !== "table") continue;
        if (!heldAsRecorded(p)) return undefined;
        const privileges = preexisting.get(p.object) ?? new Set<string>();
        if (privileges.has(p.privilege)) return undefined;
        preexisting.set(p.object, privileges.add(p.privilege));
        out.preexisting.push(p);
    }
    let last: GrantPair | undefined;
    for (const p of previous.granted) {
        if (p.kind !== "table") continue;
        if (!heldAsRecorded(p) || preexisting.get(p.object)?.has(p.privilege)) return undefined;
        // In recorded (sorted) order, strictly increasing: no pair recorded twice.
        if (last && !inIncreasingOrder(last, p)) return undefined;
        last = p;
        out.granted.push(p);
    }
    return out.granted.length + out.preexisting.length === heldPairCount(groups) ? out : undefined;
}

/** `a` comes strictly before `b` by object, then privilege (code-unit order, as `sortPairs`). */
function inIncreasingOrder(a: GrantPair, b: GrantPair): boolean {
    if (a.object !== b.object) return a.object < b.object;
    return a.privilege < b.privilege;
}
