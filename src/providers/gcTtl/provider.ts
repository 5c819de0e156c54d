/**
 * Lifecycle wiring of the GcTtl dynamic resource (docs/gc-ttl.md). The work is in apply/; the
 * statements are in sql.ts, planned in plan.ts and shown by preview.ts.
 */
import * as pulumi from "@pulumi/pulumi";

import type { SessionTimeouts } from "../cockroach";
import { readVersionedState } from "../kernel/stateVersion";
import { create, update, type Warn } from "./apply/converge";
import { STATE_VERSION } from "./apply/outputs";
import { destroy, refresh } from "./apply/refresh";
import { sessionOpener } from "./apply/session";
import { checkGcTtl, parseGcTtl } from "./check";
import { diffGcTtl } from "./diff";
import { logCreatePreview, logDiffPreview, noteRead } from "./preview";
import type { GcTtlInputs, GcTtlOutputs } from "./types";

/** What the provider depends on; tests pass shorter bounds through {@link makeGcTtlProvider}. */
export interface GcTtlProviderDeps {
    /** Connect and statement timeouts of every session. */
    sessionOptions: SessionTimeouts;
    /** Where warnings go; default `pulumi.log.warn`. */
    warn: Warn;
}

const DEFAULT_DEPS: GcTtlProviderDeps = {
    sessionOptions: { connectMs: 10_000, statementMs: 30_000 },
    warn: (message) => pulumi.log.warn(message),
};

/** State in the current shape (older shapes migrated, newer ones refused). */
function state(props: unknown): GcTtlOutputs {
    return readVersionedState<GcTtlOutputs>(props as Record<string, unknown>, {
        resource: "GcTtl",
        current: STATE_VERSION,
    });
}

/** Builds the GcTtl provider; `provider` below is the one the package ships. */
export function makeGcTtlProvider(
    overrides: Partial<GcTtlProviderDeps> = {},
): Required<pulumi.dynamic.ResourceProvider<GcTtlInputs, GcTtlOutputs>> {
    const deps: GcTtlProviderDeps = { ...DEFAULT_DEPS, ...overrides };
    const open = sessionOpener(deps.sessionOptions);
    return {
        async configure() {
            // No provider configuration: everything comes from the resource's inputs.
        },
        async check(olds, news) {
            const result = checkGcTtl(news as unknown as Record<string, unknown>);
            if (!result.failures?.length)
                logCreatePreview(olds, news as unknown as Record<string, unknown>);
            return result as pulumi.dynamic.CheckResult<GcTtlInputs>;
        },
        async diff(_id, olds, news) {
            const result = diffGcTtl(state(olds), news);
            logDiffPreview(olds, news, result);
            return result;
        },
        create: (inputs) => create(open, inputs, parseGcTtl(inputs)),
        async update(id, olds, news) {
            return { outs: await update(open, deps.warn, id, state(olds), news, parseGcTtl(news)) };
        },
        async read(id, props) {
            noteRead();
            return { id, props: await refresh(open, state(props)) };
        },
        delete: (_id, props) => destroy(open, deps.warn, state(props)),
    };
}

/** The GcTtl provider, loaded by `lazyProvider("dist/providers/gcTtl/provider")`. */
export const provider = makeGcTtlProvider();
