/**
 * The Changefeed dynamic provider: wiring only. What it does is described in README.md and
 * docs/changefeed-health.md; each method's work lives in `apply/` and works from the
 * configuration `check.ts` parses once per operation.
 */
import type * as pulumi from "@pulumi/pulumi";

import { create } from "./apply/create";
import { type ChangefeedProviderDeps, contextOf, DEFAULT_DEPS } from "./apply/context";
import { readState } from "./apply/outputs";
import { deleteChangefeed, read } from "./apply/readDelete";
import { update } from "./apply/update";
import { checkChangefeed, parseChangefeed } from "./check";
import { diffChangefeed } from "./diff";
import { logCreatePreview, logDiffPreview, logRefreshPreview, noteRead } from "./preview";
import type { ChangefeedInputs, ChangefeedOutputs } from "./types";

export type { ChangefeedProviderDeps } from "./apply/context";
export { adoptionDifferences } from "./apply/adopt";
export { remainingPlan } from "./apply/alter";

/** The provider interface with every method present, typed by inputs and state. */
export type ChangefeedProvider = Required<
    pulumi.dynamic.ResourceProvider<ChangefeedInputs, ChangefeedOutputs>
>;

/** The provider as the engine (and tests) call it: with values of any shape. */
export type EngineProvider = Required<pulumi.dynamic.ResourceProvider>;

/**
 * Builds the Changefeed provider. `provider` below is the one the package ships; tests pass
 * shorter session bounds (`sessionOptions: { connectMs, statementMs }`) or a faster
 * `deliveryPollMs`.
 */
export function makeChangefeedProvider(
    overrides: Partial<ChangefeedProviderDeps> = {},
): EngineProvider {
    const ctx = contextOf({ ...DEFAULT_DEPS, ...overrides });
    const typed: ChangefeedProvider = {
        async configure() {
            // No provider configuration: everything comes from the resource's inputs.
        },
        async check(olds, news) {
            const result = checkChangefeed(news);
            if (!result.failures?.length) logCreatePreview(olds, { ...result.inputs });
            return result;
        },
        async diff(_id, olds, news) {
            const result = diffChangefeed(readState(olds), news);
            logDiffPreview(olds, news, result);
            return result;
        },
        create: (inputs) => create(ctx, parseChangefeed(inputs)),
        update: (id, olds, news) => {
            const state = readState(olds);
            return update(ctx, id, state, parseChangefeed(state), parseChangefeed(news));
        },
        async read(id, props) {
            noteRead();
            const state = readState(props);
            const result = await read(ctx, id, state);
            // What the recorded inputs would make the next `up` do with the job as it is now.
            const refreshed = result.props as ChangefeedOutputs;
            if (diffChangefeed(refreshed, state).changes) logRefreshPreview(refreshed, state);
            return result;
        },
        delete: async (_id, props) => {
            const state = readState(props);
            await deleteChangefeed(ctx, state, () => parseChangefeed(state));
        },
    };
    return typed;
}

/** The Changefeed provider, loaded by `lazyProvider("dist/providers/changefeed/provider")`. */
export const provider: EngineProvider = makeChangefeedProvider();
