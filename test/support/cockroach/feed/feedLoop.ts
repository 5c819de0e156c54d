/**
 * One running changefeed: polls the change log, sends rows to the webhook, advances and
 * checkpoints the frontier, emits resolved messages, and retries forever on sink errors.
 *
 * Ordering rules (reference/cockroachdb.md §7 pitfall 3, changeFrontier.forwardFrontier):
 * - the frontier never passes a row that the sink has not accepted (2xx);
 * - the job high-water is checkpointed (`events.checkpoint`) BEFORE the resolved message for it
 *   is sent, so on an idle feed the high-water advances even while the sink rejects everything;
 * - after a sink error (HTTP retries exhausted) the feed reports `transient error: …`, backs off
 *   and restarts from the high-water, re-sending what was not checkpointed (at-least-once).
 */
import type { Client } from "pg";
import {
    type HybridClock,
    type Hlc,
    compareHlc,
    formatRunningStatus,
    minHlc,
    prevHlc,
} from "../hlc";
import { type RowEvent, type TableRef, readChanges, scanTable } from "./changes";
import { type QueuedMessage, planFlush } from "./flush";
import { encodeBatch, encodeResolved, encodeRow, type RowFormat } from "./messages";
import type { FeedOptions } from "./options";
import { stampCommittedChanges } from "./stamper";
import { StoppedError, type WebhookClient } from "./webhookClient";

/** Callbacks into the job (contract: FeedEvents). */
export interface FeedLoopEvents {
    checkpoint(highWater: Hlc): void;
    runningStatus(text: string): void;
    failed(error: string): void;
}

/** Timing knobs of the engine itself (not CockroachDB options). */
export interface FeedTiming {
    /** Interval between change-log polls. */
    pollIntervalMs: number;
    /** First delay before restarting after a sink error; doubles up to `restartBackoffMaxMs`. */
    restartBackoffMs: number;
    restartBackoffMaxMs: number;
}

export const DEFAULT_TIMING: FeedTiming = {
    pollIntervalMs: 50,
    restartBackoffMs: 250,
    restartBackoffMaxMs: 5_000,
};

const MAX_HTTP_BACKOFF_MS = 30_000;

interface PendingRow extends QueuedMessage {
    updated: Hlc;
}

export interface FeedLoopConfig {
    tables: TableRef[];
    scanTables: TableRef[];
    startAfter: Hlc;
    options: FeedOptions;
    format: RowFormat;
    timing: FeedTiming;
}

export class FeedLoop {
    private readonly abort = new AbortController();
    private highWater: Hlc;
    private scanDone: boolean;
    private lastCheckpointAt = -Infinity;
    private lastResolvedAt = -Infinity;
    private queue: PendingRow[] = [];
    private closed: Hlc;
    private lastRun = 0n;
    private readAfter: Hlc;
    private restartBackoffMs: number;
    private readonly done: Promise<void>;

    constructor(
        private readonly config: FeedLoopConfig,
        /** Opens a new connection to the backing database (closed by the loop). */
        private readonly connect: () => Promise<Client>,
        private readonly clock: HybridClock,
        private readonly sink: WebhookClient,
        private readonly events: FeedLoopEvents,
    ) {
        this.highWater = config.startAfter;
        this.closed = config.startAfter;
        this.readAfter = config.startAfter;
        this.scanDone = config.scanTables.length === 0;
        this.restartBackoffMs = config.timing.restartBackoffMs;
        this.done = this.run();
    }

    /** Stops polling and sending (in-flight requests and back-offs are cut short). */
    async stop(): Promise<void> {
        this.abort.abort();
        await this.done;
    }

    private get stopping(): boolean {
        return this.abort.signal.aborted;
    }

    private async run(): Promise<void> {
        while (!this.stopping) {
            try {
                await this.session();
            } catch (err) {
                if (this.stopping || err instanceof StoppedError) break;
                const text = err instanceof Error ? err.message : String(err);
                this.events.runningStatus(`transient error: ${text}`);
                await this.sleep(this.restartBackoffMs).catch(() => undefined);
                this.restartBackoffMs = Math.min(
                    this.restartBackoffMs * 2,
                    this.config.timing.restartBackoffMaxMs,
                );
            }
        }
    }

    /** Runs from the high-water until an error (or stop). */
    private async session(): Promise<void> {
        this.queue = [];
        this.lastRun = 0n;
        this.readAfter = this.highWater;
        this.closed = this.highWater;
        const client = await this.connect();
        try {
            if (!this.scanDone) await this.initialScan(client);
            while (!this.stopping) {
                const stamped = await stampCommittedChanges(client, this.clock);
                const changes = await readChanges(
                    client,
                    this.config.tables,
                    this.lastRun,
                    stamped.run,
                    this.readAfter,
                );
                this.lastRun = stamped.run;
                this.closed = stamped.closed;
                this.enqueue(changes);
                const nextDueAt = await this.sendDue(false);
                await this.maybeCheckpoint();
                const now = performance.now();
                const wait =
                    nextDueAt === undefined
                        ? this.config.timing.pollIntervalMs
                        : Math.max(0, Math.min(this.config.timing.pollIntervalMs, nextDueAt - now));
                await this.sleep(wait);
            }
        } finally {
            await client.end().catch(() => undefined);
        }
    }

    private async initialScan(client: Client): Promise<void> {
        // Stamp everything committed so far, so an unstamped change is known to be later.
        await stampCommittedChanges(client, this.clock);
        for (const table of this.config.scanTables) {
            this.enqueue(await scanTable(client, table, this.config.startAfter));
        }
    }

    private enqueue(events: RowEvent[]): void {
        const now = performance.now();
        for (const event of events) {
            const json = encodeRow(event, this.config.format);
            this.queue.push({
                json,
                bytes: Buffer.byteLength(json),
                queuedAt: now,
                updated: event.updated,
            });
        }
    }

    /** Sends the batches that are due; returns when the rest falls due. */
    private async sendDue(force: boolean): Promise<number | undefined> {
        const plan = planFlush(
            this.queue,
            this.config.options.sinkConfig.flush,
            performance.now(),
            force,
        );
        for (const batch of plan.batches) {
            await this.deliver(encodeBatch(batch.map((m) => m.json)));
            this.queue.splice(0, batch.length);
        }
        return plan.nextDueAt;
    }

    /** The highest timestamp at or below which every change has been accepted by the sink. */
    private frontier(): Hlc {
        let frontier = this.closed;
        for (const message of this.queue) frontier = minHlc(frontier, prevHlc(message.updated));
        return frontier;
    }

    private async maybeCheckpoint(): Promise<void> {
        const frontier = this.frontier();
        if (compareHlc(frontier, this.highWater) <= 0) return;
        const options = this.config.options;
        const now = performance.now();
        if (now - this.lastCheckpointAt < options.minCheckpointFrequencyMs) return;
        this.highWater = frontier;
        this.lastCheckpointAt = now;
        if (compareHlc(frontier, this.config.startAfter) > 0) this.scanDone = true;
        this.events.checkpoint(frontier);
        this.events.runningStatus(formatRunningStatus(frontier));
        if (!options.resolved || now - this.lastResolvedAt < options.resolvedIntervalMs) return;
        this.lastResolvedAt = now;
        // CockroachDB flushes the sink before emitting a resolved timestamp.
        await this.sendDue(true);
        await this.deliver(encodeResolved(frontier));
    }

    /** One POST with the HTTP-level retries of `webhook_sink_config`. */
    private async deliver(body: string): Promise<void> {
        const retry = this.config.options.sinkConfig.retry;
        let backoff = retry.backoffMs;
        for (let attempt = 0; ; attempt++) {
            try {
                await this.sink.post(body, this.abort.signal);
                this.restartBackoffMs = this.config.timing.restartBackoffMs;
                return;
            } catch (err) {
                if (err instanceof StoppedError || attempt >= retry.max) throw err;
                await this.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_HTTP_BACKOFF_MS);
            }
        }
    }

    /** Waits `ms`; throws {@link StoppedError} if the feed is stopped meanwhile. */
    private sleep(ms: number): Promise<void> {
        const signal = this.abort.signal;
        if (signal.aborted) return Promise.reject(new StoppedError());
        return new Promise<void>((resolve, reject) => {
            const onAbort = () => {
                clearTimeout(timer);
                reject(new StoppedError());
            };
            const timer = setTimeout(() => {
                signal.removeEventListener("abort", onAbort);
                resolve();
            }, ms);
            signal.addEventListener("abort", onAbort, { once: true });
        });
    }
}
