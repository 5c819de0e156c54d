/**
 * The CockroachDB release a cluster runs and the changefeed WITH options each release takes
 * (docs/cockroachdb-behaviour.md, "Changefeed options per version"). Read once per operation
 * that creates or alters a changefeed, so an option the cluster does not take fails with a clear
 * error before any job is touched.
 */
import type { CockroachSession } from "../cockroach";
import type { OptionValue } from "./types";

/** A CockroachDB release as `major.minor` (e.g. 24.3, 25.4). */
export interface ClusterVersion {
    major: number;
    minor: number;
}

/** Options CREATE CHANGEFEED takes on v24.3 (changefeedbase ChangefeedOptionExpectValues). */
const V24_3_OPTIONS = [
    "avro_schema_prefix",
    "compression",
    "confluent_schema_registry",
    "cursor",
    "diff",
    "encode_json_value_null_as_object",
    "end_time",
    "envelope",
    "execution_locality",
    "format",
    "full_table_name",
    "gc_protect_expires_after",
    "ignore_disable_changefeed_replication",
    "initial_scan",
    "initial_scan_only",
    "kafka_sink_config",
    "key_column",
    "key_in_value",
    "lagging_ranges_polling_interval",
    "lagging_ranges_threshold",
    "metrics_label",
    "min_checkpoint_frequency",
    "mvcc_timestamp",
    "no_initial_scan",
    "on_error",
    "protect_data_from_gc_on_pause",
    "pubsub_sink_config",
    "resolved",
    "schema_change_events",
    "schema_change_policy",
    "split_column_families",
    "topic_in_value",
    "unordered",
    "updated",
    "virtual_columns",
    "webhook_auth_header",
    "webhook_client_timeout",
    "webhook_sink_config",
] as const;

/** Options added after v24.3, with the first release known to take them. */
const ADDED_OPTIONS: Readonly<Record<string, ClusterVersion>> = {
    enriched_properties: { major: 25, minor: 4 },
    extra_headers: { major: 25, minor: 4 },
    headers_json_column_name: { major: 25, minor: 4 },
};

/** Every option name some supported release takes. */
export const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
    ...V24_3_OPTIONS,
    ...Object.keys(ADDED_OPTIONS),
]);

/**
 * Query parameters of a webhook sink URL (changefeedbase SinkParam…): given as WITH options
 * they are refused by CockroachDB. The value says which argument of this package sets them.
 */
export const SINK_URL_PARAMETERS: Readonly<Record<string, string>> = {
    ca_cert: "give the replicator's CA certificate as caCertPem",
    client_cert: "give the client certificate as clientCertPem",
    client_key: "give the client key as clientKeyPem",
    insecure_tls_skip_verify:
        "this package never turns off certificate verification: give the replicator's CA as caCertPem",
    topic_name: "the replicator needs one topic per table, so a fixed topic name cannot be used",
    topic_prefix: "the replicator resolves topics as table names, so a prefix cannot be used",
    file_size: "it belongs to cloud-storage sinks, not webhooks",
    partition_format: "it belongs to cloud-storage sinks, not webhooks",
    schema_topic: "it belongs to Kafka sinks, not webhooks",
    tls_enabled: "it belongs to Kafka sinks; webhook URLs are always https",
    sasl_enabled: "it belongs to Kafka sinks, not webhooks",
    sasl_user: "it belongs to Kafka sinks, not webhooks",
    sasl_password: "it belongs to Kafka sinks, not webhooks",
    sasl_mechanism: "it belongs to Kafka sinks, not webhooks",
};

/** The first release that takes `gc_protect_expires_after = 0` (0 = use the cluster setting). */
const ZERO_PTS_EXPIRY_SINCE: ClusterVersion = { major: 25, minor: 4 };
/** The newest release whose option list is modelled here as "before the additions". */
const OLDEST_MODELLED: ClusterVersion = { major: 24, minor: 3 };

const atLeast = (v: ClusterVersion, w: ClusterVersion) =>
    v.major > w.major || (v.major === w.major && v.minor >= w.minor);
const show = (v: ClusterVersion) => `v${v.major}.${v.minor}`;

/** `25.4`, `25.4-upgrading-to-26.1-step-004` or `v25.4.0` → 25.4; undefined for anything else. */
export function parseClusterVersion(text: string): ClusterVersion | undefined {
    const match = /^v?(\d+)\.(\d+)/.exec(text.trim());
    if (!match) return undefined;
    return { major: Number(match[1]), minor: Number(match[2]) };
}

/** The release the cluster runs (`crdb_internal.node_executable_version()`, any user may ask). */
export async function readClusterVersion(
    session: CockroachSession,
): Promise<ClusterVersion | undefined> {
    const row = (await session.query("SELECT crdb_internal.node_executable_version() AS v"))[0];
    return row ? parseClusterVersion(String(row.v ?? "")) : undefined;
}

/** One option the cluster's release does not take, and why. */
export interface VersionProblem {
    option: string;
    reason: string;
}

function durationIsZero(value: OptionValue): boolean {
    return typeof value === "string" && /^0+(\.0+)?(ns|us|µs|μs|ms|s|m|h)?$/.test(value.trim());
}

/**
 * The options in `options` that a cluster at `version` does not take. Releases between the
 * modelled ones (v24.3 and v25.4) are not judged: CockroachDB's own error applies there.
 */
export function optionsNotOnVersion(
    options: Readonly<Record<string, OptionValue>>,
    version: ClusterVersion,
): VersionProblem[] {
    const modelled =
        (version.major === OLDEST_MODELLED.major && version.minor <= OLDEST_MODELLED.minor) ||
        version.major < OLDEST_MODELLED.major;
    if (!modelled) return [];
    const problems: VersionProblem[] = [];
    for (const [option, value] of Object.entries(options).sort(([a], [b]) => a.localeCompare(b))) {
        if (value === false) continue;
        const since = ADDED_OPTIONS[option];
        if (since && !atLeast(version, since)) {
            problems.push({
                option,
                reason: `is not a changefeed option on CockroachDB ${show(version)} (it needs ${show(since)} or later): remove it or upgrade the cluster`,
            });
        }
        if (
            option === "gc_protect_expires_after" &&
            durationIsZero(value) &&
            !atLeast(version, ZERO_PTS_EXPIRY_SINCE)
        ) {
            problems.push({
                option,
                reason: `must be greater than 0 on CockroachDB ${show(version)} (0 is taken from ${show(ZERO_PTS_EXPIRY_SINCE)} on): give a duration such as '24h'`,
            });
        }
    }
    return problems;
}

/**
 * Reads the cluster's release once and fails with every option it does not take, naming the
 * property and the fix.
 */
export async function requireOptionsOnClusterVersion(
    session: CockroachSession,
    options: Readonly<Record<string, OptionValue>> | undefined,
): Promise<void> {
    if (!options || Object.keys(options).length === 0) return;
    const version = await readClusterVersion(session);
    if (!version) return;
    const problems = optionsNotOnVersion(options, version);
    if (problems.length === 0) return;
    throw new Error(
        problems.map((p) => `options.${p.option} ${p.reason}`).join("; ") +
            ". No changefeed was created or changed.",
    );
}
