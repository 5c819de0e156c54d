/**
 * Reads stamped changes and initial-scan rows from the backing database, as row events in the
 * CockroachDB JSON encoding (raw JSON text, so numbers keep their exact digits).
 */
import type { ClientBase } from "pg";
import { type Hlc, compareHlc } from "../hlc";
import { CAPTURE_SCHEMA as S, inTransaction } from "./capture";

/** A watched table, by its PostgreSQL schema and name. */
export interface TableRef {
    schema: string;
    table: string;
}

/** One version of one row, as the changefeed emits it. */
export interface RowEvent {
    schema: string;
    table: string;
    /** JSON array text of the primary-key values. */
    key: string;
    /** JSON object text of the row before this version, or null (insert / unknown). */
    before: string | null;
    /** JSON object text of the row, or null for a delete. */
    after: string | null;
    /** The `updated` timestamp. */
    updated: Hlc;
    /** The row's MVCC timestamp (equals `updated` except during an initial scan). */
    mvcc: Hlc;
}

interface ChangeRow {
    txid: string;
    schema_name: string;
    table_name: string;
    key: string;
    before: string | null;
    after: string | null;
    hlc_wall: string;
    hlc_logical: number;
}

/**
 * The changes of `tables` stamped in runs (afterRun, uptoRun] with a timestamp above `after`,
 * in timestamp order. A transaction's several writes to one key collapse into one event (its
 * final value; `before` is the value before the transaction), like one MVCC version.
 */
export async function readChanges(
    client: ClientBase,
    tables: TableRef[],
    afterRun: bigint,
    uptoRun: bigint,
    after: Hlc,
): Promise<RowEvent[]> {
    if (tables.length === 0 || uptoRun <= afterRun) return [];
    const result = await client.query<ChangeRow>(
        `SELECT txid::text AS txid, schema_name, table_name, key::text AS key,
                before::text AS before, after::text AS after,
                hlc_wall::text AS hlc_wall, hlc_logical
         FROM ${S}.changes
         WHERE stamp_run > $1 AND stamp_run <= $2
             AND (schema_name, table_name) IN (SELECT * FROM unnest($3::text[], $4::text[]))
             AND (hlc_wall, hlc_logical) > ($5::bigint, $6::int)
         ORDER BY hlc_wall, hlc_logical, id`,
        [
            afterRun.toString(),
            uptoRun.toString(),
            tables.map((t) => t.schema),
            tables.map((t) => t.table),
            after.wallNanos.toString(),
            after.logical,
        ],
    );
    const events: RowEvent[] = [];
    const index = new Map<string, number>();
    for (const row of result.rows) {
        const id = JSON.stringify([row.txid, row.schema_name, row.table_name, row.key]);
        const stamp: Hlc = { wallNanos: BigInt(row.hlc_wall), logical: row.hlc_logical };
        const at = index.get(id);
        const existing = at === undefined ? undefined : events[at];
        if (existing) {
            existing.after = row.after;
            continue;
        }
        index.set(id, events.length);
        events.push({
            schema: row.schema_name,
            table: row.table_name,
            key: row.key,
            before: row.before,
            after: row.after,
            updated: stamp,
            mvcc: stamp,
        });
    }
    return events;
}

/**
 * The rows of `table` as of `at` (initial scan): the current rows, rewound past every change
 * stamped after `at` or not stamped yet (a committed but unstamped change is later than `at`,
 * because the caller stamped everything committed before it called). Emitted with
 * `updated` = `at`.
 */
export async function scanTable(client: ClientBase, table: TableRef, at: Hlc): Promise<RowEvent[]> {
    return inTransaction(
        client,
        async () => {
            const relation = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
            const current = await client.query<{ key: string; row: string }>(
                `SELECT ${S}.row_key(x.rel, x.r)::text AS key, x.r::text AS row
                 FROM (SELECT $1::regclass::oid AS rel,
                              ${S}.encode_row($1::regclass::oid, to_jsonb(t)) AS r
                       FROM ${relation} t) x`,
                [relation],
            );
            const later = await client.query<{
                key: string;
                before: string | null;
                hlc_wall: string | null;
                hlc_logical: number | null;
            }>(
                `SELECT DISTINCT ON (key) key::text AS key, before::text AS before,
                        hlc_wall::text AS hlc_wall, hlc_logical
                 FROM ${S}.changes
                 WHERE schema_name = $1 AND table_name = $2
                     AND (stamp_run IS NULL OR (hlc_wall, hlc_logical) > ($3::bigint, $4::int))
                 ORDER BY key, hlc_wall NULLS LAST, hlc_logical NULLS LAST, id`,
                [table.schema, table.table, at.wallNanos.toString(), at.logical],
            );
            const asOf = new Map<string, string | null>();
            for (const row of current.rows) asOf.set(row.key, row.row);
            for (const row of later.rows) asOf.set(row.key, row.before);
            const events: RowEvent[] = [];
            for (const [key, row] of asOf) {
                if (row === null) continue;
                events.push({
                    schema: table.schema,
                    table: table.table,
                    key,
                    before: null,
                    after: row,
                    updated: at,
                    mvcc: at,
                });
            }
            return events;
        },
        "BEGIN ISOLATION LEVEL REPEATABLE READ",
    );
}

/** The lowest `updated` among events, if any. */
export function lowestUpdated(events: Iterable<{ updated: Hlc }>): Hlc | undefined {
    let lowest: Hlc | undefined;
    for (const event of events) {
        if (!lowest || compareHlc(event.updated, lowest) < 0) lowest = event.updated;
    }
    return lowest;
}

/** PostgreSQL identifier quoting. */
export function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}
