/**
 * Sums the replicator's apply counters per target schema.
 *
 * The replicator labels `apply_upserts_total` and `apply_deletes_total` with `schema` and
 * `table` (source `internal/util/metrics/metrics.go`, `TableLabels`); the schema value is the
 * target schema's raw dotted name (`defaultdb.public` for a CockroachDB target of forward
 * replication). cdc-sink builds from before July 2023 (commit baa0a509, "ident: Rework ident
 * package", before replicator v1.0.0) used three labels, `database`, `schema` and `table`; there
 * the schema is `<database>.<schema>`. A table's series only exists once the replicator has
 * applied to it (`internal/target/apply/apply.go` `newApply`). The drain check sums both
 * counters `by (schema)` (docs/replicator-behaviour.md, "Metrics").
 */
import type { PrometheusSample } from "./prometheusText";
import type { CounterTotals } from "./types";

export const UPSERTS_METRIC = "apply_upserts_total";
export const DELETES_METRIC = "apply_deletes_total";

/** The counters of one scrape: over the watched schemas, and per schema (all schemas). */
export interface CounterSnapshot {
    /** Sum over the label sets that match the schema filter (all when there is none). */
    totals: CounterTotals;
    /** Per schema as the replicator labels it (every schema, filter or not). */
    bySchema: Map<string, CounterTotals>;
    /** Whether any counter sample matched the filter. */
    matched: boolean;
}

const START_TIME_METRICS = ["cdc_sink_start_seconds", "process_start_time_seconds"] as const;

/**
 * The start time (seconds since the epoch) of the replicator process that served `samples`:
 * `cdc_sink_start_seconds` (set at startup, `internal/util/metrics/metrics.go` `init`), else the
 * Prometheus client's `process_start_time_seconds`; undefined when neither is served. A change
 * between two scrapes means another process answered (a restart, or another replica).
 */
export function startTimeOf(samples: ReadonlyArray<PrometheusSample>): number | undefined {
    for (const name of START_TIME_METRICS) {
        const sample = samples.find((s) => s.name === name && Number.isFinite(s.value));
        if (sample) return sample.value;
    }
    return undefined;
}

/** The schema a counter sample belongs to, or undefined when it has no `schema` label. */
export function schemaOfLabels(labels: Record<string, string>): string | undefined {
    const schema = labels.schema;
    if (schema === undefined) return undefined;
    const database = labels.database;
    return database ? `${database}.${schema}` : schema;
}

/**
 * A schema name in comparable form: parts split on dots outside double quotes, quotes removed
 * (`""` inside quotes is one `"`), lower-cased — the replicator itself matches schema names
 * case-insensitively (docs/replicator-behaviour.md). `"DefaultDB".public` equals `defaultdb.public`.
 */
export function normalizeSchemaName(name: string): string {
    const parts: string[] = [];
    let current = "";
    let quoted = false;
    for (let i = 0; i < name.length; i++) {
        const char = name[i]!;
        if (char === '"') {
            if (quoted && name[i + 1] === '"') {
                current += '"';
                i++;
            } else {
                quoted = !quoted;
            }
        } else if (char === "." && !quoted) {
            parts.push(current);
            current = "";
        } else {
            current += char;
        }
    }
    parts.push(current);
    return parts.map((p) => p.trim().toLowerCase()).join(".");
}

/**
 * Sums the two apply counters of `samples`, over the label sets whose schema matches `schema`.
 * Throws a RangeError for a negative or non-finite counter value.
 */
export function aggregateCounters(
    samples: ReadonlyArray<PrometheusSample>,
    schema?: string,
): CounterSnapshot {
    const wanted = schema === undefined ? undefined : normalizeSchemaName(schema);
    const totals: CounterTotals = { upserts: 0, deletes: 0 };
    const bySchema = new Map<string, CounterTotals>();
    let matched = false;
    for (const sample of samples) {
        const kind =
            sample.name === UPSERTS_METRIC
                ? "upserts"
                : sample.name === DELETES_METRIC
                  ? "deletes"
                  : undefined;
        if (!kind) continue;
        if (!Number.isFinite(sample.value) || sample.value < 0) {
            throw new RangeError(`${sample.name} has the value ${sample.value}, not a counter's`);
        }
        const sampleSchema = schemaOfLabels(sample.labels) ?? "";
        const perSchema = bySchema.get(sampleSchema) ?? { upserts: 0, deletes: 0 };
        perSchema[kind] += sample.value;
        bySchema.set(sampleSchema, perSchema);
        if (wanted === undefined || normalizeSchemaName(sampleSchema) === wanted) {
            totals[kind] += sample.value;
            matched = true;
        }
    }
    return { totals, bySchema, matched };
}
