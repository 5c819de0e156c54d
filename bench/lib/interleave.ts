/**
 * Runs several contenders in alternating order, repetition after repetition, so slow phases of a
 * shared, noisy machine hit every contender alike. Each contender is a sequence of named steps
 * (for example create → refresh → destroy) timed one by one; the result keeps every sample so
 * the caller can take medians.
 */
import { timed } from "./stats";

/** One contender: named steps run in order within a repetition. */
export interface Contender {
    name: string;
    steps: ReadonlyArray<{ name: string; run: () => Promise<unknown> }>;
}

/** `samples[contender][step]` = the milliseconds of every timed repetition. */
export type Samples = Record<string, Record<string, number[]>>;

export interface InterleaveOptions {
    /** Timed repetitions. */
    repetitions: number;
    /** Untimed repetitions run first (warms caches, JIT, connection paths). Default 1. */
    warmup?: number;
    /**
     * Untimed work before each contender's steps, so every contender starts from the same server
     * state (e.g. vacuuming what the previous contender's steps left behind). None by default.
     */
    settle?: () => Promise<void>;
}

/**
 * Runs every contender `warmup + repetitions` times. Even repetitions run the contenders in the
 * given order, odd ones in reverse, so neither order is favoured.
 */
export async function interleave(
    contenders: readonly Contender[],
    options: InterleaveOptions,
): Promise<Samples> {
    const samples: Samples = {};
    for (const c of contenders) {
        samples[c.name] = Object.fromEntries(c.steps.map((s) => [s.name, [] as number[]]));
    }
    const warmup = options.warmup ?? 1;
    for (let rep = 0; rep < warmup + options.repetitions; rep++) {
        const order = rep % 2 === 0 ? contenders : [...contenders].reverse();
        for (const contender of order) {
            await options.settle?.();
            for (const step of contender.steps) {
                const ms = await timed(step.run);
                if (rep >= warmup) samples[contender.name]![step.name]!.push(ms);
            }
        }
    }
    return samples;
}
