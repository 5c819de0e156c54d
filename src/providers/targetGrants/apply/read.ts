/** TargetGrants read (refresh): re-derive what this resource holds from the catalog. */
import { readVersionedState } from "../../kernel/stateVersion";
import { configFromState } from "../check";
import { targetOf } from "../plan";
import { reconcile } from "../reconcile";
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

/** Reads the grants of resource `id` as the catalog shows them now. */
export async function read(
    id: string,
    props: TargetGrantsOutputs,
    deps: ApplyDeps = DEFAULT_DEPS,
): Promise<{ id: string; props: TargetGrantsOutputs }> {
    const state = currentState(props);
    const config = configFromState(state);
    return withSession(deps, config, async (session) => {
        const snapshot = await session.readCatalog(targetOf(config));
        const recorded = reconcile(state, snapshot);
        return {
            id,
            props: outputsOf(config, state.defaultPrivilegeOwners, recorded, snapshot),
        };
    });
}
