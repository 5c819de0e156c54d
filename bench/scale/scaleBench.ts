/**
 * How big one TargetGrants resource gets at N tables: bytes it keeps in state, and lines and
 * bytes of its preview, on real PostgreSQL and MariaDB schemas.
 *
 * - **State**: the resource's inputs plus the outputs its provider returns after `create` and a
 *   `read` (refresh), as JSON — what Pulumi stores for it apart from the serialized provider
 *   (`__provider`, ≈ 4.9 KB, see the sizes suite) and the encryption of the secret connection.
 *   Measured twice: with the recorded lists plain (state version 1) and as the provider stores
 *   them (version 2: grouped above 1,000 entries, see `stateCodec.ts`).
 * - **Preview**: the block `pulumi preview` prints for a create, and for an update that drops
 *   one privilege from the refreshed resource — the full SQL and the summary
 *   (`summarizePreview`), in lines and bytes.
 */
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { DEFAULT_SESSION_OPTIONS } from "../../src/providers/targets/session";
import type { TargetGrantsInputs } from "../../src/providers/targetGrants/types";
import {
    type TargetGrantsPreviewState,
    plannedCreateSql,
    plannedUpdateSql,
} from "../../src/providers/targetGrants/preview";
import { fromStoredOutputs, toStoredOutputs } from "../../src/providers/targetGrants/storedOutputs";
import { formatPlannedSql } from "../../src/providers/kernel/previewSql";
import { summarizePreview } from "../../src/providers/kernel/previewSummary";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, requireService } from "../../test/support/services";
import { createMariadbFixture, createPostgresFixture, withDatabase } from "../grants/fixtures";

export type ScaleCase = "postgres-schema" | "postgres-tables" | "mariadb-db" | "mariadb-tables";
export const SCALE_CASES: readonly ScaleCase[] = [
    "postgres-schema",
    "postgres-tables",
    "mariadb-db",
    "mariadb-tables",
];

export const SCALE_LABEL: Record<ScaleCase, string> = {
    "postgres-schema": "PostgreSQL, whole schema (+ default privileges)",
    "postgres-tables": "PostgreSQL, explicit table list",
    "mariadb-db": "MariaDB, db.* grant",
    "mariadb-tables": "MariaDB, explicit table list",
};

/** Lines and bytes of one preview block. */
export interface PreviewSize {
    lines: number;
    bytes: number;
}

export interface ScaleFigures {
    case: ScaleCase;
    tables: number;
    /** Pairs in `granted` after create. */
    pairs: number;
    /** Inputs + outputs JSON, lists plain (state version 1). */
    statePlainBytes: number;
    /** Inputs + outputs JSON, lists as the state codec stores them. */
    stateBytes: number;
    /** Of which inputs (an explicit table list is there once, whatever the codec does). */
    inputBytes: number;
    createFull: PreviewSize;
    createSummary: PreviewSize;
    updateFull: PreviewSize;
    updateSummary: PreviewSize;
}

export interface ScaleBenchResult {
    figures: ScaleFigures[];
}

export const STATE_TARGET_BYTES = 256 * 1024;
export const PREVIEW_TARGET = { lines: 200, bytes: 20 * 1024 } as const;

function sizeOf(text: string): PreviewSize {
    return { lines: text.split("\n").length, bytes: Buffer.byteLength(text, "utf8") };
}

function bytes(value: unknown): number {
    return Buffer.byteLength(JSON.stringify(value), "utf8");
}

async function measure(
    kind: ScaleCase,
    tables: number,
    inputs: TargetGrantsInputs,
): Promise<ScaleFigures> {
    // Sizes, not times, are measured: a loaded machine must not time out 10,000 MariaDB GRANTs.
    const provider = makeTargetGrantsProvider({
        sessionOptions: { ...DEFAULT_SESSION_OPTIONS, statementTimeoutMs: 600_000 },
    });
    const created = await provider.create(inputs);
    try {
        const read = await provider.read(created.id, created.outs);
        // What the provider returns is what Pulumi stores; plain = the lists as version 1 kept them.
        const storedOuts = read.props as Record<string, unknown>;
        const outs = fromStoredOutputs<Record<string, unknown>>(storedOuts);
        const label = "TargetGrants bench";
        const render = (statements: Parameters<typeof formatPlannedSql>[1]) => {
            const full = formatPlannedSql(label, statements, [inputs.connection as string]);
            return { full: sizeOf(full), summary: sizeOf(summarizePreview(full)) };
        };
        const create = render(plannedCreateSql(inputs));
        const update = render(
            plannedUpdateSql(outs as unknown as TargetGrantsPreviewState, {
                ...inputs,
                privileges: ["SELECT", "INSERT", "UPDATE"],
            }),
        );
        const inputBytes = bytes(inputs);
        return {
            case: kind,
            tables,
            pairs: fromStoredOutputs<{ granted: unknown[] }>(created.outs).granted.length,
            statePlainBytes: inputBytes + bytes(outs),
            stateBytes: inputBytes + bytes(toStoredOutputs(storedOuts)),
            inputBytes,
            createFull: create.full,
            createSummary: create.summary,
            updateFull: update.full,
            updateSummary: update.summary,
        };
    } finally {
        await provider.delete(created.id, created.outs);
    }
}

/** Runs the cases at each table count (one fixture per server and size, shared by its cases). */
export async function runScaleBench(options: {
    tableCounts: readonly number[];
    cases?: readonly ScaleCase[];
    log?: (line: string) => void;
}): Promise<ScaleBenchResult> {
    const cases = options.cases ?? SCALE_CASES;
    const log = options.log ?? (() => {});
    const figures: ScaleFigures[] = [];
    for (const tables of options.tableCounts) {
        if (cases.some((c) => c.startsWith("postgres"))) {
            await requireService("postgres", POSTGRES_ADMIN_URL);
            log(`scale: PostgreSQL fixture of ${tables} tables`);
            const f = await createPostgresFixture(tables);
            try {
                const base = { connection: f.url, grantee: f.grantee, schema: f.schema };
                const names = Array.from({ length: tables }, (_, i) => `t${i + 1}`);
                for (const kind of cases.filter((c) => c.startsWith("postgres"))) {
                    log(`scale: ${kind} at ${tables} tables`);
                    const inputs = kind === "postgres-tables" ? { ...base, tables: names } : base;
                    figures.push(await measure(kind, tables, inputs));
                    log(`scale: ${JSON.stringify(figures[figures.length - 1])}`);
                }
            } finally {
                await f.drop();
            }
        }
        if (cases.some((c) => c.startsWith("mariadb"))) {
            await requireService("mariadb", MARIADB_ADMIN_URL);
            log(`scale: MariaDB fixture of ${tables} tables`);
            const f = await createMariadbFixture(tables);
            try {
                const base = {
                    connection: withDatabase(MARIADB_ADMIN_URL, f.database),
                    grantee: f.user,
                    schema: f.database,
                };
                for (const kind of cases.filter((c) => c.startsWith("mariadb"))) {
                    log(`scale: ${kind} at ${tables} tables`);
                    const inputs = kind === "mariadb-tables" ? { ...base, tables: f.tables } : base;
                    figures.push(await measure(kind, tables, inputs));
                    log(`scale: ${JSON.stringify(figures[figures.length - 1])}`);
                }
            } finally {
                await f.drop();
            }
        }
    }
    return { figures };
}

function kb(value: number): string {
    return value < 1024 ? `${value} B` : `${(value / 1024).toFixed(1)} KB`;
}

const over = (bad: boolean) => (bad ? " ✗" : "");

function preview(size: PreviewSize, check: boolean): string {
    const bad = check && (size.lines > PREVIEW_TARGET.lines || size.bytes > PREVIEW_TARGET.bytes);
    return `${size.lines} / ${kb(size.bytes)}${over(bad)}`;
}

/** Markdown tables of the results. */
export function renderScale(result: ScaleBenchResult): string[] {
    const out = [
        `#### TargetGrants state and preview per resource (targets: state ≤ ${kb(STATE_TARGET_BYTES)}, preview ≤ ${PREVIEW_TARGET.lines} lines and ≤ ${kb(PREVIEW_TARGET.bytes)})`,
        "",
        "State = inputs + outputs JSON without `__provider` (≈ 4.9 KB more). Preview = lines / bytes of the printed block.",
        "",
        "| case | tables | pairs | state, lists plain (v1) | state (v2) | of which inputs | create preview: full | create preview: printed | update preview: full | update preview: printed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ];
    for (const f of result.figures) {
        out.push(
            `| ${SCALE_LABEL[f.case]} | ${f.tables} | ${f.pairs} | ${kb(f.statePlainBytes)} | ` +
                `${kb(f.stateBytes)}${over(f.stateBytes > STATE_TARGET_BYTES)} | ${kb(f.inputBytes)} | ` +
                `${preview(f.createFull, false)} | ${preview(f.createSummary, true)} | ` +
                `${preview(f.updateFull, false)} | ${preview(f.updateSummary, true)} |`,
        );
    }
    return out;
}

if (require.main === module) {
    const i = process.argv.indexOf("--tables");
    const tableCounts = (i > 0 ? process.argv[i + 1]! : "100,1000,10000").split(",").map(Number);
    runScaleBench({ tableCounts, log: (line) => console.error(`# ${line}`) })
        .then((result) => console.log(renderScale(result).join("\n")))
        .catch((err: unknown) => {
            console.error(err);
            process.exitCode = 1;
        });
}
