/** Offline diff of ForwardDrainGate. Pure. */
import type * as pulumi from "@pulumi/pulumi";

import { UNKNOWN } from "../kernel/unknown";
import { resolveInputs } from "./check";
import type { ForwardDrainGateInputs, ResolvedInputs } from "./types";

/** The properties whose change diff reports: all inputs. None of them replaces the gate. */
const DIFFED = [
    "metricsUrl",
    "schema",
    "quietPeriodSeconds",
    "timeoutSeconds",
    "pollIntervalSeconds",
    "drained",
] as const;

/**
 * Every input change is an in-place update that records the new inputs and does not wait
 * again: the gate guards the moment failback starts, which has passed, and a second wait would
 * scrape a forward replicator the runbook had the operator stop. `pulumi up --replace` re-runs
 * it on purpose.
 */
export function planDiff(
    olds: Record<string, unknown>,
    news: ForwardDrainGateInputs,
): pulumi.dynamic.DiffResult {
    const before = olds as unknown as ResolvedInputs;
    const after = resolveInputs(news);
    const changed = DIFFED.filter((property) => {
        const next = after[property];
        return next === UNKNOWN || next !== before[property];
    });
    return {
        changes: changed.length > 0,
        replaces: [],
        deleteBeforeReplace: false,
        // update never touches what create found, so previews keep showing it.
        stables: [
            "drainedAt",
            "quietSince",
            "lastCounters",
            "endpointAnswering",
            "acknowledged",
            "warnings",
        ],
    };
}
