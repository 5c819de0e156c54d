/**
 * A few of the replicator's Prometheus metrics, rendered in the text exposition format served
 * at `/_/varz`. Names, help texts and label names are the real ones (see
 * docs/replicator-behaviour.md, "Metrics"): the `apply_*` counters carry `schema` (the target
 * table's schema, raw) and `table`; the conveyor gauges carry `kind` and `target`; the
 * checkpoint counter carries `schema`. `cdc_sink_start_seconds` is the wall time the process
 * started (`internal/util/metrics/metrics.go` `init`): it changes when the replicator restarts.
 */

interface Family {
    help: string;
    type: "counter" | "gauge";
    samples: Map<string, number>;
}

const FAMILIES: Record<string, Omit<Family, "samples">> = {
    cdc_sink_start_seconds: {
        help: "the wall time at which Replicator was started",
        type: "gauge",
    },
    apply_upserts_total: { help: "the number of rows upserted", type: "counter" },
    apply_deletes_total: { help: "the number of rows deleted", type: "counter" },
    apply_errors_total: {
        help: "the number of times an error was encountered while applying mutations",
        type: "counter",
    },
    http_status_codes_total: { help: "HTTP response code counts", type: "counter" },
    checkpoint_proposed_going_backwards_errors: {
        help: "this counter indicates an error condition where the changefeed has been restarted",
        type: "counter",
    },
    checkpoint_committed_time_seconds: {
        help: "the wall time of the committed checkpoint",
        type: "gauge",
    },
    target_pending_timestamp_seconds: {
        help: "the wall time of the most recently received resolved timestamp",
        type: "gauge",
    },
    target_applied_timestamp_seconds: {
        help: "the wall time of the most recent applied resolved timestamp",
        type: "gauge",
    },
};

export type MetricName = keyof typeof FAMILIES;
export type Labels = Record<string, string>;

const escapeLabel = (v: string) =>
    v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function labelText(labels: Labels): string {
    const entries = Object.entries(labels);
    if (entries.length === 0) return "";
    return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

export class Metrics {
    private readonly families = new Map<string, Family>(
        Object.entries(FAMILIES).map(([name, f]) => [name, { ...f, samples: new Map() }]),
    );

    constructor(startedAtMs = Date.now()) {
        this.set("cdc_sink_start_seconds", {}, startedAtMs / 1000);
    }

    add(name: MetricName, labels: Labels, delta = 1): void {
        const samples = this.family(name).samples;
        const key = labelText(labels);
        samples.set(key, (samples.get(key) ?? 0) + delta);
    }

    set(name: MetricName, labels: Labels, value: number): void {
        this.family(name).samples.set(labelText(labels), value);
    }

    get(name: MetricName, labels: Labels): number {
        return this.family(name).samples.get(labelText(labels)) ?? 0;
    }

    render(): string {
        const lines: string[] = [];
        for (const [name, family] of this.families) {
            lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
            for (const [labels, value] of family.samples) lines.push(`${name}${labels} ${value}`);
        }
        return `${lines.join("\n")}\n`;
    }

    private family(name: string): Family {
        const family = this.families.get(name);
        if (!family) throw new Error(`unknown metric ${name}`);
        return family;
    }
}
