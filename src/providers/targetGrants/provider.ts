/**
 * TargetGrants lifecycle: grants the replicator's user the privileges it needs on the failback
 * target (PostgreSQL, MySQL/MariaDB, Oracle), records exactly what it added, and revokes exactly
 * that on delete. This module only wires the engine's calls to `check.ts`, `diff.ts` and the
 * functions in `apply/`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PartialStateError } from "../kernel/partialState";
import { checkTargetGrants, parseTargetGrants } from "./check";
import { diff } from "./diff";
import { logCreatePreview } from "./preview";
import { create } from "./apply/create";
import { remove } from "./apply/delete";
import { readStored } from "./apply/read";
import { type ApplyDeps, DEFAULT_DEPS } from "./apply/session";
import { update } from "./apply/update";
import { fromStoredOutputs as plain, toStoredOutputs as stored } from "./storedOutputs";
import type { TargetGrantsInputs, TargetGrantsOutputs } from "./types";

export { compareForDiff } from "./diff";
export type { TargetGrantsOutputs } from "./types";

/** What the provider depends on; tests replace the session openers and timeouts. */
export type TargetGrantsProviderDeps = ApplyDeps;

/** Builds the provider; `provider` below is the one the package ships. */
export function makeTargetGrantsProvider(
    overrides: Partial<TargetGrantsProviderDeps> = {},
): Required<pulumi.dynamic.ResourceProvider> {
    const deps: TargetGrantsProviderDeps = { ...DEFAULT_DEPS, ...overrides };
    return {
        async configure() {
            // No provider configuration: every setting is a resource input.
        },
        async check(olds, news: Record<string, unknown>) {
            const { failures } = checkTargetGrants(news);
            if (failures.length === 0) logCreatePreview(olds, news);
            return { inputs: news, failures };
        },
        // State holds large lists grouped (stateCodec.ts); everything below sees them plain.
        async diff(_id, olds: TargetGrantsOutputs, news: TargetGrantsInputs) {
            return diff(plain(olds), news);
        },
        async create(inputs: TargetGrantsInputs) {
            const { id, outs } = await storing(create(parseTargetGrants(inputs), deps));
            return { id, outs: stored(outs) };
        },
        async read(id, props: TargetGrantsOutputs) {
            return readStored(id, props as unknown as Record<string, unknown>, deps);
        },
        async update(id, olds: TargetGrantsOutputs, news: TargetGrantsInputs) {
            const { outs } = await storing(update(id, plain(olds), parseTargetGrants(news), deps));
            return { outs: stored(outs) };
        },
        async delete(_id, props: TargetGrantsOutputs) {
            await remove(plain(props), deps);
        },
    };
}

/** `work`, with the state of a partial-state error in its stored form. */
async function storing<T>(work: Promise<T>): Promise<T> {
    try {
        return await work;
    } catch (err) {
        if (!(err instanceof PartialStateError)) throw err;
        throw new PartialStateError(err.id, stored(err.properties), err.reasons);
    }
}

/** The provider the package ships (see `lazyProvider` in src/providers/targetGrants/index.ts). */
export const provider = makeTargetGrantsProvider();
