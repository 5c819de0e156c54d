/**
 * The changefeed's WITH options: defaults, the options reserved for dedicated arguments, the
 * options the replicator cannot decode, and the rendered list for CREATE / ALTER.
 */
import type { AtApply, ChangefeedInputs, OptionValue } from "./types";

export const DEFAULT_RESOLVED = "250ms";
export const DEFAULT_MIN_CHECKPOINT_FREQUENCY = "250ms";
export const DEFAULT_WEBHOOK_CLIENT_TIMEOUT = "10s";
export const DEFAULT_WEBHOOK_SINK_CONFIG = '{"Flush":{"Bytes":1048576,"Frequency":"1s"}}';
export const DEFAULT_WAIT_FOR_RUNNING_SECONDS = 60;

/** Options set through a dedicated argument (or fixed by this package), with the reason. */
export const RESERVED_OPTIONS: Readonly<Record<string, string>> = {
    updated: "is always set (the replicator orders and checkpoints by the updated timestamp)",
    resolved: "is set by the resolved argument",
    min_checkpoint_frequency: "is set by the minCheckpointFrequency argument",
    cursor: "is set by the cursor argument",
    initial_scan:
        "is always 'no' at create: the feed starts from cursor and an initial scan would replay every existing row " +
        "into the target (tables added later are scanned per addedTablesInitialScan)",
    no_initial_scan: "is implied: initial_scan is always 'no' at create",
    initial_scan_only: "would end the feed after a scan; failback needs a continuous feed",
    end_time: "would end the feed at that time; failback needs a continuous feed",
    webhook_sink_config: "is set by the webhookSinkConfig argument",
    webhook_client_timeout: "is set by the webhookClientTimeout argument",
    webhook_auth_header: "is set by the authToken argument (sent as 'Bearer <token>')",
    sink: "is built from webhookUrl and the TLS arguments",
};

/** Options the replicator's decoder cannot handle, with the reason. */
export const REJECTED_OPTIONS: Readonly<Record<string, string>> = {
    mvcc_timestamp:
        "adds an mvcc_timestamp field to every row, and the replicator rejects payloads with unknown fields",
    full_table_name:
        "makes each row's topic db.schema.table, but the replicator resolves the topic as a table name inside the " +
        "schema named by the webhook path, so the topic must be the bare table name",
    split_column_families:
        "makes topics table.family, which the replicator cannot map to a target table",
    unordered: "cannot be combined with resolved, which the replicator needs to checkpoint",
};

/** Problems with the value of an option that is otherwise allowed. */
export function optionValueProblem(name: string, value: OptionValue): string | undefined {
    if (name === "envelope" && value !== "wrapped") {
        return "must be 'wrapped' (or left out): the replicator decodes only the wrapped envelope";
    }
    if (name === "format" && value !== "json") {
        return "must be 'json' (or left out): the replicator decodes only JSON";
    }
    return undefined;
}

/** Options whose values may carry credentials: bound as placeholders, never shown. */
export const SECRET_BEARING_OPTIONS: ReadonlySet<string> = new Set(["extra_headers"]);

/** One option as it goes into SQL: a flag when `value` is undefined. */
export interface RenderedOption {
    key: string;
    value?: string;
    /** Bound as a placeholder and shown as `<redacted>` in previews. */
    secret?: boolean;
    /** A value resolved only at apply (the cursor of a plan). */
    atApply?: AtApply;
}

/** Canonical JSON text of the webhook sink config (default applied). */
export function webhookSinkConfigText(config: ChangefeedInputs["webhookSinkConfig"]): string {
    if (config === undefined || config === null) return DEFAULT_WEBHOOK_SINK_CONFIG;
    const value = typeof config === "string" ? (JSON.parse(config) as unknown) : config;
    return JSON.stringify(value);
}

/**
 * The options CREATE CHANGEFEED gets, in a fixed order: `updated, resolved,
 * min_checkpoint_frequency, initial_scan = 'no', cursor, webhook_sink_config,
 * webhook_client_timeout`, the auth header, then `options` sorted by name.
 */
export function createOptions(
    inputs: ChangefeedInputs,
    cursor: string | AtApply,
): RenderedOption[] {
    const alterable = alterableOptions(inputs);
    return [
        ...alterable.slice(0, 3),
        { key: "initial_scan", value: "no" },
        typeof cursor === "string"
            ? { key: "cursor", value: cursor }
            : { key: "cursor", atApply: cursor },
        ...alterable.slice(3),
    ];
}

/**
 * The options that ALTER CHANGEFEED can change (everything but `cursor` and `initial_scan`),
 * as a list keyed by option name.
 */
export function alterableOptions(inputs: ChangefeedInputs): RenderedOption[] {
    const out: RenderedOption[] = [
        { key: "updated" },
        { key: "resolved", value: inputs.resolved ?? DEFAULT_RESOLVED },
        {
            key: "min_checkpoint_frequency",
            value: inputs.minCheckpointFrequency ?? DEFAULT_MIN_CHECKPOINT_FREQUENCY,
        },
        { key: "webhook_sink_config", value: webhookSinkConfigText(inputs.webhookSinkConfig) },
        {
            key: "webhook_client_timeout",
            value: inputs.webhookClientTimeout ?? DEFAULT_WEBHOOK_CLIENT_TIMEOUT,
        },
    ];
    if (inputs.authToken) {
        out.push({ key: "webhook_auth_header", value: `Bearer ${inputs.authToken}`, secret: true });
    }
    for (const [key, value] of Object.entries(inputs.options ?? {}).sort(([a], [b]) =>
        a.localeCompare(b),
    )) {
        // initial_scan = 'no' is always part of CREATE and cannot be altered.
        if (value === false || key === "initial_scan") continue;
        if (value === true) out.push({ key });
        else if (SECRET_BEARING_OPTIONS.has(key))
            out.push({ key, value: String(value), secret: true });
        else out.push({ key, value: String(value) });
    }
    return out;
}

/** What ALTER CHANGEFEED must SET and UNSET to go from `olds` to `news` options. */
export function optionChanges(
    olds: readonly RenderedOption[],
    news: readonly RenderedOption[],
): { set: RenderedOption[]; unset: string[] } {
    const before = new Map(olds.map((o) => [o.key, o]));
    const after = new Map(news.map((o) => [o.key, o]));
    const set = news.filter((o) => {
        const old = before.get(o.key);
        return !old || old.value !== o.value;
    });
    const unset = olds.filter((o) => !after.has(o.key)).map((o) => o.key);
    return { set, unset };
}
