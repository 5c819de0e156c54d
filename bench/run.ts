/**
 * Benchmark entry point: `npm run bench` (= `node --import tsx bench/run.ts`).
 *
 *   --short                 CI mode: 100-table schemas, few repetitions, minimal preview
 *                           (see bench/README.md)
 *   --only a,b              suites to run: grants, scale, sizes, preview, changefeed (default: all)
 *   --tables 100,1000       schema sizes for the grants and scale suites
 *   --reps N                timed repetitions per measurement (overrides the defaults)
 *
 * Prints Markdown tables and writes bench/results/latest.json and latest.md (git-ignored).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runGrantsBench } from "./grants/grantsBench";
import { runPreviewBench } from "./engine/previewBench";
import { runScaleBench } from "./scale/scaleBench";
import { measureProviderSizes } from "./sizes/providerSizes";
import { type BenchResults, renderReport } from "./lib/report";

export type Suite = "grants" | "scale" | "sizes" | "preview" | "changefeed";
const ALL_SUITES: readonly Suite[] = ["grants", "scale", "sizes", "preview", "changefeed"];
const DEFAULT_SUITES: readonly Suite[] = ALL_SUITES;

export interface BenchOptions {
    short: boolean;
    suites: readonly Suite[];
    tableCounts: readonly number[];
    /** Overrides every default repetition count when set. */
    reps?: number;
    log: (line: string) => void;
}

/** Parses command-line arguments (see the header comment). */
export function parseArgs(argv: readonly string[]): BenchOptions {
    const options: BenchOptions = {
        short: false,
        suites: DEFAULT_SUITES,
        tableCounts: [100, 1000, 10_000],
        log: (line) => console.error(`# ${line}`),
    };
    let tablesGiven = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${arg} needs a value`);
            return v;
        };
        if (arg === "--short") options.short = true;
        else if (arg === "--only") {
            const suites = value().split(",");
            for (const s of suites) {
                if (!ALL_SUITES.includes(s as Suite)) {
                    throw new Error(`unknown suite ${s}; one of ${ALL_SUITES.join(", ")}`);
                }
            }
            options.suites = suites as Suite[];
        } else if (arg === "--tables") {
            options.tableCounts = value().split(",").map(Number);
            tablesGiven = true;
        } else if (arg === "--reps") options.reps = Number(value());
        else throw new Error(`unknown argument ${arg}`);
    }
    if (options.short && !tablesGiven) options.tableCounts = [100];
    return options;
}

/** Default timed repetitions for a grants case of `tables` tables. */
function grantsRepetitions(options: BenchOptions, tables: number): number {
    if (options.reps !== undefined) return options.reps;
    if (options.short) return 3;
    return tables >= 10_000 ? 5 : tables >= 1000 ? 7 : 9;
}

/** Runs the suites asked for and returns every figure. */
export async function runBenchmarks(options: BenchOptions, command: string): Promise<BenchResults> {
    const results: BenchResults = {
        command,
        startedAt: new Date().toISOString(),
        host: { cpus: os.cpus().length, node: process.version },
    };
    const log = options.log;
    if (options.suites.includes("sizes")) {
        log("sizes: serializing every exported provider");
        results.sizes = await measureProviderSizes();
    }
    if (options.suites.includes("grants")) {
        // In short mode a 10-table schema is added for round-trip counting only (not timed), so
        // "refresh round trips do not depend on the table count" is checked in CI too.
        const extra = options.short ? [10] : [];
        results.grants = await runGrantsBench({
            tableCounts: [...extra, ...options.tableCounts],
            repetitions: (tables) =>
                extra.includes(tables) && !options.tableCounts.includes(tables)
                    ? 0
                    : grantsRepetitions(options, tables),
            log,
        });
    }
    if (options.suites.includes("scale")) {
        results.scale = await runScaleBench({ tableCounts: options.tableCounts, log });
    }
    if (options.suites.includes("preview")) {
        results.preview = await runPreviewBench({
            repetitions: options.reps ?? (options.short ? 1 : 5),
            warmup: options.short ? 0 : 1,
            mode: options.short ? "minimal" : "full",
            log,
        });
    }
    if (options.suites.includes("changefeed")) {
        const { runChangefeedBench } = await import("./changefeed/changefeedBench");
        results.changefeed = await runChangefeedBench({
            repetitions: options.reps ?? (options.short ? 1 : 3),
            log,
        });
    }
    return results;
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const options = parseArgs(argv);
    const command = ["npm run bench", ...(argv.length ? ["--", ...argv] : [])].join(" ");
    const results = await runBenchmarks(options, command);
    const report = renderReport(results);
    console.log(report);
    const dir = path.join(__dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify(results, null, 2));
    fs.writeFileSync(path.join(dir, "latest.md"), report);
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(err);
        process.exit(1);
    });
}
