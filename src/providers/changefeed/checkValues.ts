/**
 * Offline checks of the Changefeed inputs that take a value apart: durations, the webhook sink
 * config, the options map and delivery verification. Used by `check.ts`.
 */
import { CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN } from "../kernel/unknown";
import { parseDuration, parseStagingSchema } from "../cockroach";
import { KNOWN_OPTIONS, SINK_URL_PARAMETERS } from "./clusterVersion";
import { targetSchemaMismatch } from "./delivery";
import { optionValueProblem, REJECTED_OPTIONS, RESERVED_OPTIONS } from "./options";

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|μs|ms|s|m|h))+$|^0$/;
const OPTION_NAME = /^[a-z][a-z_]*$/;

/** True for a value that is given and known (not undefined, null or unknown at preview). */
export const known = (value: unknown): boolean =>
    value !== undefined && value !== null && value !== UNKNOWN;

export function checkVerifyDelivery(f: CheckFailures, value: unknown, webhookUrl: unknown): void {
    if (!known(value) || value === false) return;
    if (typeof value !== "object" || Array.isArray(value)) {
        f.add(
            "verifyDelivery",
            "must be false or { stagingConnection?, stagingSchema, targetSchema, timeoutSeconds? }",
        );
        return;
    }
    const verify = value as Record<string, unknown>;
    const staging = verify.stagingSchema;
    if (staging !== UNKNOWN && (typeof staging !== "string" || !parseStagingSchema(staging))) {
        f.add(
            "verifyDelivery.stagingSchema",
            "must be the replicator's --stagingSchema as db.schema (e.g. defaultdb._replicator) or one part " +
                "(_replicator = _replicator.public)",
        );
    }
    const target = verify.targetSchema;
    if (target !== UNKNOWN) {
        const parts = Array.isArray(target) ? (target as unknown[]) : undefined;
        if (
            !parts ||
            parts.length < 1 ||
            parts.length > 2 ||
            parts.some((p) => p !== UNKNOWN && (typeof p !== "string" || p === ""))
        ) {
            f.add(
                "verifyDelivery.targetSchema",
                "must be the target schema the replicator writes: [db, schema] for PostgreSQL, [db] for MySQL, " +
                    "[SCHEMA] for Oracle",
            );
        } else if (
            typeof webhookUrl === "string" &&
            webhookUrl !== UNKNOWN &&
            parts.every((p) => typeof p === "string" && p !== UNKNOWN)
        ) {
            const problem = targetSchemaMismatch(parts as string[], webhookUrl);
            if (problem) f.add("verifyDelivery.targetSchema", problem);
        }
    }
    const timeout = verify.timeoutSeconds;
    if (known(timeout)) {
        if (
            typeof timeout !== "number" ||
            !Number.isFinite(timeout) ||
            timeout <= 0 ||
            timeout > 3600
        ) {
            f.add(
                "verifyDelivery.timeoutSeconds",
                "must be a number of seconds greater than 0 and at most 3600 (default 120: keep it at 90 or more, " +
                    "the replicator re-reads its JWT keys once a minute)",
            );
        }
    }
}

export function checkDuration(
    f: CheckFailures,
    property: string,
    value: unknown,
    positive: boolean,
): void {
    if (!known(value)) return;
    const valid = typeof value === "string" && GO_DURATION.test(value);
    if (!valid) {
        f.add(property, "must be a duration such as '250ms', '10s' or '1m30s'");
        return;
    }
    if (positive && parseDuration(value) === 0n) f.add(property, "must be greater than zero");
}

export function checkSinkConfig(f: CheckFailures, value: unknown): void {
    if (!known(value)) return;
    let config: unknown = value;
    if (typeof value === "string") {
        try {
            config = JSON.parse(value);
        } catch {
            f.add(
                "webhookSinkConfig",
                'must be JSON such as {"Flush":{"Bytes":1048576,"Frequency":"1s"}}',
            );
            return;
        }
    }
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        f.add("webhookSinkConfig", "must be a JSON object with Flush and/or Retry");
        return;
    }
    const problems: string[] = [];
    const record = config as Record<string, unknown>;
    for (const key of Object.keys(record)) {
        if (key !== "Flush" && key !== "Retry")
            problems.push(`unknown field ${key} (CockroachDB would ignore it silently)`);
    }
    const flush = record.Flush as Record<string, unknown> | undefined;
    if (flush !== undefined) {
        const nonZero = (k: string) => typeof flush[k] === "number" && flush[k] !== 0;
        for (const k of ["Messages", "Bytes"]) {
            if (
                flush[k] !== undefined &&
                (!Number.isInteger(flush[k]) || (flush[k] as number) < 0)
            ) {
                problems.push(`Flush.${k} must be a non-negative integer`);
            }
        }
        const frequency = flush.Frequency;
        if (
            frequency !== undefined &&
            (typeof frequency !== "string" || !GO_DURATION.test(frequency))
        ) {
            problems.push('Flush.Frequency must be a duration string such as "1s"');
        } else if (
            (nonZero("Messages") || nonZero("Bytes")) &&
            (frequency === undefined || parseDuration(String(frequency)) === 0n)
        ) {
            problems.push(
                "Flush.Frequency must be non-zero when Flush.Messages or Flush.Bytes is set",
            );
        }
    }
    const retry = record.Retry as Record<string, unknown> | undefined;
    if (retry !== undefined) {
        if (
            retry.Max !== undefined &&
            retry.Max !== "inf" &&
            !(Number.isInteger(retry.Max) && (retry.Max as number) > 0)
        ) {
            problems.push('Retry.Max must be a positive integer or "inf"');
        }
        if (
            retry.Backoff !== undefined &&
            (typeof retry.Backoff !== "string" || !GO_DURATION.test(retry.Backoff))
        ) {
            problems.push('Retry.Backoff must be a duration string such as "500ms"');
        }
    }
    for (const problem of problems) f.add("webhookSinkConfig", problem);
}

export function checkOptions(f: CheckFailures, options: unknown): void {
    if (!known(options)) return;
    if (typeof options !== "object" || Array.isArray(options)) {
        f.add(
            "options",
            "must be a map of option name → value (string), true (flag) or false (left out)",
        );
        return;
    }
    for (const [name, value] of Object.entries(options as Record<string, unknown>)) {
        const property = `options.${name}`;
        if (!OPTION_NAME.test(name)) {
            f.add(property, "is not a changefeed option name (lower-case words joined by _)");
            continue;
        }
        const sinkParameter = SINK_URL_PARAMETERS[name];
        if (sinkParameter !== undefined) {
            f.add(
                property,
                `is a query parameter of the sink URL, not a changefeed option (CockroachDB refuses it in WITH): ${sinkParameter}`,
            );
            continue;
        }
        if (!KNOWN_OPTIONS.has(name)) {
            f.add(
                property,
                `is not a CockroachDB changefeed option; options that may be set here: ${settableOptions().join(", ")}`,
            );
            continue;
        }
        if (name === "initial_scan" && value === "no") continue;
        if (RESERVED_OPTIONS[name]) {
            f.add(property, `cannot be set in options: it ${RESERVED_OPTIONS[name]}`);
            continue;
        }
        if (REJECTED_OPTIONS[name] && value !== false) {
            f.add(property, `breaks the replicator: it ${REJECTED_OPTIONS[name]}`);
            continue;
        }
        if (value === UNKNOWN) continue;
        if (typeof value !== "string" && typeof value !== "boolean") {
            f.add(property, "must be a string value, true (flag) or false (left out)");
            continue;
        }
        const problem = optionValueProblem(name, value);
        if (problem) f.add(property, problem);
    }
}

/** Known options that are neither set by a dedicated argument nor refused for the replicator. */
function settableOptions(): string[] {
    return [...KNOWN_OPTIONS]
        .filter((name) => !RESERVED_OPTIONS[name] && !REJECTED_OPTIONS[name])
        .sort();
}
