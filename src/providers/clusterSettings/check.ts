/**
 * Offline validation of ClusterSettings inputs: every problem at once, each naming the property
 * and the fix. Never touches a database.
 */
import type * as pulumi from "@pulumi/pulumi";

import { CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN } from "../kernel/unknown";
import { connectionProblem, parseCockroachConnection, SETTING_NAME_PATTERN } from "../cockroach";
import type { ClusterSettingsConfig, ClusterSettingsInputs } from "./types";
import {
    desiredSettings,
    KNOWN_SETTING_TYPES,
    NAMED_SETTING_ARGS,
    normalizeSettingName,
    normalizeSettingValue,
} from "./values";

const ON_DELETE_VALUES = ["restore", "reset", "retain"];

const TYPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
    b: "a boolean (true or false)",
    i: "an integer",
    d: "a duration such as '250ms', '3s' or '1m30s' (no day units)",
};

/** Validates the inputs; returns them unchanged with the failures found. */
export function checkClusterSettings(news: Record<string, unknown>): pulumi.dynamic.CheckResult {
    const failures = clusterSettingsProblems(news);
    return failures.length === 0 ? { inputs: news } : { inputs: news, failures };
}

/**
 * Parses the inputs `check` accepted into the config every lifecycle method works from: the
 * connection parsed once and the desired settings. Values are not validated again (check did).
 */
export function parseClusterSettings(inputs: ClusterSettingsInputs): ClusterSettingsConfig {
    const parsed = parseCockroachConnection(inputs.connection);
    if ("problem" in parsed)
        throw new Error(`invalid ClusterSettings inputs: connection ${parsed.problem}`);
    return { inputs, connection: parsed.connection, desired: desiredSettings(inputs) };
}

/**
 * Every problem with the inputs, each naming the property and the fix (a secret property is
 * named in the reason, not echoed). Pure; components validate their children with it.
 */
export function clusterSettingsProblems(
    news: Record<string, unknown>,
): pulumi.dynamic.CheckFailure[] {
    const failures = new CheckFailures();

    if (news.connection !== UNKNOWN) {
        const problem = connectionProblem(news.connection);
        if (problem) failures.addSecret("connection", problem);
    }

    const seen = new Map<string, string>();
    for (const named of NAMED_SETTING_ARGS) {
        const value = news[named.arg];
        if (value === undefined || value === null) continue;
        seen.set(named.name, named.arg);
        checkValue(failures, named.arg, named.name, named.type, value);
    }

    const settings = news.settings;
    if (settings !== undefined && settings !== null && settings !== UNKNOWN) {
        if (typeof settings !== "object" || Array.isArray(settings)) {
            failures.add(
                "settings",
                'must be a map of setting name → value, e.g. { "jobs.retention_time": "72h" }',
            );
        } else {
            for (const [rawName, value] of Object.entries(settings as Record<string, unknown>)) {
                const property = `settings["${rawName}"]`;
                const name = normalizeSettingName(rawName);
                if (!SETTING_NAME_PATTERN.test(name)) {
                    failures.add(
                        property,
                        `"${rawName}" is not a cluster setting name: names are dot-separated lower-case words such as kv.rangefeed.enabled`,
                    );
                    continue;
                }
                const other = seen.get(name);
                if (other) {
                    failures.add(
                        property,
                        `${name} is also set by ${other}; set it in one place only`,
                    );
                    continue;
                }
                seen.set(name, property);
                if (value === UNKNOWN) continue;
                if (
                    typeof value !== "string" &&
                    typeof value !== "number" &&
                    typeof value !== "boolean"
                ) {
                    failures.add(property, "must be a string, number or boolean");
                    continue;
                }
                if (typeof value === "number" && !Number.isFinite(value)) {
                    failures.add(property, "must be a finite number");
                    continue;
                }
                const type = KNOWN_SETTING_TYPES[name];
                if (type) checkValue(failures, property, name, type, value);
            }
        }
    }

    const onDelete = news.onDelete;
    if (onDelete !== undefined && onDelete !== null && onDelete !== UNKNOWN) {
        if (typeof onDelete !== "string" || !ON_DELETE_VALUES.includes(onDelete)) {
            failures.add("onDelete", 'must be "restore" (default), "reset" or "retain"');
        }
    }

    return failures.list;
}

function checkValue(
    failures: CheckFailures,
    property: string,
    name: string,
    type: string,
    value: unknown,
): void {
    if (value === UNKNOWN) return;
    const description = TYPE_DESCRIPTIONS[type];
    if (!description) return;
    const wrongJsType =
        (type === "b" && typeof value !== "boolean" && typeof value !== "string") ||
        (type === "i" && typeof value !== "number" && typeof value !== "string") ||
        (type === "d" && typeof value !== "string");
    const normalized = wrongJsType ? undefined : normalizeSettingValue(type, value);
    if (normalized === undefined) {
        failures.add(property, `${name} takes ${description}`);
        return;
    }
    if (type === "d" && normalized.startsWith("-")) {
        failures.add(property, `${name} cannot be negative`);
    }
    if (
        type === "i" &&
        name === "kv.rangefeed.concurrent_catchup_iterators" &&
        BigInt(String(value)) <= 0n
    ) {
        failures.add(property, `${name} must be a positive integer`);
    }
}
