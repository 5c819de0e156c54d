/** TargetGrants read (refresh): re-derive what this resource holds from the catalog. */
import { readVersionedState } from "../../kernel/stateVersion";
import { configFromState } from "../check";
import { keptRecord } from "../keptRecord";
import { targetOf } from "../plan";
import { reconcile } from "../reconcile";
import {
    fromStoredOutputs,
    groupedRecordOf,
    storedOutputsWithoutLists,
    toStoredOutputsAfterRead,
} from "../storedOutputs";
import { STATE_VERSIONING, type TargetGrantsOutputs } from "../types";
import { outputsOf } from "./outputs";
import { type ApplyDeps, DEFAULT_DEPS, withSession } from "./session";

/** State in the current shape (older shapes migrated; newer ones refused). */
export function currentState(props: unknown): TargetGrantsOutputs {
    return readVersionedState<TargetGrantsOutputs>(
        props as Record<string, unknown>,
        STATE_VERSIONING,
    );
}

/**
 * Reads the grants of resource `id` as the catalog shows them now, from state as stored and back
 * to state as stored: a grouped record the catalog shows unchanged is kept as it is
 * (`keptRecord`); any other state is decoded, reconciled and stored again.
 */
export async function readStored(
    id: string,
    stored: Record<string, unknown>,
    deps: ApplyDeps = DEFAULT_DEPS,
): Promise<{ id: string; props: Record<string, unknown> }> {
    const grouped = groupedRecordOf(stored);
    const shell = currentState(storedOutputsWithoutLists(stored));
    const config = configFromState(shell);
    return withSession(deps, config, async (session) => {
        const snapshot = await session.readCatalog(targetOf(config));
        const kept = grouped && keptRecord(config, shell, grouped, snapshot);
        if (kept) return { id, props: kept };
        const before = fromStoredOutputs<TargetGrantsOutputs>(stored);
        const state = currentState(before);
        const recorded = reconcile(state, snapshot);
        const props = outputsOf(config, state.defaultPrivilegeOwners, recorded, snapshot);
        return { id, props: toStoredOutputsAfterRead(props, stored, before) };
    });
}
