/**
 * What a preview shows for Changefeed (pure, offline): the steps `plan.ts` makes — the same ones
 * `apply/` runs — rendered. The sink URI appears only as
 * `webhook-https://host:port/path?ca_cert=<redacted>…`, the auth header as `<redacted>`; the
 * values resolved only at apply (cursor, current user, new job id) as `<…, resolved at apply>`.
 * Inputs not known yet (values of other resources) render as unknown.
 */
import { describeServer } from "../cockroach";
import {
    describedStep,
    previewLoggers,
    type PlannedStatement,
    UNKNOWN_TEXT,
} from "../kernel/previewSql";
import { containsUnknown, UNKNOWN } from "../kernel/unknown";
import { verificationOf } from "./delivery";
import { DEFAULT_WAIT_FOR_RUNNING_SECONDS } from "./options";
import {
    defaultDatabase,
    type FeedView,
    planCreate,
    planUpdate,
    redactedSinkUri,
    type Step,
} from "./plan";
import { describeSink, parseWebhookUrl, secretsOf, sinkUriOf } from "./sink";
import { REDACTED_SQL } from "./sql";
import { resolveTable, type TableRef } from "./tables";
import type { ChangefeedInputs, ChangefeedOutputs } from "./types";

/** `Changefeed host:port/db → sink-host:port/path` (no credentials, no TLS material). */
export function previewLabel(inputs: Pick<ChangefeedInputs, "connection" | "webhookUrl">): string {
    const server =
        typeof inputs.connection === "string" && inputs.connection !== UNKNOWN
            ? describeServer(inputs.connection)
            : UNKNOWN_TEXT;
    return `Changefeed ${server} → ${sinkDescription(inputs.webhookUrl)}`;
}

function sinkDescription(webhookUrl: unknown): string {
    if (typeof webhookUrl !== "string" || webhookUrl === UNKNOWN) return UNKNOWN_TEXT;
    const parsed = parseWebhookUrl(webhookUrl);
    return "problem" in parsed ? "<invalid webhookUrl>" : describeSink(parsed);
}

/** Tables as the plan renders them; an entry (or list) not known yet renders as unknown. */
function previewTables(tables: unknown, database: string): TableRef[] {
    const unknownRef = (): TableRef => ({
        database: "",
        schema: "",
        table: "",
        key: UNKNOWN,
        sql: UNKNOWN_TEXT,
    });
    if (!Array.isArray(tables)) return [unknownRef()];
    return tables.flatMap((text: unknown) => {
        if (text === UNKNOWN || typeof text !== "string") return [unknownRef()];
        const ref = resolveTable(text, database);
        return ref ? [ref] : [];
    });
}

/**
 * The plan's view of inputs that `check` has not parsed (a preview runs on what it is given):
 * parts not known yet render as unknown instead of breaking the plan.
 */
export function previewView(inputs: ChangefeedInputs): FeedView {
    const url =
        typeof inputs.webhookUrl === "string" &&
        inputs.webhookUrl !== UNKNOWN &&
        !("problem" in parseWebhookUrl(inputs.webhookUrl))
            ? inputs.webhookUrl
            : UNKNOWN_TEXT;
    let sinkUri: string;
    try {
        sinkUri = sinkUriOf(inputs);
    } catch {
        // not known yet: a preview never binds it, only shows it
        sinkUri = REDACTED_SQL;
    }
    const database = typeof inputs.connection === "string" ? defaultDatabase(inputs) : "defaultdb";
    const verify = verificationOf(inputs);
    return {
        inputs: {
            ...inputs,
            options: (inputs.options as unknown) === UNKNOWN ? { [UNKNOWN]: true } : inputs.options,
            webhookSinkConfig:
                inputs.webhookSinkConfig === UNKNOWN
                    ? JSON.stringify(UNKNOWN)
                    : inputs.webhookSinkConfig,
        },
        tables: previewTables(inputs.tables, database),
        sink: { secret: sinkUri, shown: `'${redactedSinkUri(inputs, url)}'` },
        sinkLabel: sinkDescription(inputs.webhookUrl),
        exclusive: inputs.exclusive !== false,
        verify,
        waitSeconds: inputs.waitForRunningSeconds ?? DEFAULT_WAIT_FOR_RUNNING_SECONDS,
    };
}

/** A step as a preview prints it. */
export function renderStep(step: Step): PlannedStatement {
    if ("describe" in step) return describedStep(step.describe, step.note);
    const sql = step.sql.show();
    return step.note === undefined ? { sql } : { sql, note: step.note };
}

/** The SQL `create` runs (or, with `adoptJobId`, the take-over of that job). */
export function plannedCreateSql(inputs: ChangefeedInputs): PlannedStatement[] {
    const adopt =
        typeof inputs.adoptJobId === "string" && inputs.adoptJobId !== UNKNOWN
            ? inputs.adoptJobId
            : undefined;
    return planCreate(previewView(inputs), adopt).steps.map(renderStep);
}

/** The SQL `update` runs; empty when the job is not touched. */
export function plannedUpdateSql(
    olds: ChangefeedOutputs,
    news: ChangefeedInputs,
): PlannedStatement[] {
    const tablesUnknown = containsUnknown(news.tables);
    const view = previewView(tablesUnknown ? { ...news, tables: olds.tables } : news);
    return planUpdate(olds, view, tablesUnknown).map(renderStep);
}

/** The hooks the provider calls from `check` and `diff`. */
export const { logCreatePreview, logDiffPreview, noteRead, logRefreshPreview } = previewLoggers<
    ChangefeedInputs,
    ChangefeedOutputs
>({
    label: (news) => previewLabel(news),
    create: plannedCreateSql,
    update: plannedUpdateSql,
    replacement: (olds) => [
        describedStep(`replacement: CANCEL JOB ${olds.jobId} first (delete before replace), then:`),
    ],
    secrets: (values) => secretsOf(values as ChangefeedInputs),
});
