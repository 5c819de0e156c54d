/**
 * Wiring of ReplicatorAuthKey: registers a JWT public key in the replicator's staging schema and
 * mints the token the changefeed sends. `check.ts` validates and parses, `diff.ts` decides
 * update or replace, `plan.ts` lists the statements that `apply/` runs and `preview.ts` prints.
 */
import type * as pulumi from "@pulumi/pulumi";

import { checkedInputs } from "../kernel/checkFailures";
import { stateReader } from "../kernel/stateVersion";
import { create, read, remove, update } from "./apply/lifecycle";
import { parseReplicatorAuthKey, replicatorAuthKeyProblems } from "./check";
import { planDiff } from "./diff";
import { logCreatePreview, logDiffPreview } from "./preview";
import {
    type ReplicatorAuthKeyInputs,
    type ReplicatorAuthKeyOutputs,
    STATE_VERSIONING,
} from "./types";

/** Prior state in the current shape (older shapes migrated, newer ones refused). */
const stateOf = stateReader<ReplicatorAuthKeyOutputs>(STATE_VERSIONING);

/** The ReplicatorAuthKey provider, loaded by `lazyProvider("dist/providers/replicatorAuthKey/provider")`. */
export const provider: Required<pulumi.dynamic.ResourceProvider> = {
    async configure() {
        // No provider-wide configuration: everything comes from the resource's inputs.
    },

    check: async (olds, news) =>
        checkedInputs(news, replicatorAuthKeyProblems(news), () => logCreatePreview(olds, news)),

    async diff(_id, olds, news) {
        const result = planDiff(stateOf(olds) as unknown as Record<string, unknown>, news);
        logDiffPreview(olds, news, result);
        return result;
    },

    create: async (inputs: ReplicatorAuthKeyInputs) => create(parseReplicatorAuthKey(inputs)),
    read: async (id, props) => read(id, stateOf(props)),
    update: async (_id, olds, news: ReplicatorAuthKeyInputs) =>
        update(stateOf(olds), parseReplicatorAuthKey(news)),
    delete: async (_id, props) => remove(stateOf(props)),
};
