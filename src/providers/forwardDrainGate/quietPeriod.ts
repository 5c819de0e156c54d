/**
 * Decides when the forward replicator's apply counters have been quiet long enough, and keeps
 * the recent history that explains a timeout (rates per window).
 *
 * Quiet time is measured from the first scrape that saw the current values, not from the last
 * change (which happened at an unknown moment between two scrapes), so the quiet period
 * actually elapsed is never shorter than the one reported. A counter that goes down (the
 * replicator restarted and its counters started again from 0) counts as a change, and so does a
 * change of the replicator's start time: a replicator that restarted between two scrapes and
 * applied as many rows as before shows the same counts, but not the same start time.
 */
import type { CounterTotals } from "./types";

/** One successful scrape. */
export interface Observation {
    /** Milliseconds since the epoch. */
    at: number;
    /** Counters over the watched schemas. */
    totals: CounterTotals;
    /** Counters per schema label value (every schema). */
    bySchema: ReadonlyMap<string, CounterTotals>;
    /**
     * When the scraped replicator process started (seconds since the epoch), when it says so
     * (`cdc_sink_start_seconds`, or `process_start_time_seconds`).
     */
    startedAt?: number;
}

/** Rows applied per second between two consecutive scrapes. */
export interface WindowRate {
    seconds: number;
    upsertsPerSecond: number;
    deletesPerSecond: number;
    rowsPerSecond: number;
}

/** A schema whose counters moved in the last window. */
export interface MovingSchema {
    schema: string;
    rowsPerSecond: number;
}

export interface QuietState {
    /** True once the counters have stayed unchanged for the quiet period. */
    drained: boolean;
    /** How long the current values have been seen unchanged, in ms. */
    quietForMs: number;
    /** Whether this observation differs from the previous one. */
    changed: boolean;
    /** Whether a counter went down (replicator restart). */
    reset: boolean;
    /** Whether the replicator's start time differs from the previous scrape's. */
    restarted: boolean;
}

/** How many observations are kept for the rates shown in a timeout error. */
const HISTORY_LENGTH = 12;

export class DrainTracker {
    readonly #quietMs: number;
    readonly #history: Observation[] = [];
    #stableSince: number | undefined;
    #resets = 0;
    #restarts = 0;

    constructor(quietMs: number) {
        this.#quietMs = quietMs;
    }

    /** Records a scrape and says whether the quiet period is complete. */
    observe(observation: Observation): QuietState {
        const previous = this.last;
        this.#history.push(observation);
        if (this.#history.length > HISTORY_LENGTH) this.#history.shift();
        const changed = previous === undefined || !sameTotals(previous.totals, observation.totals);
        const reset =
            previous !== undefined &&
            (observation.totals.upserts < previous.totals.upserts ||
                observation.totals.deletes < previous.totals.deletes);
        const restarted =
            previous?.startedAt !== undefined &&
            observation.startedAt !== undefined &&
            previous.startedAt !== observation.startedAt;
        if (reset) this.#resets++;
        if (restarted) this.#restarts++;
        if (changed || restarted) this.#stableSince = observation.at;
        const quietForMs = observation.at - (this.#stableSince ?? observation.at);
        return {
            drained: quietForMs >= this.#quietMs,
            quietForMs,
            changed: changed || restarted,
            reset,
            restarted,
        };
    }

    /** The latest observation. */
    get last(): Observation | undefined {
        return this.#history[this.#history.length - 1];
    }

    /** When the current values were first seen (ms since the epoch). */
    get stableSince(): number | undefined {
        return this.#stableSince;
    }

    /** How many counter resets (restarts) were seen. */
    get resets(): number {
        return this.#resets;
    }

    /** How many times the replicator's start time changed between two scrapes. */
    get restarts(): number {
        return this.#restarts;
    }

    /** Rates between consecutive scrapes, oldest first, at most `maxWindows` of them. */
    recentRates(maxWindows = 5): WindowRate[] {
        const rates: WindowRate[] = [];
        for (let i = 1; i < this.#history.length; i++) {
            const from = this.#history[i - 1]!;
            const to = this.#history[i]!;
            const seconds = (to.at - from.at) / 1000;
            if (seconds <= 0) continue;
            // After a reset the new value is the best estimate of what was applied since.
            const delta = (now: number, before: number) => (now >= before ? now - before : now);
            const upserts = delta(to.totals.upserts, from.totals.upserts) / seconds;
            const deletes = delta(to.totals.deletes, from.totals.deletes) / seconds;
            rates.push({
                seconds,
                upsertsPerSecond: upserts,
                deletesPerSecond: deletes,
                rowsPerSecond: upserts + deletes,
            });
        }
        return rates.slice(-maxWindows);
    }

    /** Schemas (every schema, not only the watched ones) that moved in the last window. */
    movingSchemas(): MovingSchema[] {
        const to = this.last;
        const from = this.#history[this.#history.length - 2];
        if (!to || !from || to.at <= from.at) return [];
        const seconds = (to.at - from.at) / 1000;
        const moving: MovingSchema[] = [];
        for (const [schema, now] of to.bySchema) {
            const before = from.bySchema.get(schema) ?? { upserts: 0, deletes: 0 };
            if (sameTotals(now, before)) continue;
            const rows =
                Math.abs(now.upserts - before.upserts) + Math.abs(now.deletes - before.deletes);
            moving.push({ schema, rowsPerSecond: rows / seconds });
        }
        return moving.sort((a, b) => b.rowsPerSecond - a.rowsPerSecond);
    }
}

function sameTotals(a: CounterTotals, b: CounterTotals): boolean {
    return a.upserts === b.upserts && a.deletes === b.deletes;
}
