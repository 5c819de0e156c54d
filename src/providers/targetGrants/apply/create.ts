/** TargetGrants create: grant what the grantee lacks and record exactly what was added. */
import { newResourceId } from "../../kernel/ids";
import type { TargetGrantsConfig, TargetGrantsOutputs } from "../types";
import { converge } from "./converge";
import { type ApplyDeps, DEFAULT_DEPS, withSession } from "./session";

/** Creates the grants of `config`; returns the new id and the outputs. */
export async function create(
    config: TargetGrantsConfig,
    deps: ApplyDeps = DEFAULT_DEPS,
): Promise<{ id: string; outs: TargetGrantsOutputs }> {
    const id = newResourceId("grants");
    const outs = await withSession(deps, config, (session) =>
        converge(deps, session, config, id, { granted: [], preexisting: [] }),
    );
    return { id, outs };
}
