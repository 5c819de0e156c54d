/**
 * Wiring of the ClusterSettings dynamic resource; README.md "Rolling back" and "Drift" describe
 * its behaviour. `check.ts` validates and parses, `diff.ts` decides update or replace, `plan.ts`
 * lists the steps that `apply/` runs and `preview.ts` prints.
 */
import * as pulumi from "@pulumi/pulumi";

import { type SessionTimeouts, withSession } from "../cockroach";
import { stateReader } from "../kernel/stateVersion";
import type { ApplyContext } from "./apply/context";
import { create, read, remove, update } from "./apply/lifecycle";
import { checkClusterSettings, parseClusterSettings } from "./check";
import { diffClusterSettings } from "./diff";
import { logCreatePreview, logDiffPreview } from "./preview";
import { type ClusterSettingsInputs, type ClusterSettingsOutputs, STATE_VERSIONING } from "./types";

/** What the provider depends on; tests pass shorter bounds through {@link makeClusterSettingsProvider}. */
export interface ClusterSettingsProviderDeps {
    /** Connect and statement timeouts of every session. */
    sessionOptions: SessionTimeouts;
    /** Where warnings go (a setting left alone because an operator changed it); default `pulumi.log.warn`. */
    warn: (message: string) => Promise<void> | void;
}

const DEFAULT_DEPS: ClusterSettingsProviderDeps = {
    sessionOptions: { connectMs: 10_000, statementMs: 30_000 },
    warn: (message) => pulumi.log.warn(message),
};

/** Prior state in the current shape (older shapes migrated, newer ones refused). */
const stateOf = stateReader<ClusterSettingsOutputs>(STATE_VERSIONING);

/**
 * Builds the ClusterSettings provider. `provider` below is the one the package ships; tests pass
 * shorter session bounds (`sessionOptions: { connectMs, statementMs }`).
 */
export function makeClusterSettingsProvider(
    overrides: Partial<ClusterSettingsProviderDeps> = {},
): Required<pulumi.dynamic.ResourceProvider> {
    const deps: ClusterSettingsProviderDeps = { ...DEFAULT_DEPS, ...overrides };
    const ctx: ApplyContext = {
        open: (connection, secrets, work) =>
            withSession(connection, secrets, work, deps.sessionOptions),
        warn: deps.warn,
    };
    return {
        async configure() {
            // No provider configuration: everything comes from the resource's inputs.
        },
        async check(olds, news) {
            const result = checkClusterSettings(news);
            if (!result.failures?.length) logCreatePreview(olds, news);
            return result;
        },
        async diff(_id, olds, news: ClusterSettingsInputs) {
            const result = diffClusterSettings(stateOf(olds), news);
            logDiffPreview(olds, news, result);
            return result;
        },
        create: async (inputs: ClusterSettingsInputs) => create(ctx, parseClusterSettings(inputs)),
        update: async (id, olds, news: ClusterSettingsInputs) =>
            update(ctx, id, stateOf(olds), parseClusterSettings(news)),
        read: async (id, props) => read(ctx, id, stateOf(props)),
        delete: async (_id, props) => remove(ctx, stateOf(props)),
    };
}

/** The ClusterSettings provider, loaded by `lazyProvider("dist/providers/clusterSettings/provider")`. */
export const provider: Required<pulumi.dynamic.ResourceProvider> = makeClusterSettingsProvider();
