/** Runs the steps of `plan.ts` on one session, recording what each one did. */
import type { SettingsStep } from "../plan";
import type { PriorSetting } from "../types";
import { settingType, settingValuesEqual } from "../values";
import type { ApplyContext } from "./context";
import { requireSameCluster } from "./failure";
import { type CatalogEntry, leftAloneWarning, type SettingsSession } from "./session";

/** What the steps found and changed so far (read by a partial-failure report). */
export interface StepsState {
    /** The cluster the state belongs to (none at create). */
    expectedClusterId: string | undefined;
    /** What the operation is, for the cluster-mismatch error. */
    action: "create" | "update" | "delete";
    clusterId: string;
    /** Prior value of each managed setting, captured before any change. */
    previous: Record<string, PriorSetting>;
    types: Record<string, string>;
    /** Settings changed with a server acknowledgement. */
    applied: string[];
    /** Settings no longer managed whose put-back was decided (done or left alone). */
    confirmed: string[];
}

/** Runs `steps` in order; throws on the first failure, leaving `state` as far as it got. */
export async function runSteps(
    session: SettingsSession,
    steps: readonly SettingsStep[],
    state: StepsState,
    ctx: ApplyContext,
): Promise<void> {
    let catalog = new Map<string, CatalogEntry>();
    for (const step of steps) {
        switch (step.kind) {
            case "identify":
                state.clusterId = await requireSameCluster(
                    session,
                    state.expectedClusterId,
                    state.action,
                );
                break;
            case "readCatalog":
                catalog = await session.catalog();
                if (step.record) await capturePrevious(session, catalog, step.names, state);
                break;
            case "putBack": {
                const { name, prior, stackValue, mode } = step;
                const outcome = await session.putBack(
                    name,
                    prior,
                    stackValue,
                    catalog.get(name),
                    mode,
                );
                if (outcome.kind === "restored") state.applied.push(name);
                if (outcome.kind === "left") {
                    await ctx.warn(leftAloneWarning(name, prior, stackValue, outcome.current));
                }
                state.confirmed.push(name);
                break;
            }
            case "set": {
                const type = settingType(step.name, step.value, state.types);
                const current = catalog.get(step.name);
                if (current && settingValuesEqual(type, step.value, current.value)) break;
                await session.set(step.name, type, step.value);
                state.applied.push(step.name);
                break;
            }
            case "unknownSettings":
                throw new Error("the settings map is not known; it cannot be applied");
        }
    }
}

/** Records the type of each of `names`, and the prior value of those not recorded yet. */
async function capturePrevious(
    session: SettingsSession,
    catalog: Map<string, CatalogEntry>,
    names: readonly string[],
    state: StepsState,
): Promise<void> {
    for (const name of names) {
        const entry = await session.entry(catalog, name);
        state.types[name] = entry.type;
        state.previous[name] ??= { value: entry.value, origin: entry.origin, type: entry.type };
    }
}
