/**
 * Gives committed changes their HLC timestamps (the MVCC timestamps CockroachDB would have
 * given them) and advances the closed timestamp that resolved timestamps are derived from.
 *
 * Guarantees (all feeds of one backing database share the stamps, so they agree):
 * - one timestamp per transaction, at least its commit wall time (`commit_wall`, taken by the
 *   deferred capture trigger during commit), so a change committed after `clock.now()`
 *   returned T is stamped above T, and one committed before is stamped below it;
 * - strictly increasing per key (a key's next version is stamped above its last one);
 * - every stamp given in a run is above the closed timestamp published by the previous run,
 *   and the closed timestamp never passes a transaction that could still commit: it is capped
 *   by the start of every open transaction that already holds a transaction id (its commit
 *   wall time will be later) and by `clock.now()` taken before looking (transactions that have
 *   not written yet will commit later still).
 * A feed that has read every change of runs ≤ N therefore knows every change at or below run
 * N's closed timestamp.
 */
import type { ClientBase } from "pg";
import { type HybridClock, type Hlc, compareHlc, maxHlc, minHlc, nextHlc } from "../hlc";
import { CAPTURE_SCHEMA as S, STAMP_LOCK_KEY, inTransaction } from "./capture";

/** What a stamping run published. */
export interface StampRun {
    run: bigint;
    closed: Hlc;
}

interface UnstampedRow {
    txid: string;
    commit_wall: string;
    schema_name: string;
    table_name: string;
    key: string;
}

/** Stamps every committed, unstamped change; serialized across feeds by an advisory lock. */
export async function stampCommittedChanges(
    client: ClientBase,
    clock: HybridClock,
): Promise<StampRun> {
    const result = await inTransaction(client, async () => {
        await client.query("SELECT pg_advisory_xact_lock($1)", [STAMP_LOCK_KEY]);
        const previous = await client.query<{
            run: string;
            closed_wall: string;
            closed_logical: number;
        }>(`SELECT run, closed_wall, closed_logical FROM ${S}.clock`);
        const row = previous.rows[0];
        if (!row) throw new Error(`${S}.clock is empty`);
        const previousClosed: Hlc = {
            wallNanos: BigInt(row.closed_wall),
            logical: row.closed_logical,
        };
        const run = BigInt(row.run) + 1n;

        const lookedAt = clock.now();
        const open = await client.query<{ oldest: string | null }>(
            `SELECT ((extract(epoch FROM min(xact_start)) * 1000000)::bigint * 1000)::text AS oldest
             FROM pg_stat_activity
             WHERE datname = current_database() AND backend_xid IS NOT NULL
                 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        );
        const oldest = open.rows[0]?.oldest;
        let bound = lookedAt;
        if (oldest != null) bound = minHlc(bound, { wallNanos: BigInt(oldest) - 1n, logical: 0 });
        const closed = maxHlc(previousClosed, bound);

        const pending = await client.query<UnstampedRow>(
            `SELECT txid::text AS txid, commit_wall::text AS commit_wall, schema_name, table_name,
                    key::text AS key
             FROM ${S}.changes WHERE stamp_run IS NULL ORDER BY id`,
        );
        const stamps = await assignStamps(client, pending.rows, previousClosed);
        if (stamps.txids.length > 0) {
            await client.query(
                `UPDATE ${S}.changes c SET stamp_run = $1, hlc_wall = u.w, hlc_logical = u.l
                 FROM unnest($2::text[], $3::bigint[], $4::int[]) AS u(txid, w, l)
                 WHERE c.stamp_run IS NULL AND c.txid = u.txid::xid8`,
                [run.toString(), stamps.txids, stamps.walls, stamps.logicals],
            );
            await client.query(
                `INSERT INTO ${S}.key_clock (schema_name, table_name, key, hlc_wall, hlc_logical)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bigint[], $5::int[])
                 ON CONFLICT (schema_name, table_name, key) DO UPDATE
                 SET hlc_wall = excluded.hlc_wall, hlc_logical = excluded.hlc_logical`,
                stamps.keyColumns,
            );
        }
        await client.query(
            `UPDATE ${S}.clock SET run = $1, closed_wall = $2, closed_logical = $3`,
            [run.toString(), closed.wallNanos.toString(), closed.logical],
        );
        return { run, closed, highest: stamps.highest };
    });
    if (result.highest) clock.update(result.highest);
    clock.update(result.closed);
    return { run: result.run, closed: result.closed };
}

interface Stamps {
    txids: string[];
    walls: string[];
    logicals: number[];
    keyColumns: [string[], string[], string[], string[], number[]];
    highest: Hlc | undefined;
}

async function assignStamps(
    client: ClientBase,
    rows: UnstampedRow[],
    previousClosed: Hlc,
): Promise<Stamps> {
    const stamps: Stamps = {
        txids: [],
        walls: [],
        logicals: [],
        keyColumns: [[], [], [], [], []],
        highest: undefined,
    };
    if (rows.length === 0) return stamps;

    const transactions = new Map<string, { commitWall: bigint; keys: Set<string> }>();
    const keyParts = new Map<string, [string, string, string]>();
    for (const row of rows) {
        const keyId = JSON.stringify([row.schema_name, row.table_name, row.key]);
        keyParts.set(keyId, [row.schema_name, row.table_name, row.key]);
        const wall = BigInt(row.commit_wall);
        const txn = transactions.get(row.txid);
        if (txn) {
            txn.keys.add(keyId);
            if (wall > txn.commitWall) txn.commitWall = wall;
        } else {
            transactions.set(row.txid, { commitWall: wall, keys: new Set([keyId]) });
        }
    }

    const keyClock = new Map<string, Hlc>();
    const parts = [...keyParts.values()];
    const known = await client.query<{
        schema_name: string;
        table_name: string;
        key: string;
        hlc_wall: string;
        hlc_logical: number;
    }>(
        `SELECT k.schema_name, k.table_name, k.key::text AS key, k.hlc_wall, k.hlc_logical
         FROM ${S}.key_clock k
         JOIN unnest($1::text[], $2::text[], $3::jsonb[]) AS u(s, t, k2)
             ON k.schema_name = u.s AND k.table_name = u.t AND k.key = u.k2`,
        [parts.map((p) => p[0]), parts.map((p) => p[1]), parts.map((p) => p[2])],
    );
    for (const row of known.rows) {
        keyClock.set(JSON.stringify([row.schema_name, row.table_name, row.key]), {
            wallNanos: BigInt(row.hlc_wall),
            logical: row.hlc_logical,
        });
    }

    // Commit order is approximated by the commit wall time (ties: first change logged first).
    const ordered = [...transactions.entries()].sort((a, b) =>
        a[1].commitWall < b[1].commitWall ? -1 : a[1].commitWall > b[1].commitWall ? 1 : 0,
    );
    for (const [txid, txn] of ordered) {
        let stamp = maxHlc({ wallNanos: txn.commitWall, logical: 0 }, nextHlc(previousClosed));
        for (const keyId of txn.keys) {
            const last = keyClock.get(keyId);
            if (last && compareHlc(stamp, last) <= 0) stamp = nextHlc(last);
        }
        for (const keyId of txn.keys) keyClock.set(keyId, stamp);
        stamps.txids.push(txid);
        stamps.walls.push(stamp.wallNanos.toString());
        stamps.logicals.push(stamp.logical);
        if (!stamps.highest || compareHlc(stamp, stamps.highest) > 0) stamps.highest = stamp;
    }
    for (const [keyId, [schema, table, key]] of keyParts) {
        const stamp = keyClock.get(keyId);
        if (!stamp) continue;
        stamps.keyColumns[0].push(schema);
        stamps.keyColumns[1].push(table);
        stamps.keyColumns[2].push(key);
        stamps.keyColumns[3].push(stamp.wallNanos.toString());
        stamps.keyColumns[4].push(stamp.logical);
    }
    return stamps;
}
