/**
 * Offline validation of Changefeed inputs: every problem at once, naming the property and the
 * fix. Problems with secret-bearing properties (connection, TLS material, token) go through
 * `addSecret` so the engine never prints their values.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";

import type * as pulumi from "@pulumi/pulumi";

import { CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN } from "../kernel/unknown";
import { connectionProblem, connectionTarget, parseDuration, parseHlc } from "../cockroach";
import { parseStagingSchema } from "../cockroach";
import { KNOWN_OPTIONS, SINK_URL_PARAMETERS } from "./clusterVersion";
import { targetSchemaMismatch } from "./delivery";
import { optionValueProblem, REJECTED_OPTIONS, RESERVED_OPTIONS } from "./options";
import { parseWebhookUrl } from "./sink";
import { resolveTable } from "./tables";

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|μs|ms|s|m|h))+$|^0$/;
const OPTION_NAME = /^[a-z][a-z_]*$/;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----/;

const known = (value: unknown): boolean =>
    value !== undefined && value !== null && value !== UNKNOWN;

/** Validates the inputs; returns them unchanged with the failures found. */
export function checkChangefeed(news: Record<string, unknown>): pulumi.dynamic.CheckResult {
    const f = new CheckFailures();

    if (news.connection !== UNKNOWN) {
        const problem = connectionProblem(news.connection);
        if (problem) f.addSecret("connection", problem);
    }
    const database =
        typeof news.connection === "string"
            ? (connectionTarget(news.connection)?.database ?? "defaultdb")
            : "defaultdb";

    checkTables(f, news.tables, database);

    if (news.webhookUrl !== UNKNOWN) {
        if (typeof news.webhookUrl !== "string") {
            f.add(
                "webhookUrl",
                "is required: the replicator's https://host:port/<path> (e.g. ReplicatorHost.webhookBaseUrl + '/db/schema')",
            );
        } else {
            const parsed = parseWebhookUrl(news.webhookUrl);
            if ("problem" in parsed) f.add("webhookUrl", parsed.problem);
        }
    }

    checkPem(f, "caCertPem", news.caCertPem, "certificate", true);
    checkPem(f, "clientCertPem", news.clientCertPem, "certificate", false);
    checkPem(f, "clientKeyPem", news.clientKeyPem, "key", false);
    const hasCert = known(news.clientCertPem) || news.clientCertPem === UNKNOWN;
    const hasKey = known(news.clientKeyPem) || news.clientKeyPem === UNKNOWN;
    if (hasCert !== hasKey) {
        f.addSecret(
            hasCert ? "clientKeyPem" : "clientCertPem",
            "clientCertPem and clientKeyPem go together: give both (client certificate authentication) or neither",
        );
    }

    if (hasCert && hasKey) checkKeyPair(f, news.clientCertPem, news.clientKeyPem);

    if (known(news.authToken)) {
        if (
            typeof news.authToken !== "string" ||
            news.authToken === "" ||
            /\s/.test(news.authToken)
        ) {
            f.addSecret(
                "authToken",
                "must be a non-empty token without whitespace (it is sent as 'Bearer <token>')",
            );
        }
    }

    if (known(news.cursor)) {
        const cursor = typeof news.cursor === "string" ? parseHlc(news.cursor) : undefined;
        if (!cursor || cursor.wallNanos === 0n) {
            f.add(
                "cursor",
                "must be a non-zero DECIMAL HLC timestamp exactly as SELECT cluster_logical_timestamp() prints it " +
                    "(e.g. 1759246920563173000.0000000000)",
            );
        }
    }

    checkDuration(f, "resolved", news.resolved, false);
    checkDuration(f, "minCheckpointFrequency", news.minCheckpointFrequency, false);
    checkDuration(f, "webhookClientTimeout", news.webhookClientTimeout, true);
    checkSinkConfig(f, news.webhookSinkConfig);
    checkOptions(f, news.options);

    if (known(news.waitForRunningSeconds)) {
        const n = news.waitForRunningSeconds;
        if (typeof n !== "number" || !Number.isFinite(n) || n <= 0 || n > 3600) {
            f.add(
                "waitForRunningSeconds",
                "must be a number of seconds greater than 0 and at most 3600",
            );
        }
    }
    for (const flag of ["exclusive", "addedTablesInitialScan"]) {
        if (known(news[flag]) && typeof news[flag] !== "boolean")
            f.add(flag, "must be true or false");
    }
    if (
        known(news.adoptJobId) &&
        (typeof news.adoptJobId !== "string" || !/^\d{1,20}$/.test(news.adoptJobId))
    ) {
        f.add(
            "adoptJobId",
            "must be a CockroachDB job id (digits only), as SHOW CHANGEFEED JOBS prints it",
        );
    }

    checkVerifyDelivery(f, news.verifyDelivery, news.webhookUrl);
    if (known(news.stagingConnection)) {
        const problem = connectionProblem(news.stagingConnection);
        if (problem) f.addSecret("verifyDelivery.stagingConnection", problem);
    }

    return f.isEmpty ? { inputs: news } : { inputs: news, failures: f.list };
}

function checkVerifyDelivery(f: CheckFailures, value: unknown, webhookUrl: unknown): void {
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

function checkTables(f: CheckFailures, tables: unknown, database: string): void {
    if (tables === UNKNOWN) return;
    if (!Array.isArray(tables) || tables.length === 0) {
        f.add("tables", 'must list at least one table (e.g. ["public.employees"])');
        return;
    }
    const seen = new Map<string, string>();
    tables.forEach((table, i) => {
        if (table === UNKNOWN) return;
        const ref = typeof table === "string" ? resolveTable(table, database) : undefined;
        if (!ref) {
            f.add(
                `tables[${i}]`,
                "must be a table name of one to three parts (table, schema.table or database.schema.table); " +
                    'quote parts with special characters as "My Table"',
            );
            return;
        }
        const earlier = seen.get(ref.key);
        if (earlier !== undefined) {
            f.add(`tables[${i}]`, `${ref.key} is listed twice (also as "${earlier}")`);
            return;
        }
        seen.set(ref.key, String(table));
    });
}

function checkPem(
    f: CheckFailures,
    property: string,
    value: unknown,
    kind: "certificate" | "key",
    required: boolean,
): void {
    if (value === UNKNOWN) return;
    if (value === undefined || value === null || value === "") {
        if (required)
            f.addSecret(property, `is required: the PEM ${kind} (e.g. ReplicatorHost.caCertPem)`);
        return;
    }
    if (typeof value !== "string" || !PEM_BLOCK.test(value)) {
        f.addSecret(
            property,
            `must be a PEM ${kind} (-----BEGIN …----- block), not a file path or base64 text`,
        );
        return;
    }
    try {
        if (kind === "certificate") new X509Certificate(value);
        else createPrivateKey(value);
    } catch {
        const encrypted = kind === "key" && /ENCRYPTED/.test(value);
        f.addSecret(
            property,
            encrypted
                ? "is an encrypted private key; CockroachDB needs it unencrypted (openssl pkey -in key.pem -out key.decrypted.pem)"
                : `looks like PEM but does not parse as ${kind === "key" ? "a private key" : "an X.509 certificate"}`,
        );
    }
}

/** Reports a client key that is not the private key of the client certificate. */
function checkKeyPair(f: CheckFailures, certPem: unknown, keyPem: unknown): void {
    if (typeof certPem !== "string" || typeof keyPem !== "string") return;
    let matches: boolean;
    try {
        matches = new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
    } catch {
        return; // unparseable PEMs are reported on their own
    }
    if (!matches) {
        f.addSecret(
            "clientKeyPem",
            "does not belong to clientCertPem: give the private key of that certificate",
        );
    }
}

function checkDuration(
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

function checkSinkConfig(f: CheckFailures, value: unknown): void {
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

function checkOptions(f: CheckFailures, options: unknown): void {
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
