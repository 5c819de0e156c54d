/**
 * The steps of ForwardDrainGate's create, pure. `apply/` runs them and `preview.ts` prints them.
 * Update and delete have no steps: update records the new inputs without waiting again, and a
 * drain that happened cannot be undone.
 */
import type { ResolvedInputs } from "./types";

/** One step of create. */
export type GateStep =
    /** `drained: true`: the operator vouched for the drain; nothing is awaited. */
    | { kind: "acknowledge" }
    /** Scrape the metrics until the apply counters are unchanged for the quiet period. */
    | {
          kind: "waitForDrain";
          metricsUrl: string;
          schema: string | undefined;
          quietMs: number;
          timeoutMs: number;
          pollMs: number;
      }
    /** Read the endpoint once more: still answering means forward replication still runs. */
    | { kind: "inspectEndpoint"; metricsUrl: string }
    /** No metrics URL (only with `drained: true`): whether forward replication stopped is unchecked. */
    | { kind: "noEndpoint" };

/** What create does, from the parsed config. */
export function planCreate(config: ResolvedInputs): GateStep[] {
    const steps: GateStep[] = [];
    if (config.drained) steps.push({ kind: "acknowledge" });
    else {
        steps.push({
            kind: "waitForDrain",
            metricsUrl: config.metricsUrl!, // check requires it unless drained is true
            schema: config.schema,
            quietMs: config.quietPeriodSeconds * 1000,
            timeoutMs: config.timeoutSeconds * 1000,
            pollMs: config.pollIntervalSeconds * 1000,
        });
    }
    steps.push(
        config.metricsUrl === undefined
            ? { kind: "noEndpoint" }
            : { kind: "inspectEndpoint", metricsUrl: config.metricsUrl },
    );
    return steps;
}
