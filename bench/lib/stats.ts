/**
 * Small statistics and formatting helpers for the benchmarks: medians of repeated samples and
 * ratios against a baseline measured in the same run.
 */

/** The median of `samples` (mean of the two middle values for an even count); NaN when empty. */
export function median(samples: readonly number[]): number {
    if (samples.length === 0) return Number.NaN;
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `value / baseline`, rounded to two decimals (NaN when the baseline is not positive). */
export function ratio(value: number, baseline: number): number {
    if (!(baseline > 0) || !Number.isFinite(value)) return Number.NaN;
    return Math.round((value / baseline) * 100) / 100;
}

/** Milliseconds with a precision that suits their size (`0.42`, `12.3`, `1534`). */
export function formatMs(ms: number): string {
    if (!Number.isFinite(ms)) return "n/a";
    if (ms < 10) return ms.toFixed(2);
    if (ms < 100) return ms.toFixed(1);
    return ms.toFixed(0);
}

/** A ratio as `1.07×`, or `n/a`. */
export function formatRatio(value: number): string {
    return Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a";
}

/** Bytes as `612 B` or `14.2 KB` (1 KB = 1024 B). */
export function formatBytes(bytes: number): string {
    return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Elapsed wall time of `work` in milliseconds (high-resolution clock). */
export async function timed(work: () => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - start) / 1e6;
}
