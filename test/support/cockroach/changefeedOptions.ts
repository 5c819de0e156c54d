/**
 * CREATE/ALTER CHANGEFEED option and sink validation with CockroachDB's error texts
 * (reference §6.1, §6.2; changefeedbase/options.go, exprutil/kv_string_opt.go, sink_webhook*.go),
 * and the redacted job description / sink_uri (§6.1).
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { CockroachError, SQLSTATE, uncategorized } from "./errors";
import { parseGoDuration } from "./durations";
import { formatString } from "./lexer";
import type { CockroachProfile } from "./profiles";

type OptionKind = "flag" | "string" | "interval" | "timestamp" | "enum" | "json" | "csv";

interface OptionSpec {
    kind: OptionKind;
    /** Enum values, in CockroachDB's order (used in its error text). */
    values?: readonly string[];
    /** May be given bare or with a value (`resolved`, `initial_scan`). */
    canBeEmpty?: boolean;
    /** An explicit zero duration is allowed. */
    canBeZero?: boolean;
}

const flag: OptionSpec = { kind: "flag" };
const text: OptionSpec = { kind: "string" };
const interval: OptionSpec = { kind: "interval" };
const zeroableInterval: OptionSpec = { kind: "interval", canBeZero: true };
const timestamp: OptionSpec = { kind: "timestamp" };
const json: OptionSpec = { kind: "json" };
const oneOf = (...values: string[]): OptionSpec => ({ kind: "enum", values });

/**
 * Every CREATE CHANGEFEED option of the oldest profile (v24.3) and how it takes a value;
 * `optionSpecsFor` adds what newer releases take.
 */
const BASE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
    avro_schema_prefix: text,
    compression: oneOf("gzip", "zstd"),
    confluent_schema_registry: text,
    cursor: timestamp,
    diff: flag,
    encode_json_value_null_as_object: flag,
    end_time: timestamp,
    envelope: oneOf("row", "key_only", "wrapped", "deprecated_row", "bare"),
    execution_locality: text,
    format: oneOf("json", "avro", "csv", "experimental_avro", "parquet"),
    full_table_name: flag,
    gc_protect_expires_after: interval,
    ignore_disable_changefeed_replication: flag,
    initial_scan: { ...oneOf("yes", "no", "only"), canBeEmpty: true },
    initial_scan_only: flag,
    kafka_sink_config: json,
    key_column: text,
    key_in_value: flag,
    lagging_ranges_polling_interval: interval,
    lagging_ranges_threshold: interval,
    metrics_label: text,
    min_checkpoint_frequency: zeroableInterval,
    mvcc_timestamp: flag,
    no_initial_scan: flag,
    on_error: oneOf("pause", "fail"),
    protect_data_from_gc_on_pause: flag,
    pubsub_sink_config: json,
    resolved: { kind: "interval", canBeZero: true, canBeEmpty: true },
    schema_change_events: oneOf("column_changes", "default"),
    schema_change_policy: oneOf("backfill", "nobackfill", "stop", "ignore"),
    split_column_families: flag,
    topic_in_value: flag,
    unordered: flag,
    updated: flag,
    virtual_columns: oneOf("omitted", "null"),
    webhook_auth_header: text,
    webhook_client_timeout: interval,
    webhook_sink_config: json,
};

/** Options newer profiles add, with how they take a value. */
const ADDED_OPTION_SPECS: Readonly<Record<string, OptionSpec>> = {
    enriched_properties: { kind: "csv", values: ["source", "schema"] },
    extra_headers: json,
    headers_json_column_name: text,
};

/** The CREATE CHANGEFEED option table of one profile. */
export function optionSpecsFor(profile: CockroachProfile): Record<string, OptionSpec> {
    const specs: Record<string, OptionSpec> = { ...BASE_OPTIONS };
    for (const name of profile.addedOptions) {
        const spec = ADDED_OPTION_SPECS[name];
        if (spec) specs[name] = spec;
    }
    for (const [name, values] of Object.entries(profile.addedEnumValues)) {
        const spec = specs[name];
        if (spec?.values) specs[name] = { ...spec, values: [...spec.values, ...values] };
    }
    if (profile.gcProtectExpiresAfterCanBeZero) {
        specs.gc_protect_expires_after = zeroableInterval;
    }
    return specs;
}

/** Options accepted by every sink (changefeedbase.CommonOptions). */
const COMMON_OPTIONS = new Set([
    "cursor",
    "end_time",
    "envelope",
    "format",
    "full_table_name",
    "key_in_value",
    "topic_in_value",
    "resolved",
    "updated",
    "mvcc_timestamp",
    "diff",
    "split_column_families",
    "schema_change_events",
    "schema_change_policy",
    "protect_data_from_gc_on_pause",
    "on_error",
    "initial_scan",
    "no_initial_scan",
    "initial_scan_only",
    "min_checkpoint_frequency",
    "metrics_label",
    "virtual_columns",
    "execution_locality",
    "lagging_ranges_threshold",
    "lagging_ranges_polling_interval",
    "ignore_disable_changefeed_replication",
    "encode_json_value_null_as_object",
    "gc_protect_expires_after",
    "key_column",
    "unordered",
    "enriched_properties",
]);
/** Options only the webhook sink adds (changefeedbase.WebhookValidOptions). */
const WEBHOOK_OPTIONS = new Set([
    "webhook_auth_header",
    "webhook_client_timeout",
    "webhook_sink_config",
    "compression",
    "extra_headers",
    "headers_json_column_name",
]);
/** Options whose values never appear in descriptions (changefeedbase.RedactedOptions). */
const REDACTED_OPTIONS = new Set(["webhook_auth_header", "client_key"]);
/** Values lower-cased on the way in (changefeedbase.CaseInsensitiveOpts). */
const CASE_INSENSITIVE = new Set([
    "format",
    "envelope",
    "compression",
    "schema_change_events",
    "schema_change_policy",
    "on_error",
    "initial_scan",
]);
/** Options ALTER CHANGEFEED refuses to change (AlterChangefeedUnsupportedOptions, §6.7). */
export const UNALTERABLE_OPTIONS = new Set([
    "cursor",
    "initial_scan",
    "no_initial_scan",
    "initial_scan_only",
    "end_time",
]);

/** A `WITH` entry after placeholders were substituted; `null` = given bare. */
export interface OptionEntry {
    key: string;
    value: string | null;
}

/** Validated options: flags map to `null` (the contract's FeedSpec.options shape). */
export type ChangefeedOptionMap = Record<string, string | null>;

/**
 * The KV-option step of the plan hook (exprutil KVOptions): option names and the
 * value/no-value rule, with no SQLSTATE of their own; `initial_scan` values are checked here
 * too (22023). Values of case-insensitive options are lower-cased. `extra` lists names allowed
 * beyond the CREATE set (ALTER's `sink`).
 */
export function parseOptionEntries(
    entries: readonly OptionEntry[],
    specs: Readonly<Record<string, OptionSpec>>,
    extra: Record<string, OptionSpec> = {},
): ChangefeedOptionMap {
    const options: ChangefeedOptionMap = {};
    for (const { key, value } of entries) {
        const spec = specs[key] ?? extra[key];
        if (!spec) throw uncategorized(`invalid option "${key}"`);
        if (value === null && spec.kind !== "flag" && !spec.canBeEmpty) {
            throw uncategorized(`option "${key}" requires a value`);
        }
        if (value !== null && spec.kind === "flag") {
            throw uncategorized(`option "${key}" does not take a value`);
        }
        const lowered = value !== null && CASE_INSENSITIVE.has(key) ? value.toLowerCase() : value;
        options[key] = lowered;
    }
    return options;
}

/** StatementOptions.GetInitialScanType's conflicts, checked before anything else (no SQLSTATE). */
export function checkInitialScanConflicts(options: ChangefeedOptionMap): void {
    const has = (k: string) => Object.prototype.hasOwnProperty.call(options, k);
    const both = (a: string, b: string) => uncategorized(`cannot specify both ${a} and ${b}`);
    if (has("initial_scan") && has("no_initial_scan"))
        throw both("initial_scan", "no_initial_scan");
    if (has("initial_scan") && has("initial_scan_only"))
        throw both("initial_scan", "initial_scan_only");
    if (has("no_initial_scan") && has("initial_scan_only"))
        throw both("initial_scan='only'", "no_initial_scan");
    // getEnumValue, still inside GetInitialScanType: a bad value has no SQLSTATE either.
    const value = options.initial_scan;
    if (value != null && value !== "" && !INITIAL_SCAN_VALUES.includes(value)) {
        throw uncategorized(`unknown initial_scan: ${value}, ${describeEnum(INITIAL_SCAN_VALUES)}`);
    }
}

/** `enum("yes", "no", "only")` in changefeedbase's option table, in that order. */
const INITIAL_SCAN_VALUES = ["yes", "no", "only"] as const as readonly string[];

/**
 * StatementOptions.ValidateForCreateChangefeed: typed values, the initial-scan-only and csv
 * rules and incompatible pairs. Every error it raises is wrapped as 22023.
 */
export function validateForCreateChangefeed(
    options: ChangefeedOptionMap,
    specs: Readonly<Record<string, OptionSpec>>,
): void {
    try {
        for (const [key, value] of Object.entries(options)) {
            const spec = specs[key];
            if (spec?.kind === "interval") durationOption(key, value, spec);
            if (spec?.kind === "enum" && value !== null && value !== "")
                enumOption(key, value, spec);
            if (spec?.kind === "csv" && value !== null && value !== "") csvOption(key, value, spec);
        }
        validateInitialScan(options);
    } catch (err) {
        if (err instanceof CockroachError && err.code === SQLSTATE.uncategorized) {
            throw new CockroachError(SQLSTATE.invalidParameterValue, err.message, err.hint);
        }
        throw err;
    }
}

/** Option names and shapes, the initial-scan conflicts and the typed values in one go. */
export function validateOptions(
    entries: readonly OptionEntry[],
    specs: Readonly<Record<string, OptionSpec>>,
): ChangefeedOptionMap {
    const options = parseOptionEntries(entries, specs);
    checkInitialScanConflicts(options);
    validateForCreateChangefeed(options, specs);
    return options;
}

function csvOption(key: string, value: string, spec: OptionSpec): void {
    const values = spec.values ?? [];
    for (const part of value.split(",").map((v) => v.trim())) {
        if (!values.includes(part)) {
            throw uncategorized(`unknown ${key}: ${part}, valid values are: ${values.join(", ")}`);
        }
    }
}

function enumOption(key: string, value: string, spec: OptionSpec): void {
    const values = spec.values ?? [];
    if (values.includes(value)) return;
    throw uncategorized(`unknown ${key}: ${value}, ${describeEnum(values)}`);
}

/** changefeedbase.describeEnum, including its double space before `and`. */
function describeEnum(values: readonly string[]): string {
    if (values.length === 1) return `the only valid value is '${values[0]}'`;
    if (values.length === 2) return `valid values are '${values[0]}' and '${values[1]}'`;
    let out = "valid values are ";
    values.forEach((v, i) => {
        if (i > 0) out += ", ";
        if (i === values.length - 1) out += " and ";
        out += `'${v}'`;
    });
    return out;
}

/** StatementOptions.getDurationValue: Go duration, not negative, zero only where allowed. */
export function durationOption(
    key: string,
    value: string | null,
    spec: OptionSpec = interval,
): bigint | undefined {
    if (value === null || value === "") {
        if (spec.canBeEmpty) return undefined;
        value = value ?? "";
    }
    let nanos: bigint;
    try {
        nanos = parseGoDuration(value);
    } catch (err) {
        throw uncategorized(`problem parsing option ${key}: ${(err as Error).message}`);
    }
    if (nanos < 0n) throw uncategorized(`negative durations are not accepted: ${key}='${value}'`);
    if (nanos === 0n && !spec.canBeZero)
        throw uncategorized(`option ${key} must be a duration greater than 0`);
    return nanos;
}

function validateInitialScan(options: ChangefeedOptionMap): void {
    const has = (k: string) => Object.prototype.hasOwnProperty.call(options, k);
    const only = has("initial_scan_only") || options.initial_scan === "only";
    if (only) {
        for (const unsupported of ["end_time", "resolved", "diff", "mvcc_timestamp", "updated"]) {
            if (has(unsupported))
                throw uncategorized(`cannot specify both initial_scan='only' and ${unsupported}`);
        }
    } else if (options.format === "csv") {
        throw uncategorized("format=csv is only usable with initial_scan_only");
    }
    if (has("resolved") && has("unordered")) {
        throw uncategorized(
            "resolved timestamps cannot be guaranteed to be correct in unordered mode",
        );
    }
}

/** A parsed sink URI that passed the webhook sink's checks. */
export interface WebhookSink {
    uri: string;
    scheme: string;
}

/**
 * The sink checks CockroachDB runs when it builds the (canary) sink: scheme, sink-specific
 * options, the webhook query parameters, `webhook_sink_config`, `webhook_client_timeout`.
 */
export function validateSink(sinkUri: string, options: ChangefeedOptionMap): WebhookSink {
    // sink.go getSink: the scheme picks the sink; an empty one is named as such.
    // getSink reads the encoding options (StatementOptions.GetEncodingOptions) before it looks
    // at the scheme.
    for (const flag of ["key_in_value", "topic_in_value"]) {
        if (flag in options && ["row", "key_only"].includes(options.envelope ?? "wrapped")) {
            throw uncategorized(`${flag} is only usable with envelope=wrapped`);
        }
    }
    if (options.envelope === "enriched" && !["json", "avro"].includes(options.format ?? "json")) {
        throw uncategorized("envelope=enriched is only usable with format=json/avro");
    }
    if ("enriched_properties" in options && options.envelope !== "enriched") {
        throw uncategorized("enriched_properties is only usable with envelope=enriched");
    }
    const scheme = sinkScheme(sinkUri);
    if (scheme === "") throw uncategorized(`no scheme found for sink URL ${goQuote(sinkUri)}`);
    if (scheme !== "webhook-https" && scheme !== "webhook-http") {
        throw uncategorized(`unsupported sink: ${scheme}`);
    }
    // validateSinkOptions, then makeWebhookSink: getSinkConfigFromJson before
    // validateWebhookOpts (https, format, envelope), then the client's query parameters.
    for (const key of Object.keys(options)) {
        if (!COMMON_OPTIONS.has(key) && !WEBHOOK_OPTIONS.has(key)) {
            throw uncategorized(`this sink is incompatible with option ${key}`);
        }
    }
    if (options.webhook_sink_config != null) validateWebhookSinkConfig(options.webhook_sink_config);
    if (scheme === "webhook-http") throw uncategorized("this sink requires webhook-https");
    if (options.format && !["json", "csv"].includes(options.format)) {
        throw uncategorized(`this sink is incompatible with format=${options.format}`);
    }
    if (options.envelope && !["wrapped", "bare"].includes(options.envelope)) {
        throw uncategorized(`this sink is incompatible with envelope=${options.envelope}`);
    }
    const url = parseSinkUrl(sinkUri);
    validateWebhookParams(url);
    return { uri: sinkUri, scheme };
}

/** Go's %q for the printable ASCII a sink URL holds (control characters escaped). */
function goQuote(text: string): string {
    return JSON.stringify(text);
}

/** The scheme as CockroachDB's url.Parse sees it (`""` when there is none). */
export function sinkScheme(sinkUri: string): string {
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(sinkUri);
    return match?.[1]?.toLowerCase() ?? "";
}

function parseSinkUrl(sinkUri: string): URL {
    try {
        return new URL(sinkUri.replace(/^webhook-https:/i, "https:"));
    } catch {
        throw uncategorized(`parse "${sinkUri}": invalid URI for request`);
    }
}

function validateWebhookParams(url: URL): void {
    const params = url.searchParams;
    const decoded = new Map<string, Buffer>();
    for (const name of ["ca_cert", "client_cert", "client_key"]) {
        const value = params.get(name);
        if (value === null) continue;
        const bytes = decodeGoBase64(value);
        if (typeof bytes === "number") {
            throw uncategorized(
                `param ${name} must be base 64 encoded: illegal base64 data at input byte ${bytes}`,
            );
        }
        decoded.set(name, bytes);
    }
    const skip = params.get("insecure_tls_skip_verify");
    if (skip !== null && !/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(skip)) {
        throw uncategorized(
            `param insecure_tls_skip_verify must be a bool: strconv.ParseBool: parsing "${skip}": invalid syntax`,
        );
    }
    const caCert = decoded.get("ca_cert");
    if (caCert && !parsesAsCertificate(caCert)) {
        throw uncategorized(`failed to parse certificate data:${caCert.toString("utf8")}`);
    }
    const clientCert = decoded.get("client_cert");
    const clientKey = decoded.get("client_key");
    if (clientCert && !clientKey) throw uncategorized("client_cert requires client_key to be set");
    if (clientKey && !clientCert) throw uncategorized("client_key requires client_cert to be set");
    if (clientCert && clientKey) {
        if (!parsesAsCertificate(clientCert)) {
            throw uncategorized(
                "invalid client certificate data provided: tls: failed to find any PEM data in certificate input",
            );
        }
        try {
            createPrivateKey(clientKey);
        } catch {
            throw uncategorized(
                "invalid client certificate data provided: tls: failed to find any PEM data in key input",
            );
        }
    }
}

function parsesAsCertificate(pem: Buffer): boolean {
    try {
        new X509Certificate(pem);
        return true;
    } catch {
        return false;
    }
}

/** Go's base64.StdEncoding.DecodeString: the bytes, or the offset of the first bad byte. */
function decodeGoBase64(value: string): Buffer | number {
    const bad = /[^A-Za-z0-9+/=]/.exec(value);
    if (bad) return bad.index;
    const padAt = value.indexOf("=");
    if (padAt >= 0 && !/^=*$/.test(value.slice(padAt))) return padAt;
    if (value.length % 4 !== 0) return Math.floor(value.length / 4) * 4;
    return Buffer.from(value, "base64");
}

/** sink_webhook_v2.go getSinkConfigFromJson (§6.2). */
function validateWebhookSinkConfig(raw: string): void {
    const invalid = (why: string) => uncategorized(`invalid sink config, ${why}`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch (err) {
        throw uncategorized(`error unmarshalling json: ${goJsonSyntaxError(raw, err as Error)}`);
    }
    const section = (name: string): Record<string, unknown> => {
        const value = (parsed as Record<string, unknown> | null)?.[name];
        if (value === undefined || value === null) return {};
        if (typeof value !== "object" || Array.isArray(value)) {
            throw uncategorized(
                `error unmarshalling json: json: cannot unmarshal ${jsonKind(value)} into Go struct field .${name}`,
            );
        }
        return value as Record<string, unknown>;
    };
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw uncategorized(
            `error unmarshalling json: json: cannot unmarshal ${jsonKind(parsed)} into Go value`,
        );
    }
    const flush = section("Flush");
    const retry = section("Retry");
    const int = (owner: string, field: string, value: unknown): number => {
        if (value === undefined || value === null) return 0;
        if (typeof value !== "number" || !Number.isInteger(value)) {
            throw uncategorized(
                `error unmarshalling json: json: cannot unmarshal ${jsonKind(value)} into Go struct field .${owner}.${field} of type int`,
            );
        }
        return value;
    };
    const duration = (value: unknown): bigint => {
        if (value === undefined || value === null) return 0n;
        if (typeof value !== "string") {
            throw uncategorized(
                `error unmarshalling json: json: cannot unmarshal ${jsonKind(value)} into Go value of type string`,
            );
        }
        try {
            return parseGoDuration(value);
        } catch (err) {
            throw uncategorized(`error unmarshalling json: ${(err as Error).message}`);
        }
    };
    const messages = int("Flush", "Messages", flush.Messages);
    const bytes = int("Flush", "Bytes", flush.Bytes);
    const frequency = duration(flush.Frequency);
    const backoff = duration(retry.Backoff);
    const max = retryMax(retry.Max);
    if (messages < 0 || bytes < 0 || frequency < 0n || max < 0 || backoff < 0n) {
        throw invalid("all values must be non-negative");
    }
    if ((messages > 0 || bytes > 0) && frequency === 0n) {
        throw invalid("Flush.Frequency is not set, messages may never be sent");
    }
}

/**
 * sink.go jsonMaxRetries.UnmarshalJSON: a JSON integer must be positive; a string is `inf`
 * (any case) or an integer in quotes (taken as is); anything else is refused. Its errors come
 * back wrapped by getSinkConfigFromJson.
 */
function retryMax(value: unknown): number {
    if (value === undefined || value === null) return 0;
    const either = () =>
        uncategorized(
            "error unmarshalling json: Retry.Max must be either a positive int or 'inf' for infinite retries.",
        );
    if (typeof value === "number") {
        if (!Number.isInteger(value)) throw either();
        if (value <= 0) {
            throw uncategorized(
                "error unmarshalling json: Retry.Max must be a positive integer. use 'inf' for infinite retries.",
            );
        }
        return value;
    }
    if (typeof value !== "string") throw either();
    if (value.toLowerCase() === "inf") return 0;
    if (/^[+-]?\d+$/.test(value)) return Number(value);
    throw either();
}

/**
 * encoding/json's scanner message for the common malformed inputs (empty, a bad first character,
 * a misspelt literal, text after the value). Other syntax errors are not reproduced; their text
 * says so instead of imitating Go.
 */
function goJsonSyntaxError(raw: string, jsError: Error): string {
    const text = raw.replace(/^[ \t\r\n]+/, "");
    if (text === "") return "unexpected end of JSON input";
    const first = text[0] as string;
    const literal = ({ n: "null", t: "true", f: "false" } as Record<string, string>)[first];
    if (literal) {
        for (let i = 1; i < literal.length; i++) {
            if (i >= text.length) return "unexpected end of JSON input";
            if (text[i] !== literal[i]) {
                return `invalid character '${text[i]}' in literal ${literal} (expecting '${literal[i]}')`;
            }
        }
        const after = text.slice(literal.length).replace(/^[ \t\r\n]+/, "");
        if (after !== "") return `invalid character '${after[0]}' after top-level value`;
    }
    if (!/^[{["\-0-9]/.test(first)) {
        return `invalid character '${first}' looking for beginning of value`;
    }
    return `malformed JSON (the exact encoding/json message is not supported by the test server): ${jsError.message}`;
}

function jsonKind(value: unknown): string {
    if (Array.isArray(value)) return "array";
    if (value === null) return "null";
    return typeof value === "object" ? "object" : typeof value;
}

/** Query parameters whose values are replaced in descriptions and sink_uri (§6.1). */
const REDACTED_PARAMS = new Set([
    "sasl_password",
    "ca_cert",
    "client_cert",
    "client_key",
    "api_secret",
    "shared_access_key",
]);

/**
 * cloud.SanitizeExternalStorageURI then changefeedbase.RedactUserFromURI: user info (name and
 * password) becomes `redacted@`, secret query parameters become `redacted`, the query is
 * re-encoded like Go's url.Values.Encode (sorted by key).
 */
export function redactSinkUri(sinkUri: string): string {
    const match = /^([^:]+:)(\/\/)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(sinkUri);
    if (!match) return sinkUri;
    const [, scheme = "", slashes = "", authority = "", path = "", query, fragment = ""] = match;
    const host = authority.includes("@")
        ? `redacted@${authority.slice(authority.lastIndexOf("@") + 1)}`
        : authority;
    if (query === undefined) return `${scheme}${slashes}${host}${path}${fragment}`;
    const params = new URLSearchParams(query);
    const keys = [...new Set(params.keys())].sort();
    const encoded = keys
        .flatMap((key) =>
            params.getAll(key).map((value) => {
                const shown = REDACTED_PARAMS.has(key) ? "redacted" : value;
                return `${goQueryEscape(key)}=${goQueryEscape(shown)}`;
            }),
        )
        .join("&");
    return `${scheme}${slashes}${host}${path}?${encoded}${fragment}`;
}

/** Go's url.QueryEscape. */
function goQueryEscape(value: string): string {
    return [...Buffer.from(value, "utf8")]
        .map((byte) => {
            const ch = String.fromCharCode(byte);
            if (/[A-Za-z0-9\-_.~]/.test(ch)) return ch;
            if (ch === " ") return "+";
            return `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
        })
        .join("");
}

/**
 * The job description CockroachDB stores: targets as written, sanitized sink, options sorted by
 * name inside `WITH OPTIONS (…)`, valued options as `key = 'value'`, flags bare, secret values
 * `redacted` (changefeed_stmt.go makeChangefeedDescription, tree.CreateChangefeed.Format).
 */
export function changefeedDescription(
    targets: readonly string[],
    sinkUri: string,
    options: ChangefeedOptionMap,
): string {
    const rendered = Object.keys(options)
        .sort()
        .map((key) => {
            const value = options[key];
            if (value === null || value === undefined || value === "") return key;
            return `${key} = ${formatString(REDACTED_OPTIONS.has(key) ? "redacted" : value)}`;
        });
    const forTables = targets.map((t) => `TABLE ${t}`).join(", ");
    // tree.CreateChangefeed.Format writes the options as `WITH OPTIONS (…)`.
    const withClause = rendered.length > 0 ? ` WITH OPTIONS (${rendered.join(", ")})` : "";
    return `CREATE CHANGEFEED FOR ${forTables} INTO ${formatString(redactSinkUri(sinkUri))}${withClause}`;
}
