/**
 * Helpers of the stage-by-stage CPU scripts (`bench/scale/readStages.ts`,
 * `bench/scale/createStages.ts`): command-line values, and CPU time per named stage.
 */
import { median } from "./stats";

/** The value after `--name` on the command line, or `fallback`. */
export function argument(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** CPU time of the process (user + system, GC included) per named stage, over repetitions. */
export class CpuStages {
    private readonly samples: Record<string, number[]> = {};

    /** Runs `work` and records its CPU time under `name`. */
    stage<T>(name: string, work: () => T): T {
        const start = process.cpuUsage();
        const result = work();
        const used = process.cpuUsage(start);
        (this.samples[name] ??= []).push((used.user + used.system) / 1000);
        return result;
    }

    /** Each stage's median in ms, in the order first run, the first `warmup` runs left out. */
    medians(warmup: number): [string, number][] {
        return Object.entries(this.samples).map(([name, values]) => [
            name,
            median(values.slice(warmup)),
        ]);
    }
}
