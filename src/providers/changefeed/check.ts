/**
 * Offline validation of Changefeed inputs — every problem at once, naming the property and the
 * fix — and the parse that turns checked inputs into the configuration every lifecycle method
 * works from. Problems with secret-bearing properties (connection, TLS material, token) go
 * through `addSecret` so the engine never prints their values.
 */
import type * as pulumi from "@pulumi/pulumi";

import { CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN } from "../kernel/unknown";
import { pemKeyPairMatches, type PemKind, pemProblem } from "../../tls/pem";
import { connectionProblem, connectionTarget, parseHlc } from "../cockroach";
import {
    checkDuration,
    checkOptions,
    checkSinkConfig,
    checkVerifyDelivery,
    known,
} from "./checkValues";
import { verificationOf } from "./delivery";
import { DEFAULT_WAIT_FOR_RUNNING_SECONDS } from "./options";
import { secretsOf } from "./sink";
import { buildSinkUri, parseWebhookUrl } from "./sink";
import { resolveTable, resolveTables } from "./tables";
import type { ChangefeedConfig, ChangefeedInputs } from "./types";

/**
 * Validates the inputs as the engine sends them (any shape); returns them unchanged with the
 * failures found.
 */
export function checkChangefeed(news: object): pulumi.dynamic.CheckResult<ChangefeedInputs> {
    const failures = changefeedProblems(news as Record<string, unknown>);
    const inputs = news as ChangefeedInputs;
    return failures.length === 0 ? { inputs } : { inputs, failures };
}

/**
 * Parses checked inputs (or state) into the configuration every lifecycle method works from:
 * the connection's database, the resolved tables, the sink identity and the sink URI built from
 * the PEMs — each once per operation.
 */
export function parseChangefeed(inputs: ChangefeedInputs): ChangefeedConfig {
    const database = connectionTarget(inputs.connection)?.database ?? "defaultdb";
    const tables = resolveTables(inputs.tables ?? [], database);
    const sink = parseWebhookUrl(inputs.webhookUrl);
    if ("problem" in sink) throw new Error(`webhookUrl ${sink.problem}`);
    const sinkUri = buildSinkUri(inputs.webhookUrl, {
        caCertPem: inputs.caCertPem,
        clientCertPem: inputs.clientCertPem,
        clientKeyPem: inputs.clientKeyPem,
    });
    return {
        inputs,
        tables,
        tableKeys: tables
            .map((t) => t.key)
            .sort()
            .join(","),
        sink,
        sinkUri,
        verify: verificationOf(inputs),
        secrets: secretsOf(inputs, sinkUri),
        exclusive: inputs.exclusive ?? true,
        waitMs: (inputs.waitForRunningSeconds ?? DEFAULT_WAIT_FOR_RUNNING_SECONDS) * 1000,
    };
}

/**
 * Every problem with the inputs, each naming the property and the fix (pure and offline; the
 * `Failback` component reports them as its own).
 */
export function changefeedProblems(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
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

    return f.list;
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
    kind: PemKind,
    required: boolean,
): void {
    if (value === UNKNOWN) return;
    if (value === undefined || value === null || value === "") {
        if (required)
            f.addSecret(property, `is required: the PEM ${kind} (e.g. ReplicatorHost.caCertPem)`);
        return;
    }
    const problem = pemProblem(value, kind);
    if (problem) f.addSecret(property, problem);
}

/** Reports a client key that is not the private key of the client certificate. */
function checkKeyPair(f: CheckFailures, certPem: unknown, keyPem: unknown): void {
    if (typeof certPem !== "string" || typeof keyPem !== "string") return;
    if (!pemKeyPairMatches(certPem, keyPem)) {
        f.addSecret(
            "clientKeyPem",
            "does not belong to clientCertPem: give the private key of that certificate",
        );
    }
}
