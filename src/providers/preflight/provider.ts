/**
 * The Preflight dynamic provider: wiring only. `check` parses; `create` and `update` run the
 * read-only pre-flight and fail with every problem; `read` is a no-op (the pre-flight proves
 * preconditions before a change, it is not drift: run `crdb-failback-preflight` to re-check);
 * `delete` is a no-op (nothing exists outside the state).
 */
import type * as pulumi from "@pulumi/pulumi";
import { newResourceId } from "../kernel/ids";
import { toWire } from "../kernel/lazyProvider";
import { previewLoggers } from "../kernel/previewSql";
import { readVersionedState } from "../kernel/stateVersion";
import { checkPreflight, parsePreflight } from "./check";
import { diffPreflight } from "./diff";
import { preflightOutputs, STATE_VERSION } from "./apply/outputs";
import type { TargetOpener } from "./apply/run";
import { previewLabel, previewSecrets, previewStatements } from "./preview";
import type { PreflightInputs, PreflightOutputs } from "./types";

export type { PreflightInputs, PreflightOutputs } from "./types";

const loggers = previewLoggers<PreflightInputs, PreflightOutputs>({
    label: (news) => previewLabel(news),
    create: (news) => previewStatements(news),
    update: (_olds, news) => previewStatements(news),
    replacement: () => [],
    secrets: (values) => previewSecrets(values),
});

function parsed(inputs: PreflightInputs) {
    const result = parsePreflight(inputs);
    if (!result.ok)
        throw new Error(
            result.failures.list.map((f) => `${f.property} ${f.reason}`.trim()).join("; "),
        );
    return result.config;
}

/** Builds the provider; tests pass a target opener (the Oracle recording client). */
export function makePreflightProvider(
    options: { openTarget?: TargetOpener } = {},
): pulumi.dynamic.ResourceProvider<PreflightInputs, PreflightOutputs> {
    const state = (props: PreflightOutputs) =>
        readVersionedState<PreflightOutputs>(
            { ...props },
            { resource: "Preflight", current: STATE_VERSION },
        );
    return {
        async check(olds, news) {
            const result = checkPreflight(news);
            if (!result.failures?.length)
                loggers.logCreatePreview(olds, news as unknown as Record<string, unknown>);
            return result;
        },
        async diff(_id, olds, news) {
            const result = diffPreflight(state(olds), news);
            loggers.logDiffPreview(olds, news, result);
            return result;
        },
        create: (inputs) =>
            toWire(async () => ({
                id: newResourceId("preflight"),
                outs: await preflightOutputs(inputs, parsed(inputs), options.openTarget),
            })),
        update: (_id, _olds, news) =>
            toWire(async () => ({
                outs: await preflightOutputs(news, parsed(news), options.openTarget),
            })),
        read: (id, props) =>
            toWire(async () => {
                loggers.noteRead();
                return { id, props: props ? state(props) : props };
            }),
        async delete() {
            return undefined;
        },
    };
}

export const provider = makePreflightProvider();
