/**
 * The SQL a `pulumi preview` shows. `check` and `diff` never touch a database, so a plan holds
 * what follows from the inputs and the prior state; whatever depends on the catalog is marked
 * {@link RESOLVED_AT_APPLY}, and inputs that are not known yet are shown as {@link UNKNOWN_TEXT}.
 *
 * Nothing secret may reach a plan: statements carry `<redacted>` where a secret would go, the
 * resource is named by its server (`host:port/db`) and never by its connection string, and
 * {@link formatPlannedSql} scrubs the given secrets once more before anything is printed.
 */
import type * as pulumiTypes from "@pulumi/pulumi";

import { previewTextFor, withinLimits } from "./previewSummary";
import { redactUrlsIn, scrubSecrets } from "./redact";
import { UNKNOWN } from "./unknown";

/** One statement a resource plans to run, with an optional remark shown after it. */
export interface PlannedStatement {
    /**
     * The statement text; a `;` is appended unless it ends with one (a PL/SQL block). Text
     * starting with `--` is a step that is described rather than spelled out (a catalog read, a
     * wait) and is printed as is.
     */
    sql: string;
    /** Why the statement runs, or when it is skipped (shown as a trailing `-- note`). */
    note?: string;
}

/** Marks a part of a statement that depends on the catalog (read when the change is applied). */
export const RESOLVED_AT_APPLY = "resolved at apply";

/** How an input that is not known yet (preview of a value from another resource) is shown. */
export const UNKNOWN_TEXT = "<unknown until apply>";

/** How a secret is shown in a planned statement. */
export const REDACTED_TEXT = "<redacted>";

/** `<what, resolved at apply>`: a placeholder for a catalog-dependent part of a statement. */
export function resolvedAtApply(what: string): string {
    return `<${what}, ${RESOLVED_AT_APPLY}>`;
}

/** Appends `(resolved at apply)` to a note. */
export function noteResolvedAtApply(note: string): string {
    return `${note} (${RESOLVED_AT_APPLY})`;
}

/** A described step (`-- text`), for work that is not one statement (reads, waits). */
export function describedStep(text: string, note?: string): PlannedStatement {
    return note === undefined ? { sql: `-- ${text}` } : { sql: `-- ${text}`, note };
}

/**
 * Replaces the engine's unknown-value sentinel, also when a renderer quoted it as an identifier
 * (`"…"`, `` `…` ``) or a literal (`'…'`), by {@link UNKNOWN_TEXT}.
 */
export function markUnknown(text: string): string {
    return text
        .split(`"${UNKNOWN}"`)
        .join(UNKNOWN_TEXT)
        .split(`\`${UNKNOWN}\``)
        .join(UNKNOWN_TEXT)
        .split(`'${UNKNOWN}'`)
        .join(`'${UNKNOWN_TEXT}'`)
        .split(UNKNOWN)
        .join(UNKNOWN_TEXT);
}

/** A text value for a label or a statement: the value, or {@link UNKNOWN_TEXT}. */
export function knownOr(value: unknown, fallback = UNKNOWN_TEXT): string {
    return typeof value === "string" && value !== UNKNOWN ? value : fallback;
}

/**
 * The readable block a preview prints:
 * ```
 * planned SQL (ClusterSettings crdb.example:26257/defaultdb):
 *   SET CLUSTER SETTING kv.rangefeed.enabled = true;  -- skipped if …
 * ```
 * Unknown values are marked and every secret in `secrets` is scrubbed from the result.
 */
export function formatPlannedSql(
    resourceLabel: string,
    statements: readonly PlannedStatement[],
    secrets: ReadonlyArray<string | undefined> = [],
    heading: (label: string) => string = (label) => `planned SQL (${label}):`,
): string {
    const lines = statements.map((statement) => {
        const complete = statement.sql.startsWith("--") || statement.sql.endsWith(";");
        const sql = complete ? statement.sql : `${statement.sql};`;
        const indented = sql.split("\n").join("\n    ");
        return statement.note ? `  ${indented}  -- ${statement.note}` : `  ${indented}`;
    });
    const text = markUnknown(`${heading(resourceLabel)}\n${lines.join("\n")}`);
    return scrubSecrets(
        text,
        secrets.filter((s) => typeof s === "string" && s !== UNKNOWN && s.length >= 3),
    );
}

/**
 * Logs the planned SQL of one resource (nothing when `statements` is empty). The text shows up
 * in `pulumi preview` and `pulumi up` output; a block over 200 lines or 20 KB is logged as a
 * summary (see `previewSummary.ts`), and then the full block goes to the engine's debug log
 * (`pulumi up --debug`, `-v`). `log` is replaceable for tests.
 */
export function logPlannedSql(
    resourceLabel: string,
    statements: readonly PlannedStatement[],
    secrets: ReadonlyArray<string | undefined> = [],
    log: (text: string) => void = infoLog,
    heading?: (label: string) => string,
): void {
    if (statements.length === 0) return;
    const full = formatPlannedSql(resourceLabel, statements, secrets, heading);
    log(previewTextFor(full));
    if (log === infoLog && !withinLimits(full)) debugLogChunked(full);
}

/** Largest debug message sent to the engine at once (gRPC messages are limited to 4 MB). */
const DEBUG_CHUNK = 256 * 1024;

function debugLogChunked(text: string): void {
    const pulumi: typeof pulumiTypes = require("@pulumi/pulumi");
    let start = 0;
    while (start < text.length) {
        let end = Math.min(text.length, start + DEBUG_CHUNK);
        const newline = text.lastIndexOf("\n", end);
        if (end < text.length && newline > start) end = newline + 1;
        void pulumi.log.debug(text.slice(start, end));
        start = end;
    }
}

/** The heading of what a refresh found: SQL that only a later `up` would run. */
export function nextUpHeading(label: string): string {
    return `the next \`up\` would run (${label}), unless the program changes:`;
}

/** `pulumi.log.info`, loaded when first used (the engine shows it in preview output). */
function infoLog(text: string): void {
    const pulumi: typeof pulumiTypes = require("@pulumi/pulumi");
    void pulumi.log.info(text);
}

/** Where preview logging reports that it could not render a plan. */
export interface PreviewFailureReport {
    /** The resource the plan was for (a type and server, never a connection string). */
    resource?: string;
    /** Default `pulumi.log.warn`. */
    warn?: (text: string) => void;
}

/**
 * Runs `plan` and logs its result. Preview logging must never fail a `check` or `diff`, so a
 * plan that throws logs no SQL; it is not silent either: a warning names the resource and the
 * error (URLs in it redacted), since a plan that cannot be rendered for inputs `check` accepted
 * is a bug in this package.
 */
export function logPlanSafely(
    plan: () => { label: string; statements: PlannedStatement[]; secrets: string[] },
    log?: (text: string) => void,
    heading?: (label: string) => string,
    report: PreviewFailureReport = {},
): void {
    let rendered: { label: string; statements: PlannedStatement[]; secrets: string[] };
    try {
        rendered = plan();
    } catch (err) {
        const reason = redactUrlsIn(err instanceof Error ? err.message : String(err));
        (report.warn ?? warnLog)(
            `the planned SQL of ${report.resource ?? "a resource"} could not be shown (${reason}); ` +
                "the change itself is not affected. Please report this as a bug.",
        );
        return;
    }
    logPlannedSql(rendered.label, rendered.statements, rendered.secrets, log, heading);
}

/** `pulumi.log.warn`, loaded when first used. */
function warnLog(text: string): void {
    const pulumi: typeof pulumiTypes = require("@pulumi/pulumi");
    void pulumi.log.warn(text);
}

/** True when `olds` holds no prior inputs, i.e. `check` runs for a resource to be created. */
export function isNewResource(olds: unknown): boolean {
    return (
        olds === undefined ||
        olds === null ||
        (typeof olds === "object" && Object.keys(olds as object).length === 0)
    );
}

/** What a resource's preview needs to plan its SQL from inputs and prior state, offline. */
export interface PreviewPlanner<Inputs, State> {
    /** Which server (and target) the statements run on, without credentials. */
    label(news: Inputs, olds?: State): string;
    /** The statements `create` runs. */
    create(news: Inputs): PlannedStatement[];
    /** The statements an in-place `update` runs. */
    update(olds: State, news: Inputs): PlannedStatement[];
    /** What happens to the old resource before the create of a replacement. */
    replacement(olds: State): PlannedStatement[];
    /** Secret values that must not appear in the logged text. */
    secrets(values: Inputs | State): string[];
}

/**
 * The log hooks a provider calls from `check` (creates), `diff` (updates, replacements) and
 * `read` (refresh).
 *
 * `pulumi refresh` calls `read` and then `diff` without running the program: whatever `diff`
 * would log there is not going to run. So `read` calls {@link PreviewLoggers.noteRead}, after
 * which `diff` logs nothing until the next `check` (which only an `up`/`preview` calls, also
 * after `--refresh`), and `read` logs what the next `up` would do with
 * {@link PreviewLoggers.logRefreshPreview}, labelled as such.
 */
export interface PreviewLoggers {
    /** A `read` ran in this provider process (a refresh): `diff` stays silent until a `check`. */
    noteRead(): void;
    /** Logs, labelled "the next `up` would run", what an update from `refreshed` to `inputs` runs. */
    logRefreshPreview(refreshed: unknown, inputs: unknown, log?: (text: string) => void): void;
    logCreatePreview(
        olds: unknown,
        news: Record<string, unknown>,
        log?: (text: string) => void,
    ): void;
    logDiffPreview(
        olds: unknown,
        news: unknown,
        result: { changes?: boolean; replaces?: string[] },
        log?: (text: string) => void,
    ): void;
}

/**
 * Builds a provider's preview log hooks. `check` runs for every resource in a preview, `diff`
 * only for resources that exist, so a create's SQL is logged from `check` (when there is no
 * prior state) and an update's or a replacement's from `diff`. `log` defaults to
 * `pulumi.log.info`.
 */
export function previewLoggers<Inputs, State>(
    planner: PreviewPlanner<Inputs, State>,
): PreviewLoggers {
    let refreshing = false;
    return {
        noteRead() {
            refreshing = true;
        },
        logRefreshPreview(refreshed, inputs, log) {
            const before = refreshed as State;
            const after = inputs as Inputs;
            logPlanSafely(
                () => ({
                    label: planner.label(after, before),
                    statements: planner.update(before, after),
                    secrets: [...planner.secrets(before), ...planner.secrets(after)],
                }),
                log,
                nextUpHeading,
                reportFor(planner, after, before),
            );
        },
        logCreatePreview(olds, news, log) {
            refreshing = false;
            if (!isNewResource(olds)) return;
            const inputs = news as unknown as Inputs;
            logPlanSafely(
                () => ({
                    label: planner.label(inputs),
                    statements: planner.create(inputs),
                    secrets: planner.secrets(inputs),
                }),
                log,
                undefined,
                reportFor(planner, inputs),
            );
        },
        logDiffPreview(olds, news, result, log) {
            if (!result.changes || refreshing) return;
            const before = olds as State;
            const after = news as Inputs;
            const replacing = (result.replaces?.length ?? 0) > 0;
            logPlanSafely(
                () => ({
                    label: planner.label(after, before),
                    statements: replacing
                        ? [...planner.replacement(before), ...planner.create(after)]
                        : planner.update(before, after),
                    secrets: [...planner.secrets(before), ...planner.secrets(after)],
                }),
                log,
                undefined,
                reportFor(planner, after, before),
            );
        },
    };
}

/** Names the resource in a preview failure by its label, when even that can be rendered. */
function reportFor<Inputs, State>(
    planner: PreviewPlanner<Inputs, State>,
    news: Inputs,
    olds?: State,
): PreviewFailureReport {
    try {
        return { resource: planner.label(news, olds) };
    } catch {
        return {};
    }
}
