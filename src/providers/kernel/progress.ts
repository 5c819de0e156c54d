/**
 * Progress lines for long waits (job start, delivery verification, the drain gate), so that a
 * person watching `pulumi up` sees what is awaited and what was last observed instead of a
 * minute of silence.
 */

/** Logs at most one line every `intervalMs` (default 5000) while something is awaited. */
export interface Progress {
    /**
     * Records the latest observation (e.g. "running status: running, high-water: 1733…").
     * Logs `waiting for ${what} (${elapsedSeconds}s): ${latest}` when at least `intervalMs`
     * have passed since the wait began and since the previous line; otherwise stays silent,
     * so a wait that ends within the first interval prints nothing. The caller scrubs secrets
     * from `latest` before passing it.
     */
    observe(latest: string): void;
}

/** Default time between two progress lines. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;

/**
 * Creates a progress reporter for one wait.
 *
 * @param what what is awaited, e.g. "the changefeed to deliver to the replicator".
 * @param log where a line goes (the provider's log, or `console.log`).
 * @param intervalMs minimum time between two lines, and before the first; default 5000.
 * @param now clock in milliseconds; default `Date.now` (tests pass a fake clock).
 */
export function progressOf(
    what: string,
    log: (line: string) => void,
    intervalMs: number = DEFAULT_PROGRESS_INTERVAL_MS,
    now: () => number = Date.now,
): Progress {
    const startedAt = now();
    let lastLineAt = startedAt;
    return {
        observe(latest: string): void {
            const at = now();
            if (at - lastLineAt < intervalMs) return;
            lastLineAt = at;
            const elapsedSeconds = Math.floor((at - startedAt) / 1000);
            log(`waiting for ${what} (${elapsedSeconds}s): ${latest}`);
        },
    };
}
