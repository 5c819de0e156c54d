/**
 * Renders benchmark results as the Markdown tables bench/README.md shows.
 */
import type { GrantsBenchResult } from "../grants/grantsBench";
import type { PreviewBenchResult } from "../engine/previewBench";
import { PROVIDER_SIZE_TARGET_BYTES, type ProviderSize } from "../sizes/providerSizes";
import type { ChangefeedBenchResult } from "../changefeed/changefeedBench";
import { type ScaleBenchResult, renderScale } from "../scale/scaleBench";
import { formatBytes, formatMs, formatRatio } from "./stats";

export interface BenchResults {
    command: string;
    startedAt: string;
    host: { cpus: number; node: string };
    grants?: GrantsBenchResult;
    scale?: ScaleBenchResult;
    sizes?: ProviderSize[];
    preview?: PreviewBenchResult;
    changefeed?: ChangefeedBenchResult;
}

const GRANTS_TARGET = 1.2;
const PREVIEW_TARGET = 1.5;

const mark = (value: number, target: number) =>
    Number.isFinite(value) ? (value <= target ? "" : " ✗") : "";

export function renderReport(results: BenchResults): string {
    const out: string[] = [];
    out.push(
        `Command: \`${results.command}\` — ${results.startedAt}, ${results.host.cpus} CPUs, ` +
            `Node ${results.host.node}. Times are medians in ms; ✗ = over target.`,
        "",
    );
    if (results.grants) out.push(...renderGrants(results.grants), "");
    if (results.scale) out.push(...renderScale(results.scale), "");
    if (results.sizes) out.push(...renderSizes(results.sizes), "");
    if (results.preview) out.push(...renderPreview(results.preview), "");
    if (results.changefeed) out.push(...renderChangefeed(results.changefeed), "");
    return out.join("\n");
}

function renderGrants(result: GrantsBenchResult): string[] {
    const out = [
        "### TargetGrants vs the DBA's SQL (target ≤ 1.2× vs CLI)",
        "",
        "| case | tables | n | step | provider | `cli` | `sql` in-process | own SQL | ×cli | ×sql | own SQL ×cli | provider ×own SQL | provider round trips |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ];
    for (const c of result.cases) {
        for (const s of c.steps) {
            const trips = c.roundTrips[s.step];
            out.push(
                `| ${c.case} | ${c.tables} | ${c.repetitions} | ${s.step} | ${formatMs(s.providerMs)} | ` +
                    `${formatMs(s.cliMs)} | ${formatMs(s.sqlMs)} | ${formatMs(s.ownSqlMs)} | ` +
                    `${formatRatio(s.vsCli)}${mark(s.vsCli, GRANTS_TARGET)} | ${formatRatio(s.vsSql)} | ` +
                    `${formatRatio(s.ownVsCli)} | ${formatRatio(s.vsOwnSql)} | ` +
                    `${trips.roundTrips} (${trips.kinds}) |`,
            );
        }
    }
    out.push(
        "",
        "Fixed cost of `SELECT 1` (client process start + connect vs in-process connect):",
        "",
    );
    out.push("| case | tables | `cli` SELECT 1 | `sql` SELECT 1 |", "| --- | ---: | ---: | ---: |");
    for (const c of result.cases) {
        if (c.steps.length === 0) continue;
        out.push(
            `| ${c.case} | ${c.tables} | ${formatMs(c.fixed.cliMs)} | ${formatMs(c.fixed.sqlMs)} |`,
        );
    }
    out.push("", "Refresh round trips by table count (connect + queries; must not grow):", "");
    for (const [name, bySize] of Object.entries(result.refreshRoundTrips)) {
        out.push(
            `- ${name}: ` +
                Object.entries(bySize)
                    .map(([tables, trips]) => `${tables} tables → ${trips}`)
                    .join(", "),
        );
    }
    return out;
}

function renderSizes(sizes: ProviderSize[]): string[] {
    const out = [
        `### Serialized provider per resource type (target ≤ ${formatBytes(PROVIDER_SIZE_TARGET_BYTES)})`,
        "",
        "| provider export | serialized | in state per resource (inputs + outputs) |",
        "| --- | ---: | ---: |",
    ];
    for (const s of sizes) {
        out.push(
            `| \`${s.exportName}\` (src/providers/${s.folder}) | ${s.bytes} B${mark(s.bytes, PROVIDER_SIZE_TARGET_BYTES)} | ${s.bytesPerResourceInState} B |`,
        );
    }
    return out;
}

function renderPreview(result: PreviewBenchResult): string[] {
    const out = [
        `### \`pulumi preview\` vs an empty stack (target ≤ ${PREVIEW_TARGET}×, n = ${result.repetitions})`,
        "",
        "| stack | resources | preview | ×empty |",
        "| --- | ---: | ---: | ---: |",
    ];
    for (const f of result.figures) {
        out.push(
            `| ${f.stack} | ${f.resources} | ${formatMs(f.medianMs)} | ${formatRatio(f.vsEmpty)}${mark(f.vsEmpty, PREVIEW_TARGET)} |`,
        );
    }
    for (const note of result.notMeasured) out.push("", `Not measured: ${note}.`);
    const state = result.deployedState;
    if (!state) return out;
    out.push(
        "",
        `State of the deployed grants-postgres stack: ${formatBytes(state.totalBytes)} in total.`,
        "",
        "| resource | type | bytes in state | `__provider` (inputs + outputs, encrypted) |",
        "| --- | --- | ---: | ---: |",
    );
    for (const r of state.resources) {
        out.push(`| ${r.name} | \`${r.type}\` | ${r.bytes} | ${r.providerBytes} |`);
    }
    return out;
}

function renderChangefeed(result: ChangefeedBenchResult): string[] {
    return [
        `### Changefeed (CockroachDB test server, n = ${result.repetitions})`,
        "",
        "| figure | median |",
        "| --- | ---: |",
        `| create: provider create start → job \`running\` | ${formatMs(result.createToRunningMs)} ms |`,
        `| update (pause → alter → resume): time until \`running\` again | ${formatMs(result.updateMs)} ms |`,
        `| rows written during the update, delayed beyond the steady-state latency | ${result.rowsDelayed} of ${result.rowsWritten} |`,
        `| worst row delivery delay during the update / steady state | ${formatMs(result.maxDelayDuringUpdateMs)} / ${formatMs(result.steadyMaxDelayMs)} ms |`,
        `| rows lost | ${result.rowsLost} |`,
    ];
}
