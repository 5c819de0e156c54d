/**
 * Webhook message bodies in CockroachDB's JSON format, wrapped envelope (reference §6.2):
 * rows `{"after":…,"before":…,"key":[…],"mvcc_timestamp":"…","topic":"t","updated":"…"}`
 * (fields in CockroachDB's sorted order; `before` only with `diff`, `mvcc_timestamp` and
 * `updated` only with their options), batches `{"payload":[…],"length":n}` and resolved
 * messages `{"resolved":"…"}`. Row values are spliced in as raw JSON text so DECIMAL and INT8
 * values keep every digit.
 */
import { type Hlc, formatDecimal } from "../hlc";
import type { RowEvent } from "./changes";

/** What a row message looks like for one feed. */
export interface RowFormat {
    updated: boolean;
    diff: boolean;
    mvccTimestamp: boolean;
    /** The topic of each watched `schema.table` (table name, or `db.schema.table`). */
    topicOf: (schema: string, table: string) => string;
}

/** The JSON text of one row message. */
export function encodeRow(event: RowEvent, format: RowFormat): string {
    const fields = [`"after":${event.after === null ? "null" : compactJson(event.after)}`];
    if (format.diff) {
        fields.push(`"before":${event.before === null ? "null" : compactJson(event.before)}`);
    }
    fields.push(`"key":${compactJson(event.key)}`);
    if (format.mvccTimestamp) fields.push(`"mvcc_timestamp":"${formatDecimal(event.mvcc)}"`);
    fields.push(`"topic":${JSON.stringify(format.topicOf(event.schema, event.table))}`);
    if (format.updated) fields.push(`"updated":"${formatDecimal(event.updated)}"`);
    return `{${fields.join(",")}}`;
}

/** `{"payload":[…],"length":n}` */
export function encodeBatch(rows: string[]): string {
    return `{"payload":[${rows.join(",")}],"length":${rows.length}}`;
}

/** `{"resolved":"<decimal>"}` */
export function encodeResolved(resolved: Hlc): string {
    return `{"resolved":"${formatDecimal(resolved)}"}`;
}

/** Removes the insignificant whitespace PostgreSQL puts in `jsonb::text` output. */
export function compactJson(text: string): string {
    let out = "";
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i] as string;
        if (inString) {
            out += ch;
            if (ch === "\\") {
                out += text[i + 1] ?? "";
                i++;
            } else if (ch === '"') {
                inString = false;
            }
        } else if (ch === '"') {
            inString = true;
            out += ch;
        } else if (ch !== " " && ch !== "\n" && ch !== "\t" && ch !== "\r") {
            out += ch;
        }
    }
    return out;
}
