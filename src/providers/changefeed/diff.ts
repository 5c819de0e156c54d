/**
 * Offline diff for Changefeed. Replacement only for a new `cursor` or another cluster
 * (connection host/port/database); a job that failed, was cancelled or is gone is a change that
 * `update` repairs by starting a new job from the stored high-water mark.
 */
import type * as pulumi from "@pulumi/pulumi";

import { UNKNOWN } from "../kernel/unknown";
import { connectionTargetChanged } from "../cockroach";
import { webhookSinkConfigText } from "./options";
import { defaultDatabase, needsRecreate } from "./plan";
import { resolveTables } from "./tables";
import type { ChangefeedInputs, ChangefeedOutputs } from "./types";

/** Inputs compared as given (echoed into state by create/update). */
const COMPARED_INPUTS = [
    "connection",
    "webhookUrl",
    "caCertPem",
    "clientCertPem",
    "clientKeyPem",
    "authToken",
    "resolved",
    "minCheckpointFrequency",
    "webhookClientTimeout",
    "waitForRunningSeconds",
    "exclusive",
    "addedTablesInitialScan",
    "verifyDelivery",
    "stagingConnection",
] as const;

function canonical(value: unknown): string {
    if (value === undefined || value === null) return "";
    if (typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

function sinkConfigText(value: ChangefeedInputs["webhookSinkConfig"]): string {
    if (value === UNKNOWN) return UNKNOWN;
    try {
        return webhookSinkConfigText(value);
    } catch {
        return String(value);
    }
}

function tableKeys(tables: unknown, database: string): string {
    if (!Array.isArray(tables) || tables.includes(UNKNOWN)) return canonical(tables);
    return resolveTables(tables as string[], database)
        .map((t) => t.key)
        .sort()
        .join(",");
}

function verificationWanted(value: unknown): boolean {
    return typeof value === "object" && value !== null;
}

/** Decides update vs replace vs nothing. */
export function diffChangefeed(
    olds: ChangefeedOutputs,
    news: ChangefeedInputs,
): pulumi.dynamic.DiffResult {
    const replaces: string[] = [];
    if (connectionTargetChanged(olds.connection, news.connection) === true)
        replaces.push("connection");
    const newCursor = news.cursor;
    if (
        newCursor === UNKNOWN ||
        (newCursor !== undefined && newCursor !== null && newCursor !== olds.requestedCursor)
    ) {
        replaces.push("cursor");
    }

    // `unknown`: a create failed and could not cancel its job; update cancels it and restarts.
    let changes = needsRecreate(olds.status) || olds.status === "unknown";
    for (const key of COMPARED_INPUTS) {
        if (canonical(olds[key]) !== canonical(news[key])) changes = true;
    }
    if (newCursor === undefined && olds.requestedCursor !== undefined) changes = true;
    // Delivery not proven yet (the last verification failed, or state predates it): the next
    // `up` runs update, which verifies again without touching the job when nothing else changed.
    if (verificationWanted(news.verifyDelivery) && !olds.deliveryVerifiedAt) changes = true;
    if (canonical(olds.options ?? {}) !== canonical(news.options ?? {})) changes = true;
    if (sinkConfigText(olds.webhookSinkConfig) !== sinkConfigText(news.webhookSinkConfig))
        changes = true;
    const database = typeof news.connection === "string" ? defaultDatabase(news) : "defaultdb";
    if (tableKeys(olds.tables, database) !== tableKeys(news.tables, database)) changes = true;

    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
    return { changes };
}
