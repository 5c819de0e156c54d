/**
 * TargetGrants lifecycle: grants the replicator's user the privileges it needs on the failback
 * target (PostgreSQL, MySQL/MariaDB, Oracle), records exactly what it added, and revokes exactly
 * that on delete. This module only wires the engine's calls to `check.ts`, `diff.ts` and the
 * functions in `apply/`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkTargetGrants, parseTargetGrants } from "./check";
import { diff } from "./diff";
import { logCreatePreview } from "./preview";
import { create } from "./apply/create";
import { remove } from "./apply/delete";
import { read } from "./apply/read";
import { type ApplyDeps, DEFAULT_DEPS } from "./apply/session";
import { update } from "./apply/update";
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
        async diff(_id, olds: TargetGrantsOutputs, news: TargetGrantsInputs) {
            return diff(olds, news);
        },
        async create(inputs: TargetGrantsInputs) {
            return create(parseTargetGrants(inputs), deps);
        },
        async read(id, props: TargetGrantsOutputs) {
            return read(id, props, deps);
        },
        async update(id, olds: TargetGrantsOutputs, news: TargetGrantsInputs) {
            return update(id, olds, parseTargetGrants(news), deps);
        },
        async delete(_id, props: TargetGrantsOutputs) {
            await remove(props, deps);
        },
    };
}

/** The provider the package ships (see `lazyProvider` in src/providers/targetGrants/index.ts). */
export const provider = makeTargetGrantsProvider();
