/**
 * Preflight `diff`: any input change re-runs the pre-flight (an update); nothing is ever
 * replaced, because nothing exists outside the state.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PreflightInputs, PreflightOutputs } from "./types";

const KEYS: readonly (keyof PreflightInputs)[] = [
    "cockroachConnection",
    "targetConnection",
    "targetSchema",
    "tables",
    "grantee",
    "granteeHost",
    "ignoreColumns",
    "grantsManaged",
    "stagingSchema",
    "stagingConnection",
    "stagingCreateSchema",
    "rangefeedManaged",
    "changefeedOptions",
    "cursor",
    "gcMarginSeconds",
    "exclusive",
    "failOnWarnings",
];

export function diffPreflight(
    olds: PreflightOutputs,
    news: PreflightInputs,
): pulumi.dynamic.DiffResult {
    const changed = KEYS.filter(
        (key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null),
    );
    return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
}
