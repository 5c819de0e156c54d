/**
 * Wiring of ForwardDrainGate, the gate the failback changefeed depends on.
 *
 * - create: waits for the forward drain (apply/create.ts).
 * - update: records the new inputs without waiting again (see diff.ts).
 * - read: returns the state unchanged: a past drain has nothing that can drift.
 * - delete: nothing to undo.
 */
import * as pulumi from "@pulumi/pulumi";

import { checkedInputs } from "../kernel/checkFailures";
import { stateReader } from "../kernel/stateVersion";
import { createGate } from "./apply/create";
import { forwardDrainGateProblems, parseForwardDrainGate } from "./check";
import { planDiff } from "./diff";
import { logCreatePreview } from "./preview";
import {
    type ForwardDrainGateInputs,
    type ForwardDrainGateOutputs,
    STATE_VERSIONING,
} from "./types";

/** Prior state in the current shape (older shapes migrated, newer ones refused). */
const stateOf = stateReader<ForwardDrainGateOutputs>(STATE_VERSIONING);

/** The ForwardDrainGate provider, loaded by `lazyProvider("dist/providers/forwardDrainGate/provider")`. */
export const provider: Required<pulumi.dynamic.ResourceProvider> = {
    async configure() {
        // No provider-wide configuration: everything comes from the resource's inputs.
    },

    check: async (olds, news) =>
        checkedInputs(news, forwardDrainGateProblems(news), () => logCreatePreview(olds, news)),

    async diff(_id, olds, news: ForwardDrainGateInputs) {
        return planDiff(stateOf(olds) as unknown as Record<string, unknown>, news);
    },

    async create(inputs: ForwardDrainGateInputs) {
        return createGate(inputs);
    },

    async read(id, props) {
        return { id, props: stateOf(props) };
    },

    async update(_id, olds, news: ForwardDrainGateInputs) {
        const state = stateOf(olds);
        const config = parseForwardDrainGate(news);
        await pulumi.log.info(
            `the forward drain gate passed at ${state.drainedAt}; the changed inputs are recorded ` +
                "without waiting again (failback has started). To run the gate again, replace it: " +
                "pulumi up --replace <urn of this ForwardDrainGate>.",
        );
        const outs: ForwardDrainGateOutputs = {
            ...state,
            schema: undefined,
            ...config,
            stateVersion: STATE_VERSIONING.current as 1,
        };
        return { outs };
    },

    async delete() {
        // A drain that happened cannot be undone, and the gate created nothing.
    },
};
