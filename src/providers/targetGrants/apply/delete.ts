/** TargetGrants delete: revoke exactly what this resource granted. */
import type { GrantSession } from "../../targets/session";
import { configFromState } from "../check";
import type { TargetGrantsOutputs } from "../types";
import { currentState } from "./read";
import { revokeGranted } from "./revoke";
import { type ApplyDeps, DEFAULT_DEPS, openSession } from "./session";

/** Deletes resource state `props`: revokes what it granted (nothing when the database is gone). */
export async function remove(
    props: TargetGrantsOutputs,
    deps: ApplyDeps = DEFAULT_DEPS,
): Promise<void> {
    const state = currentState(props);
    const config = configFromState(state);
    let session: GrantSession;
    try {
        session = await openSession(deps, config.dialect, config.connection);
    } catch (err) {
        if (config.dialect.isGone(err)) return; // the database itself is gone
        throw err;
    }
    try {
        await revokeGranted(session, config, state);
    } finally {
        await session.close();
    }
}
