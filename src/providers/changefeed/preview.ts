/**
 * The SQL a preview shows for Changefeed (pure, offline), rendered by `sql.ts` from the same
 * options and tables `create`/`update` use. The sink URI appears only as
 * `webhook-https://host:port/path?ca_cert=<redacted>…`, the auth header as `<redacted>`; the
 * job id of a new job, the default cursor and the user's privileges are resolved at apply.
 */
import {
    describedStep,
    previewLoggers,
    noteResolvedAtApply,
    type PlannedStatement,
    REDACTED_TEXT,
    resolvedAtApply,
    UNKNOWN_TEXT,
} from "../kernel/previewSql";
import { containsUnknown, UNKNOWN } from "../kernel/unknown";
import { describeServer } from "../cockroach";
import { deliveryPartition, latestCheckpointQuery, verificationOf } from "./delivery";
import { alterableOptions, createOptions, DEFAULT_WAIT_FOR_RUNNING_SECONDS } from "./options";
import { defaultDatabase, needsRecreate, planAlter, recreateCursor, secretsOf } from "./plan";
import { describeSink, parseWebhookUrl, sameSink, sinkIdentityOf } from "./sink";
import {
    alterChangefeed,
    alterPlanIsEmpty,
    createChangefeed,
    pauseJob,
    resumeJob,
    SELECT_CLUSTER_ID,
    SELECT_CLUSTER_LOGICAL_TIMESTAMP,
    SELECT_CURRENT_USER,
    SELECT_IS_ADMIN,
    SHOW_CHANGEFEED_JOBS,
    showChangefeedJob,
    showGrantsOnTables,
    showSystemGrants,
} from "./sql";
import { resolveTable, type TableRef } from "./tables";
import type { ChangefeedInputs, ChangefeedOutputs } from "./types";

const NEW_JOB = resolvedAtApply("new job id");

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

/** The sink URI as a preview shows it: the webhook URL, every TLS parameter redacted. */
export function redactedSinkUri(inputs: ChangefeedInputs): string {
    const url =
        typeof inputs.webhookUrl === "string" &&
        inputs.webhookUrl !== UNKNOWN &&
        !("problem" in parseWebhookUrl(inputs.webhookUrl))
            ? inputs.webhookUrl
            : UNKNOWN_TEXT;
    const params = ["ca_cert"];
    if (inputs.clientCertPem) params.push("client_cert");
    if (inputs.clientKeyPem) params.push("client_key");
    return `webhook-${url}?${params.map((p) => `${p}=${REDACTED_TEXT}`).join("&")}`;
}

/** Tables as `sql.ts` renders them; an entry (or list) not known yet renders as unknown. */
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
 * Inputs whose unknown parts render as unknown instead of breaking a renderer: a whole
 * `options` map or `webhookSinkConfig` that is not known yet.
 */
function renderable(inputs: ChangefeedInputs): ChangefeedInputs {
    return {
        ...inputs,
        options: (inputs.options as unknown) === UNKNOWN ? { [UNKNOWN]: true } : inputs.options,
        webhookSinkConfig:
            inputs.webhookSinkConfig === UNKNOWN
                ? JSON.stringify(UNKNOWN)
                : inputs.webhookSinkConfig,
    };
}

function databaseOf(inputs: ChangefeedInputs): string {
    return typeof inputs.connection === "string" ? defaultDatabase(inputs) : "defaultdb";
}

/** Replaces the sink's `<redacted>` right after `prefix` by the redacted sink description. */
function showSink(preview: string, prefix: string, inputs: ChangefeedInputs): string {
    const redacted = `${prefix}${REDACTED_TEXT}`;
    if (!preview.startsWith(redacted)) return preview;
    return `${prefix}'${redactedSinkUri(inputs)}'${preview.slice(redacted.length)}`;
}

/** `CREATE CHANGEFEED …` from `cursor`, with the sink shown redacted. */
function createStatement(inputs: ChangefeedInputs, cursor: string): string {
    const tables = previewTables(inputs.tables, databaseOf(inputs));
    const preview = createChangefeed(
        tables,
        REDACTED_TEXT,
        createOptions(renderable(inputs), cursor),
    ).preview;
    const prefix = `CREATE CHANGEFEED FOR TABLE ${tables.map((t) => t.sql).join(", ")} INTO `;
    return showSink(preview, prefix, inputs);
}

/** The privilege reads `create` runs before anything else. */
function privilegeReads(inputs: ChangefeedInputs): PlannedStatement[] {
    const user = resolvedAtApply("current user");
    const tables = previewTables(inputs.tables, databaseOf(inputs));
    return [
        { sql: SELECT_CURRENT_USER },
        {
            sql: SELECT_IS_ADMIN,
            note: "an admin has every privilege: the two reads below are skipped",
        },
        {
            sql: showGrantsOnTables(tables, user),
            note: "needs CHANGEFEED on every table",
        },
        {
            sql: showSystemGrants(user),
            note: "needs VIEWJOB for the exclusive check, CONTROLJOB to adopt a job",
        },
    ];
}

function exclusiveRead(inputs: ChangefeedInputs): PlannedStatement[] {
    if (inputs.exclusive === false) return [];
    return [
        {
            sql: SHOW_CHANGEFEED_JOBS,
            note: `refuses if another active changefeed delivers to ${sinkDescription(inputs.webhookUrl)}`,
        },
    ];
}

/** Starting a job from `cursor`: the statement, the wait, and delivery verification if asked. */
function startSteps(
    inputs: ChangefeedInputs,
    cursor: string,
    note = "the job is cancelled again if it does not come up",
): PlannedStatement[] {
    const verify = verificationOf(inputs);
    const steps: PlannedStatement[] = [];
    if (verify && !containsUnknown(verify)) {
        steps.push({
            sql: latestCheckpointQuery(verify.stagingSchema),
            note: `on the staging cluster, $1 = '${deliveryPartition(verify.targetSchema)}': the baseline for proof of delivery`,
        });
    }
    steps.push({ sql: createStatement(inputs, cursor), note });
    const seconds = inputs.waitForRunningSeconds ?? DEFAULT_WAIT_FOR_RUNNING_SECONDS;
    steps.push(
        describedStep(
            verify
                ? `wait until the replicator has applied a newer checkpoint to the target (target_applied_at set; SHOW CHANGEFEED JOB ${NEW_JOB})`
                : `wait up to ${seconds} s until the job runs without error (SHOW CHANGEFEED JOB ${NEW_JOB})`,
        ),
    );
    if (!verify) {
        steps.push(
            describedStep(
                "delivery will NOT be verified: `running` and the high-water advance while the sink rejects " +
                    "every request, and running_status may show the error only after a minute (outputs: deliveryVerified: false)",
            ),
        );
    }
    return steps;
}

/** The SQL `create` runs (or, with `adoptJobId`, the take-over of that job). */
export function plannedCreateSql(inputs: ChangefeedInputs): PlannedStatement[] {
    const steps: PlannedStatement[] = [{ sql: SELECT_CLUSTER_ID }, ...privilegeReads(inputs)];
    if (typeof inputs.adoptJobId === "string" && inputs.adoptJobId !== UNKNOWN) {
        const jobId = inputs.adoptJobId;
        const alter = alterWithSink(jobId, inputs, {
            add: [],
            addInitialScan: false,
            drop: [],
            sink: REDACTED_TEXT,
            set: alterableOptions(renderable(inputs)),
            unset: [],
        });
        return [
            ...steps,
            { sql: showChangefeedJob(jobId), note: "must run to the same sink and tables" },
            ...exclusiveRead(inputs),
            ...pauseAlterResume(jobId, alter),
        ];
    }
    steps.push(...exclusiveRead(inputs));
    let cursor: string;
    if (inputs.cursor === undefined || inputs.cursor === null) {
        steps.push({ sql: SELECT_CLUSTER_LOGICAL_TIMESTAMP, note: "the cursor" });
        cursor = resolvedAtApply("cluster_logical_timestamp()");
    } else {
        cursor = inputs.cursor;
    }
    return [...steps, ...startSteps(inputs, cursor)];
}

/** True when the new sink is another host/port/path (update then re-checks exclusivity). */
function sinkMoves(olds: ChangefeedOutputs, news: ChangefeedInputs): boolean {
    if (typeof news.webhookUrl !== "string" || news.webhookUrl === UNKNOWN) return true;
    const next = parseWebhookUrl(news.webhookUrl);
    return "problem" in next || !sameSink(sinkIdentityOf(olds.sinkUri), next);
}

/** `ALTER CHANGEFEED …` with the sink (when it changes) shown redacted. */
function alterWithSink(
    jobId: string,
    inputs: ChangefeedInputs,
    plan: Parameters<typeof alterChangefeed>[1],
): string {
    const preview = alterChangefeed(jobId, plan).preview;
    if (plan.sink === undefined) return preview;
    const head = alterChangefeed(jobId, { ...plan, sink: undefined, set: [], unset: [] }).preview;
    return showSink(preview, `${head} SET sink = `, inputs);
}

function pauseAlterResume(jobId: string, alter: string): PlannedStatement[] {
    return [
        { sql: pauseJob(jobId) },
        describedStep(`wait until job ${jobId} is paused`),
        { sql: alter, note: "keeps the job's high-water mark" },
        {
            sql: resumeJob(jobId),
            note: "not resumed if an operator had paused the job (resolved at apply)",
        },
        describedStep(`wait until job ${jobId} runs without error`),
    ];
}

/**
 * The SQL `update` runs: PAUSE → ALTER → RESUME on the running job, or a new job from the
 * stored high-water mark when the job failed or was cancelled. Empty when the job is not
 * touched.
 */
export function plannedUpdateSql(
    olds: ChangefeedOutputs,
    news: ChangefeedInputs,
): PlannedStatement[] {
    const reads: PlannedStatement[] = [
        { sql: SELECT_CLUSTER_ID, note: "must be the cluster the job runs on" },
        { sql: showChangefeedJob(olds.jobId) },
    ];
    if (needsRecreate(olds.status)) {
        const cursor = recreateCursor(olds) ?? resolvedAtApply("the stored high-water mark");
        return [
            ...reads,
            describedStep(
                `job ${olds.jobId} is ${olds.status ?? "gone"}: a new job starts where it stopped`,
            ),
            ...privilegeReads(news),
            ...exclusiveRead(news),
            ...startSteps(
                news,
                cursor,
                noteResolvedAtApply(
                    "cursor = the stored high-water mark; a later one read from the job wins",
                ),
            ),
        ];
    }
    const tablesUnknown = containsUnknown(news.tables);
    const plan = planAlter(olds, {
        ...renderable(news),
        tables: tablesUnknown ? olds.tables : news.tables,
    });
    const steps: PlannedStatement[] = [];
    if (tablesUnknown) {
        steps.push(describedStep(`tables to ADD/DROP: ${UNKNOWN_TEXT}`));
    } else if (alterPlanIsEmpty(plan)) {
        return [];
    }
    const alter = alterWithSink(olds.jobId, news, plan);
    return [
        ...reads,
        describedStep(
            noteResolvedAtApply(
                "if the job has failed or been cancelled since the last refresh, a new job starts from its high-water mark instead",
            ),
        ),
        ...steps,
        ...(plan.sink !== undefined && sinkMoves(olds, news) ? exclusiveRead(news) : []),
        ...pauseAlterResume(olds.jobId, alter),
    ];
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
