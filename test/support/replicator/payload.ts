/**
 * Decodes a changefeed webhook body the way the replicator's webhook handler does
 * (docs/replicator-behaviour.md): Go `encoding/json` into a fixed struct with
 * DisallowUnknownFields (so `mvcc_timestamp` or the bare envelope's `__crdb__` fail), key names
 * matched case-insensitively as Go does, an empty body is a no-op.
 */
import { Hlc, parseHlc } from "./hlc";
import { JsonNumber, JsonSyntaxError, JsonValue, jsonKind, parseFirstJsonValue } from "./json";

/** One row of a `payload` array. `after`/`before`/`key` stay raw JSON values. */
export interface WebhookRow {
    after: JsonValue | undefined;
    before: JsonValue | undefined;
    key: JsonValue | undefined;
    topic: string;
    updated: string;
}

export type WebhookBody =
    { kind: "empty" } | { kind: "resolved"; resolved: Hlc } | { kind: "rows"; rows: WebhookRow[] };

/** An error whose message is what the replicator answers with a 400. */
export class BadRequestError extends Error {}

const TOP_FIELDS = ["payload", "length", "resolved"] as const;
const ROW_FIELDS = ["after", "before", "key", "topic", "updated"] as const;

/** Decodes (but does not validate timestamps of) a webhook body. */
export function decodeWebhookBody(text: string): {
    resolved: string;
    rows: WebhookRow[];
    empty: boolean;
} {
    let root: JsonValue | undefined;
    try {
        root = parseFirstJsonValue(text);
    } catch (err) {
        if (err instanceof JsonSyntaxError) {
            throw new BadRequestError(`could not decode payload: ${err.message}`);
        }
        throw err;
    }
    if (root === undefined) return { resolved: "", rows: [], empty: true };
    const fail = (why: string): never => {
        throw new BadRequestError(`could not decode payload: json: ${why}`);
    };
    if (root === null) return { resolved: "", rows: [], empty: false };
    if (!(root instanceof Map)) {
        return fail(`cannot unmarshal ${jsonKind(root)} into Go value of type struct`);
    }
    let resolved = "";
    const rows: WebhookRow[] = [];
    for (const [rawKey, value] of root) {
        const field = TOP_FIELDS.find((name) => name === rawKey.toLowerCase());
        if (!field) return fail(`unknown field ${JSON.stringify(rawKey)}`);
        if (field === "resolved") {
            if (value !== null && typeof value !== "string") {
                fail(
                    `cannot unmarshal ${jsonKind(value)} into Go struct field .resolved of type string`,
                );
            }
            if (typeof value === "string") resolved = value;
        } else if (field === "length") {
            if (value !== null && !(value instanceof JsonNumber && /^-?\d+$/.test(value.text))) {
                const shown =
                    value instanceof JsonNumber ? `number ${value.text}` : jsonKind(value);
                fail(`cannot unmarshal ${shown} into Go struct field .length of type int`);
            }
        } else if (value !== null) {
            if (!Array.isArray(value)) {
                fail(
                    `cannot unmarshal ${jsonKind(value)} into Go struct field .payload of type []struct`,
                );
            }
            for (const element of value as JsonValue[]) rows.push(decodeRow(element, fail));
        }
    }
    return { resolved, rows, empty: false };
}

function decodeRow(element: JsonValue, fail: (why: string) => never): WebhookRow {
    const row: WebhookRow = {
        after: undefined,
        before: undefined,
        key: undefined,
        topic: "",
        updated: "",
    };
    if (element === null) return row;
    if (!(element instanceof Map)) {
        return fail(
            `cannot unmarshal ${jsonKind(element)} into Go struct field .payload of type struct`,
        );
    }
    for (const [rawKey, value] of element) {
        const field = ROW_FIELDS.find((name) => name === rawKey.toLowerCase());
        if (!field) return fail(`unknown field ${JSON.stringify(rawKey)}`);
        if (field === "topic" || field === "updated") {
            if (value !== null && typeof value !== "string") {
                fail(
                    `cannot unmarshal ${jsonKind(value)} into Go struct field .payload.${field} of type string`,
                );
            }
            if (typeof value === "string") row[field] = value;
        } else {
            row[field] = value;
        }
    }
    return row;
}

/** Decodes and checks timestamps: the body's meaning for the handler. */
export function readWebhookBody(text: string): WebhookBody {
    const decoded = decodeWebhookBody(text);
    if (decoded.empty) return { kind: "empty" };
    if (decoded.resolved !== "") return { kind: "resolved", resolved: parseHlc(decoded.resolved) };
    for (const row of decoded.rows) {
        if (row.updated === "") {
            throw new BadRequestError(
                "can't parse timestamp : CREATE CHANGEFEED must specify the 'WITH updated' option",
            );
        }
        parseHlc(row.updated);
    }
    return { kind: "rows", rows: decoded.rows };
}

/** A delete is a row whose `after` is absent or JSON null. */
export function isDelete(row: WebhookRow): boolean {
    return row.after === undefined || row.after === null;
}
