/** TargetGrants update: converge from what state recorded to the new configuration. */
import { targetIdentity } from "../../targets/connection";
import type { TargetGrantsConfig, TargetGrantsOutputs } from "../types";
import { converge } from "./converge";
import { type ApplyDeps, DEFAULT_DEPS, withSession } from "./session";

/** Updates the grants of resource `id` from `olds` (state) to `config`. */
export async function update(
    id: string,
    olds: TargetGrantsOutputs,
    config: TargetGrantsConfig,
    deps: ApplyDeps = DEFAULT_DEPS,
): Promise<{ outs: TargetGrantsOutputs }> {
    const server = targetIdentity(config.connection);
    if (olds.server && server !== olds.server) {
        throw new Error(
            `connection now points at ${server} instead of ${olds.server}: another server or ` +
                "database needs a replacement, not an update",
        );
    }
    const outs = await withSession(deps, config, (session) =>
        converge(deps, session, config, id, olds),
    );
    return { outs };
}
