/**
 * The changefeed options the delivery engine acts on, read from the (already validated) option
 * map of the job (reference/cockroachdb.md §6.1, §6.2).
 */
import { parseGoDuration } from "../durations";

/** `webhook_sink_config`, with CockroachDB's defaults applied. */
export interface WebhookSinkConfig {
    flush: {
        /** Flush when the batch holds this many messages; 0 = no limit. */
        messages: number;
        /** Flush when the batch holds this many bytes; 0 = no limit. */
        bytes: number;
        /** Flush this long after the first message entered the batch; 0 = no limit. */
        frequencyMs: number;
    };
    retry: {
        /** HTTP-level retries of one POST (attempts = max + 1); Infinity for `"inf"`. */
        max: number;
        /** First retry delay; doubles up to 30 s. */
        backoffMs: number;
    };
}

/** The options that shape delivery. */
export interface FeedOptions {
    updated: boolean;
    diff: boolean;
    mvccTimestamp: boolean;
    fullTableName: boolean;
    /** Whether resolved messages are emitted. */
    resolved: boolean;
    /** Minimum time between resolved messages (the `resolved` duration; 0 when bare). */
    resolvedIntervalMs: number;
    /** `min_checkpoint_frequency` (default 30 s): minimum time between high-water checkpoints. */
    minCheckpointFrequencyMs: number;
    /** `webhook_client_timeout` (default 3 s). */
    clientTimeoutMs: number;
    /** `webhook_auth_header`, sent verbatim as `Authorization`. */
    authHeader: string | undefined;
    sinkConfig: WebhookSinkConfig;
}

const DEFAULT_MIN_CHECKPOINT_FREQUENCY_MS = 30_000;
const DEFAULT_CLIENT_TIMEOUT_MS = 3_000;
const DEFAULT_RETRY_MAX = 3;
const DEFAULT_RETRY_BACKOFF_MS = 500;

/** Reads the option map (flags map to null). Throws on a malformed value. */
export function readFeedOptions(options: Record<string, string | null>): FeedOptions {
    const has = (name: string) => Object.prototype.hasOwnProperty.call(options, name);
    const text = (name: string) => (has(name) ? (options[name] ?? undefined) : undefined);
    const duration = (name: string, fallback: number) => {
        const value = text(name);
        return value === undefined || value === "" ? fallback : durationMs(value);
    };
    const sinkConfigText = text("webhook_sink_config");
    return {
        updated: has("updated"),
        diff: has("diff"),
        mvccTimestamp: has("mvcc_timestamp"),
        fullTableName: has("full_table_name"),
        resolved: has("resolved"),
        resolvedIntervalMs: duration("resolved", 0),
        minCheckpointFrequencyMs: duration(
            "min_checkpoint_frequency",
            DEFAULT_MIN_CHECKPOINT_FREQUENCY_MS,
        ),
        clientTimeoutMs: duration("webhook_client_timeout", DEFAULT_CLIENT_TIMEOUT_MS),
        authHeader: text("webhook_auth_header"),
        sinkConfig: readSinkConfig(sinkConfigText),
    };
}

/** Parses `webhook_sink_config` JSON (absent = all defaults). */
export function readSinkConfig(json: string | undefined): WebhookSinkConfig {
    const config: WebhookSinkConfig = {
        flush: { messages: 0, bytes: 0, frequencyMs: 0 },
        retry: { max: DEFAULT_RETRY_MAX, backoffMs: DEFAULT_RETRY_BACKOFF_MS },
    };
    if (json === undefined || json.trim() === "") return config;
    const parsed = JSON.parse(json) as {
        Flush?: { Messages?: number; Bytes?: number; Frequency?: string };
        Retry?: { Max?: number | string; Backoff?: string };
    };
    const flush = parsed.Flush ?? {};
    config.flush.messages = flush.Messages ?? 0;
    config.flush.bytes = flush.Bytes ?? 0;
    config.flush.frequencyMs = flush.Frequency ? durationMs(flush.Frequency) : 0;
    const retry = parsed.Retry ?? {};
    // jsonMaxRetries: "inf" in any case, or an integer (also in quotes); 0 means no limit.
    if (typeof retry.Max === "string" && retry.Max.toLowerCase() === "inf") {
        config.retry.max = Infinity;
    } else if (retry.Max !== undefined && Number.isInteger(Number(retry.Max))) {
        const max = Number(retry.Max);
        config.retry.max = max === 0 ? Infinity : max;
    }
    if (retry.Backoff) config.retry.backoffMs = durationMs(retry.Backoff);
    return config;
}

/** A Go duration (`250ms`, `1m30s`) or an interval (`00:00:03.5`) in milliseconds. */
export function durationMs(value: string): number {
    const clock = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
    if (clock) {
        return (Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3])) * 1000;
    }
    return Number(parseGoDuration(value)) / 1e6;
}
