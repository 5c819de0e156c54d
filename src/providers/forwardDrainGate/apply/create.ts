/**
 * ForwardDrainGate's create: the runbook step "wait for forward replication to drain, then stop
 * it" (docs/replicator-behaviour.md) as a gate the failback changefeed depends on.
 *
 * Unless `drained: true`, it scrapes the forward replicator's `/_/varz` until
 * `apply_upserts_total` + `apply_deletes_total` (of `schema`, or all schemas) have not moved for
 * the quiet period, or fails after the timeout (see gate.ts); an endpoint with no counter for
 * the watched schema (nothing to measure) is an error, never a drain. It logs a progress line
 * every few seconds while it waits. Then it reads the endpoint once more: still answering → a
 * warning that the forward replicator is still running (the runbook stops it before failback
 * starts); connection refused / name gone → info. With `drained: true` it does not wait; the one
 * read is only to tell the operator whether the forward replicator is still running, and no
 * failure of it is an error; `metricsUrl` may then be left out, and nothing is read.
 */
import * as pulumi from "@pulumi/pulumi";

import { newResourceId } from "../../kernel/ids";
import { redactUrl } from "../../kernel/redact";
import { parseForwardDrainGate } from "../check";
import { aggregateCounters } from "../counters";
import {
    FETCH_TIMEOUT_MS,
    type GateClock,
    SYSTEM_CLOCK,
    type Scraper,
    waitForDrain,
} from "../gate";
import { planCreate } from "../plan";
import { metricsEndpoint, scrapeMetrics } from "../scrape";
import {
    type CounterTotals,
    type ForwardDrainGateInputs,
    type ForwardDrainGateOutputs,
    STATE_VERSIONING,
} from "../types";

/** What create reports besides throwing: sent to `pulumi.log`. */
export interface GateLog {
    warn(message: string): Promise<void>;
    info(message: string): Promise<void>;
}

export interface GateDependencies {
    scrape: Scraper;
    clock: GateClock;
    log: GateLog;
    /** Time between two progress lines while waiting; default 5000 ms. */
    progressIntervalMs?: number;
}

const DEFAULT_DEPENDENCIES: GateDependencies = {
    scrape: scrapeMetrics,
    clock: SYSTEM_CLOCK,
    log: {
        warn: (message) => pulumi.log.warn(message),
        info: (message) => pulumi.log.info(message),
    },
};

/** The final read of the endpoint after the gate passed (or was acknowledged). */
interface EndpointState {
    answering: boolean;
    counters?: CounterTotals;
    warnings: string[];
    notices: string[];
}

/** No metrics URL (an acknowledged drain): nothing to read. */
const NO_ENDPOINT: EndpointState = {
    answering: false,
    warnings: [],
    notices: [
        "no metricsUrl: whether the forward replicator is stopped was not checked " +
            "(the runbook stops it before failback starts).",
    ],
};

async function inspectEndpoint(
    metricsUrl: string,
    schema: string | undefined,
    deps: GateDependencies,
): Promise<EndpointState> {
    const shown = redactUrl(metricsEndpoint(metricsUrl).toString());
    const result = await deps.scrape(metricsUrl, FETCH_TIMEOUT_MS);
    if (result.ok) {
        let counters: CounterTotals | undefined;
        try {
            counters = aggregateCounters(result.samples, schema).totals;
        } catch {
            counters = undefined;
        }
        return {
            answering: true,
            ...(counters ? { counters } : {}),
            warnings: [
                `the forward replicator is still running: ${shown} answers. The runbook stops ` +
                    "forward replication (Ctrl-C / SIGTERM, exit code 0) once it has drained and " +
                    "before failback starts; stop it now, or it keeps applying source changes to " +
                    "CockroachDB while the failback changefeed streams CockroachDB back to the source.",
            ],
            notices: [],
        };
    }
    if (result.kind === "refused" || result.kind === "unresolved") {
        return {
            answering: false,
            warnings: [],
            notices: [
                `the forward replicator's metrics endpoint no longer answers (${gone(result.kind)}): ` +
                    "forward replication is stopped, as the runbook asks before failback.",
            ],
        };
    }
    return {
        answering: false,
        warnings: [
            `could not tell whether the forward replicator is stopped (${result.kind}: ${result.detail}); ` +
                "make sure forward replication is stopped before failback starts.",
        ],
        notices: [],
    };
}

function gone(kind: "refused" | "unresolved"): string {
    return kind === "refused" ? "connection refused" : "host name gone";
}

/** create, with its dependencies injectable for tests: runs the steps of `plan.ts`. */
export async function createGate(
    raw: ForwardDrainGateInputs,
    deps: GateDependencies = DEFAULT_DEPENDENCIES,
): Promise<{ id: string; outs: ForwardDrainGateOutputs }> {
    const inputs = parseForwardDrainGate(raw);
    let quietSince: string | undefined;
    let lastCounters: CounterTotals | undefined;
    let endpoint = NO_ENDPOINT;
    const warnings: string[] = [];
    const notices: string[] = [];
    for (const step of planCreate(inputs)) {
        switch (step.kind) {
            case "acknowledge":
                notices.push(
                    "drained: true — the forward drain was verified by hand; the gate did not wait.",
                );
                break;
            case "waitForDrain": {
                const { kind: _kind, schema, ...bounds } = step;
                const passed = await waitForDrain(
                    {
                        ...bounds,
                        ...(schema === undefined ? {} : { schema }),
                        progress: (line) => void deps.log.info(line),
                        ...(deps.progressIntervalMs === undefined
                            ? {}
                            : { progressIntervalMs: deps.progressIntervalMs }),
                    },
                    deps.scrape,
                    deps.clock,
                );
                quietSince = new Date(passed.quietSince).toISOString();
                lastCounters = passed.last.totals;
                warnings.push(...passed.warnings);
                notices.push(
                    `forward replication drained: counters unchanged since ${quietSince} ` +
                        `(upserts ${lastCounters.upserts}, deletes ${lastCounters.deletes}).`,
                );
                break;
            }
            case "inspectEndpoint":
                endpoint = await inspectEndpoint(step.metricsUrl, inputs.schema, deps);
                break;
            case "noEndpoint":
                endpoint = NO_ENDPOINT;
                break;
        }
    }
    if (!inputs.drained && lastCounters && endpoint.counters) {
        const { upserts, deletes } = endpoint.counters;
        if (upserts !== lastCounters.upserts || deletes !== lastCounters.deletes) {
            warnings.push(
                `forward replication applied rows again right after the quiet period (upserts ` +
                    `${lastCounters.upserts} → ${upserts}, deletes ${lastCounters.deletes} → ` +
                    `${deletes}): writes to the source database have not stopped.`,
            );
        }
    }
    lastCounters = endpoint.counters ?? lastCounters;
    warnings.push(...endpoint.warnings);
    notices.push(...endpoint.notices);
    for (const message of notices) await deps.log.info(message);
    for (const message of warnings) await deps.log.warn(message);

    const outs: ForwardDrainGateOutputs = {
        stateVersion: STATE_VERSIONING.current as 1,
        ...inputs,
        drainedAt: new Date(deps.clock.now()).toISOString(),
        ...(quietSince === undefined ? {} : { quietSince }),
        ...(lastCounters === undefined ? {} : { lastCounters }),
        endpointAnswering: endpoint.answering,
        acknowledged: inputs.drained,
        warnings,
    };
    return { id: newResourceId("forward-drain"), outs };
}
