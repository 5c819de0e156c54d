/**
 * Inputs, parsed config, outputs and defaults of the ForwardDrainGate dynamic resource.
 */
import type { StateVersioning } from "../kernel/stateVersion";

/** Default seconds the forward counters must stay unchanged. */
export const DEFAULT_QUIET_PERIOD_SECONDS = 60;
/** Default seconds `create` waits for the quiet period before giving up. */
export const DEFAULT_TIMEOUT_SECONDS = 900;
/** Default seconds between two scrapes of the metrics endpoint. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;
/** Upper bound of `timeoutSeconds`: a pulumi up that waits longer than a day is a mistake. */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** Inputs as the provider receives them (defaults not applied yet). */
export interface ForwardDrainGateInputs {
    /** Required unless `drained` is true. */
    metricsUrl?: string;
    schema?: string;
    quietPeriodSeconds?: number;
    timeoutSeconds?: number;
    pollIntervalSeconds?: number;
    drained?: boolean;
}

/** Inputs with defaults applied: the config create and update work from. */
export interface ResolvedInputs {
    metricsUrl?: string;
    schema?: string;
    quietPeriodSeconds: number;
    timeoutSeconds: number;
    pollIntervalSeconds: number;
    drained: boolean;
}

/** How ForwardDrainGate state is versioned (read through `readVersionedState`). */
export const STATE_VERSIONING: StateVersioning = { resource: "ForwardDrainGate", current: 1 };

/** Summed `apply_upserts_total` / `apply_deletes_total` of the forward replicator. */
export interface CounterTotals {
    upserts: number;
    deletes: number;
}

/** What the resource stores in state. */
export interface ForwardDrainGateOutputs extends ResolvedInputs {
    stateVersion: 1;
    /** When the gate passed: the quiet period confirmed, or the acknowledgement recorded. */
    drainedAt: string;
    /** First time the final counter values were seen (absent when acknowledged unseen). */
    quietSince?: string;
    /** The last counters read (absent when the endpoint never answered). */
    lastCounters?: CounterTotals;
    /** Whether the endpoint still answered at the end of create. */
    endpointAnswering: boolean;
    /** True when the gate passed on `drained: true` without waiting. */
    acknowledged: boolean;
    /** The warnings create also sent to `pulumi.log.warn`. */
    warnings: string[];
}
