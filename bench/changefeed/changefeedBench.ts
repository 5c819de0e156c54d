/**
 * Changefeed latency against the CockroachDB test server (test/support/cockroach) with an HTTPS
 * receiver standing in for the replicator (the provider tests' harness):
 *
 * - create: wall time of the provider's `create` (what `pulumi up` waits for), which returns only
 *   once the job is `running`;
 * - update gap: while a writer inserts rows continuously, the provider's `update` adds a table
 *   (PAUSE JOB → ALTER CHANGEFEED → RESUME JOB → running). Each row's delivery delay is the time
 *   from its INSERT returning to the receiver accepting the batch that carried it; rows written
 *   during the update whose delay exceeds the worst steady-state delay are "delayed". Lost rows
 *   (written, never delivered) are counted too and must be 0.
 *
 * Each repetition uses a fresh test server and receiver.
 */
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { provider } from "../../src/providers/changefeed/provider";
import type { ChangefeedOutputs } from "../../src/providers/changefeed/types";
import {
    type Environment,
    startEnvironment,
    waitCaughtUp,
} from "../../test/support/changefeed/environment";
import { POSTGRES_ADMIN_URL, requireService } from "../../test/support/services";
import { median, timed } from "../lib/stats";

export interface ChangefeedBenchOptions {
    repetitions: number;
    /** Writing time before and after the update, in ms. Default 1500. */
    windowMs?: number;
    log?: (line: string) => void;
}

export interface ChangefeedBenchResult {
    repetitions: number;
    /** Median wall time of `create` until the job is running. */
    createToRunningMs: number;
    /** Median wall time of `update` (pause → alter → resume → running). */
    updateMs: number;
    /** Worst steady-state delivery delay before the update (median over repetitions). */
    steadyMaxDelayMs: number;
    /** Worst delay of a row written during the update (median over repetitions). */
    maxDelayDuringUpdateMs: number;
    /** Rows written while the update ran, and how many of them exceeded the steady-state worst delay (summed). */
    rowsWritten: number;
    rowsDelayed: number;
    rowsLost: number;
}

interface WrittenRow {
    id: number;
    at: number;
}

/** Inserts into t1 continuously, recording when each INSERT returned. */
function startTimedWriter(env: Environment) {
    const rows: WrittenRow[] = [];
    let running = true;
    const client = new Client({ connectionString: env.server.url, connectionTimeoutMillis: 5000 });
    const loop = (async () => {
        await client.connect();
        try {
            for (let id = 1; running; id++) {
                await client.query(`INSERT INTO t1 (id, v) VALUES (${id}, 'r${id}')`);
                rows.push({ id, at: performance.now() });
                await new Promise((resolve) => setTimeout(resolve, 10));
            }
        } finally {
            await client.end();
        }
    })();
    return {
        rows,
        async stop() {
            running = false;
            await loop;
        },
    };
}

/** First arrival time of each t1 key at the receiver. */
function arrivals(env: Environment): Map<number, number> {
    const first = new Map<number, number>();
    for (const request of env.receiver.requests) {
        if (request.status < 200 || request.status >= 300) continue;
        const body = JSON.parse(request.body) as {
            payload?: Array<{ topic: string; key: unknown }>;
        };
        for (const row of body.payload ?? []) {
            if (row.topic !== "t1" || !Array.isArray(row.key)) continue;
            const id = Number(row.key[0]);
            if (!first.has(id)) first.set(id, request.at);
        }
    }
    return first;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChangefeedBench(
    options: ChangefeedBenchOptions,
): Promise<ChangefeedBenchResult> {
    const log = options.log ?? (() => undefined);
    const windowMs = options.windowMs ?? 1500;
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
    const creates: number[] = [];
    const updates: number[] = [];
    const steadyMax: number[] = [];
    const updateMax: number[] = [];
    let rowsWritten = 0;
    let rowsDelayed = 0;
    let rowsLost = 0;
    for (let rep = 0; rep < options.repetitions; rep++) {
        const env = await startEnvironment();
        try {
            await env.sql(
                "CREATE TABLE t1 (id INT PRIMARY KEY, v TEXT)",
                "CREATE TABLE t2 (id INT PRIMARY KEY, v TEXT)",
            );
            let created: { id: string; outs: ChangefeedOutputs } | undefined;
            creates.push(
                await timed(async () => {
                    const r = await provider.create(env.inputs(["t1"]));
                    created = { id: r.id, outs: r.outs as ChangefeedOutputs };
                }),
            );
            if (created!.outs.status !== "running") {
                throw new Error(`create returned status ${created!.outs.status}`);
            }
            const writer = startTimedWriter(env);
            await sleep(windowMs);
            const updateStart = performance.now();
            let updated: ChangefeedOutputs | undefined;
            updates.push(
                await timed(async () => {
                    const r = await provider.update(
                        created!.id,
                        created!.outs,
                        env.inputs(["t1", "t2"]),
                    );
                    updated = r.outs as ChangefeedOutputs;
                }),
            );
            const updateEnd = performance.now();
            await sleep(windowMs);
            await writer.stop();
            await waitCaughtUp(env, 20_000);
            await provider.delete(created!.id, updated!);

            const arrived = arrivals(env);
            const delay = (row: WrittenRow) => (arrived.get(row.id) ?? Number.NaN) - row.at;
            // Skip the first half-second: the first batch after create is not steady state.
            const steady = writer.rows.filter(
                (r) => r.at < updateStart && r.at > writer.rows[0]!.at + 500,
            );
            const during = writer.rows.filter((r) => r.at >= updateStart && r.at <= updateEnd);
            const worstSteady = Math.max(...steady.map(delay).filter(Number.isFinite));
            const worstDuring = Math.max(0, ...during.map(delay).filter(Number.isFinite));
            steadyMax.push(worstSteady);
            updateMax.push(worstDuring);
            rowsWritten += during.length;
            rowsDelayed += during.filter((r) => delay(r) > worstSteady).length;
            rowsLost += writer.rows.filter((r) => !arrived.has(r.id)).length;
            log(
                `changefeed rep ${rep + 1}: create ${creates.at(-1)!.toFixed(0)} ms, update ` +
                    `${updates.at(-1)!.toFixed(0)} ms, ${during.length} rows during update, worst ` +
                    `delay ${worstDuring.toFixed(0)} ms (steady ${worstSteady.toFixed(0)} ms)`,
            );
        } finally {
            await env.close();
        }
    }
    return {
        repetitions: options.repetitions,
        createToRunningMs: median(creates),
        updateMs: median(updates),
        steadyMaxDelayMs: median(steadyMax),
        maxDelayDuringUpdateMs: median(updateMax),
        rowsWritten,
        rowsDelayed,
        rowsLost,
    };
}
