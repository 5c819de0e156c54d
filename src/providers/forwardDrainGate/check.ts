/**
 * Offline `check` of ForwardDrainGate: every problem with the inputs, and the parsed config
 * (defaults applied) create and update work from.
 */
import type * as pulumi from "@pulumi/pulumi";

import { assertNoProblems, CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN } from "../kernel/unknown";
import {
    DEFAULT_POLL_INTERVAL_SECONDS,
    DEFAULT_QUIET_PERIOD_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    type ForwardDrainGateInputs,
    MAX_TIMEOUT_SECONDS,
    type ResolvedInputs,
} from "./types";

export type { ResolvedInputs } from "./types";

/** The inputs with defaults applied. */
export function resolveInputs(inputs: ForwardDrainGateInputs): ResolvedInputs {
    return {
        ...(inputs.metricsUrl === undefined ? {} : { metricsUrl: inputs.metricsUrl }),
        ...(inputs.schema === undefined ? {} : { schema: inputs.schema }),
        quietPeriodSeconds: inputs.quietPeriodSeconds ?? DEFAULT_QUIET_PERIOD_SECONDS,
        timeoutSeconds: inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
        pollIntervalSeconds: inputs.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
        drained: inputs.drained ?? false,
    };
}

const NUMBER_PROPERTIES = ["quietPeriodSeconds", "timeoutSeconds", "pollIntervalSeconds"] as const;

/** Every problem with the inputs, each naming the property and the fix. Pure. */
export function forwardDrainGateProblems(
    news: Record<string, unknown>,
): pulumi.dynamic.CheckFailure[] {
    return checkInputs(news).list;
}

/** Validates the inputs and applies their defaults once; throws every problem at once. */
export function parseForwardDrainGate(inputs: ForwardDrainGateInputs): ResolvedInputs {
    assertNoProblems("ForwardDrainGate", forwardDrainGateProblems({ ...inputs }));
    return resolveInputs(inputs);
}

/** Every problem with `news`, at once. Unknown (preview) values are accepted. */
export function checkInputs(news: Record<string, unknown>): CheckFailures {
    const failures = new CheckFailures();
    // An acknowledged drain may come without a URL: there is then nothing to read.
    if (news.metricsUrl !== undefined || news.drained !== true) {
        checkMetricsUrl(news.metricsUrl, failures);
    }

    const schema = news.schema;
    if (schema !== undefined && schema !== UNKNOWN) {
        if (typeof schema !== "string" || schema.trim() === "") {
            failures.add(
                "schema",
                "must be a non-empty schema name as the replicator labels it (e.g. " +
                    "defaultdb.public), or left out to watch every schema",
            );
        }
    }

    const numbers: Partial<Record<(typeof NUMBER_PROPERTIES)[number], number>> = {};
    for (const property of NUMBER_PROPERTIES) {
        const value = news[property];
        if (value === undefined || value === UNKNOWN) continue;
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
            failures.add(property, "must be a positive number of seconds");
            continue;
        }
        numbers[property] = value;
    }
    if (numbers.timeoutSeconds !== undefined && numbers.timeoutSeconds > MAX_TIMEOUT_SECONDS) {
        failures.add("timeoutSeconds", `must be at most ${MAX_TIMEOUT_SECONDS} (one day)`);
    }
    const known = (property: (typeof NUMBER_PROPERTIES)[number], fallback: number) =>
        news[property] === UNKNOWN ? undefined : (numbers[property] ?? fallback);
    const quiet = known("quietPeriodSeconds", DEFAULT_QUIET_PERIOD_SECONDS);
    const timeout = known("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS);
    const poll = known("pollIntervalSeconds", DEFAULT_POLL_INTERVAL_SECONDS);
    const invalid = NUMBER_PROPERTIES.some(
        (p) => news[p] !== undefined && news[p] !== UNKNOWN && numbers[p] === undefined,
    );
    if (!invalid && quiet !== undefined && timeout !== undefined) {
        if (quiet >= timeout) {
            failures.add(
                "quietPeriodSeconds",
                `must be less than timeoutSeconds (${quiet} >= ${timeout}): the gate could never pass`,
            );
        } else if (poll !== undefined && Math.ceil(quiet / poll) * poll > timeout) {
            failures.add(
                "pollIntervalSeconds",
                `with a poll every ${poll} s the quiet period of ${quiet} s is confirmed after ` +
                    `${Math.ceil(quiet / poll) * poll} s at the earliest, beyond timeoutSeconds ` +
                    `(${timeout}); poll more often or raise timeoutSeconds`,
            );
        }
    }

    const drained = news.drained;
    if (drained !== undefined && drained !== UNKNOWN && typeof drained !== "boolean") {
        failures.add("drained", "must be true or false");
    }
    return failures;
}

function checkMetricsUrl(value: unknown, failures: CheckFailures): void {
    if (value === UNKNOWN) return;
    const example = "e.g. http://replicator-forward:30005/_/varz";
    if (typeof value !== "string" || value === "") {
        failures.add(
            "metricsUrl",
            `is required unless drained is true: the forward replicator's metrics URL, ${example}`,
        );
        return;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        failures.add("metricsUrl", `is not a URL; expected ${example}`);
        return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        failures.add("metricsUrl", `must be an http:// or https:// URL, ${example}`);
    }
    if (url.hostname === "") failures.add("metricsUrl", `has no host, ${example}`);
    if (url.username !== "" || url.password !== "") {
        // The URL is stored in state in clear; the replicator's metrics endpoint has no auth.
        failures.add("metricsUrl", "must not carry a user name or password");
    }
}
