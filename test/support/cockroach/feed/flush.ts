/**
 * `webhook_sink_config` Flush semantics (reference §6.2): all zero = every message is sent on its
 * own at once; otherwise a batch is sent when it reaches `Messages` messages or `Bytes` bytes
 * (a zero limit is no limit), or when `Frequency` has passed since its first message.
 */
import type { WebhookSinkConfig } from "./options";

/** A row message waiting to be sent. */
export interface QueuedMessage {
    json: string;
    bytes: number;
    /** When it was queued (ms, monotonic clock of the caller). */
    queuedAt: number;
}

/** The batches of `queue` that are due now (in order), and when the rest falls due. */
export interface FlushPlan {
    batches: QueuedMessage[][];
    /** Time (same clock as `queuedAt`) the remaining partial batch falls due, if any remains. */
    nextDueAt: number | undefined;
}

/**
 * Splits the front of `queue` into the batches due at `now`. With `force`, the trailing
 * partial batch is due too (used before a resolved message).
 */
export function planFlush(
    queue: readonly QueuedMessage[],
    flush: WebhookSinkConfig["flush"],
    now: number,
    force: boolean,
): FlushPlan {
    const batches: QueuedMessage[][] = [];
    if (flush.messages === 0 && flush.bytes === 0 && flush.frequencyMs === 0) {
        for (const message of queue) batches.push([message]);
        return { batches, nextDueAt: undefined };
    }
    let current: QueuedMessage[] = [];
    let currentBytes = 0;
    for (const message of queue) {
        current.push(message);
        currentBytes += message.bytes;
        const full =
            (flush.messages > 0 && current.length >= flush.messages) ||
            (flush.bytes > 0 && currentBytes >= flush.bytes);
        if (full) {
            batches.push(current);
            current = [];
            currentBytes = 0;
        }
    }
    const first = current[0];
    if (!first) return { batches, nextDueAt: undefined };
    const dueAt = flush.frequencyMs > 0 ? first.queuedAt + flush.frequencyMs : Infinity;
    if (force || now >= dueAt) {
        batches.push(current);
        return { batches, nextDueAt: undefined };
    }
    return { batches, nextDueAt: dueAt };
}
