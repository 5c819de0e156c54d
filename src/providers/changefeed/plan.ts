/**
 * Pure planning for Changefeed: the steps of create, update and delete (statements with their
 * bound secrets and the values resolved only at apply, plus the waits as described steps) —
 * `apply/` runs them, `preview.ts` prints them — and the ALTER that takes a running feed from
 * the old inputs to the new.
 */
import { connectionTarget } from "../cockroach";
import { containsUnknown } from "../kernel/unknown";
import { deliveryPartition, latestCheckpointQuery } from "./delivery";
import { alterableOptions, createOptions, optionChanges } from "./options";
import { describeSink, parseWebhookUrl, sameSink, sinkIdentityOf, sinkUriOf } from "./sink";
import {
    type AlterPlan,
    alterChangefeed,
    alterPlanIsEmpty,
    atApplyText,
    cancelJob,
    createChangefeed,
    pauseJob,
    plainSql,
    resumeJob,
    type Secret,
    SELECT_CLUSTER_ID,
    SELECT_CLUSTER_LOGICAL_TIMESTAMP,
    SELECT_CURRENT_USER,
    SELECT_IS_ADMIN,
    SHOW_CHANGEFEED_JOBS,
    showChangefeedJob,
    showGrantsOnTables,
    showSystemGrants,
    Sql,
} from "./sql";
import { resolveTables, type TableRef } from "./tables";
import {
    type AtApply,
    type ChangefeedConfig,
    type ChangefeedInputs,
    type ChangefeedOutputs,
    type DeliveryVerificationInputs,
    FINISHED_STATUSES,
} from "./types";

/** The connection's database (what one- and two-part table names resolve against). */
export function defaultDatabase(inputs: Pick<ChangefeedInputs, "connection">): string {
    return connectionTarget(inputs.connection)?.database ?? "defaultdb";
}

export { sinkUriOf } from "./sink";

/**
 * The ALTER CHANGEFEED that takes a running feed from `olds` to `news` (`newSink`: the sink URI
 * of `news`, when already built).
 */
export function planAlter(
    olds: ChangefeedOutputs,
    news: ChangefeedInputs,
    newSink: string = sinkUriOf(news),
): AlterPlan {
    const database = defaultDatabase(news);
    const before = resolveTables(olds.tables ?? [], database);
    const after = resolveTables(news.tables ?? [], database);
    const beforeKeys = new Set(before.map((t) => t.key));
    const afterKeys = new Set(after.map((t) => t.key));
    const { set, unset } = optionChanges(alterableOptions(olds), alterableOptions(news));
    return {
        add: after.filter((t) => !beforeKeys.has(t.key)),
        addInitialScan: news.addedTablesInitialScan ?? true,
        drop: before.filter((t) => !afterKeys.has(t.key)),
        ...(newSink !== olds.sinkUri ? { sink: newSink } : {}),
        set,
        unset,
    };
}

/** True when the job can never run again and `update` must start a new one. */
export function needsRecreate(status: string | undefined): boolean {
    return status === undefined || FINISHED_STATUSES.has(status);
}

/**
 * The cursor a recreated job starts from: the stored high-water mark (every change at or
 * before it was delivered), else the cursor the old job started from.
 *
 * For a failed job the docs say to start "after the failure event". The high-water is at or
 * before the failure, so starting there re-emits the changes between the last checkpoint and
 * the failure (the replicator applies duplicates idempotently) and loses none; a cursor past
 * the failure could skip changes that were never delivered. If the cause of the failure is
 * still there, the new job fails the same way and the operator sees it, instead of a gap.
 */
export function recreateCursor(olds: ChangefeedOutputs): string {
    return olds.highWaterTimestamp ?? olds.cursor;
}

/** What a plan is made from: the parsed config at apply, the (partly unknown) inputs in a preview. */
export interface FeedView {
    /** Inputs the options are rendered from. */
    inputs: ChangefeedInputs;
    tables: TableRef[];
    /** The sink URI, and how a preview shows it (webhook URL, TLS parameters redacted). */
    sink: Secret;
    /** `host:port/path` of the sink, for notes. */
    sinkLabel: string;
    exclusive: boolean;
    verify: DeliveryVerificationInputs | undefined;
    waitSeconds: number;
}

/** The sink URI as a preview shows it: the webhook URL, every TLS parameter redacted. */
export function redactedSinkUri(inputs: ChangefeedInputs, webhookUrl: string): string {
    const params = ["ca_cert"];
    if (inputs.clientCertPem) params.push("client_cert");
    if (inputs.clientKeyPem) params.push("client_key");
    return `webhook-${webhookUrl}?${params.map((p) => `${p}=<redacted>`).join("&")}`;
}

/** The plan's view of a parsed config. */
export function viewOf(config: ChangefeedConfig): FeedView {
    return {
        inputs: config.inputs,
        tables: config.tables,
        sink: {
            secret: config.sinkUri,
            shown: `'${redactedSinkUri(config.inputs, config.inputs.webhookUrl)}'`,
        },
        sinkLabel: describeSink(config.sink),
        exclusive: config.exclusive,
        verify: config.verify,
        waitSeconds: config.waitMs / 1000,
    };
}

/**
 * One step of a plan: a statement (text, bound secrets, values resolved at apply) or, for work
 * that is not one statement (a wait, a decision taken at apply), a description.
 */
export type Step = { note?: string } & ({ sql: Sql } | { describe: string });

/** Starting a job: its steps, the cursor (given, or the statement that reads it) and the CREATE. */
export interface StartPlan {
    steps: Step[];
    cursor: string | Sql;
    create: Sql;
}

/** Changing a job in place: its steps, and the statements apply runs. */
export interface InPlacePlan {
    steps: Step[];
    pause: Sql;
    alter: Sql;
    resume: Sql;
}

/** Create: its steps, and the start it runs — or the job it adopts. */
export type CreatePlan = { steps: Step[] } & ({ start: StartPlan } | { adopt: string });

/** Delete: its steps, and the CANCEL it runs. */
export interface DeletePlan {
    steps: Step[];
    cancel: Sql;
}

/** The cursor of a new job when none is given: the cluster's time when the job is created. */
export const CURSOR_AT_APPLY: AtApply = { atApply: "cursor", label: "cluster_logical_timestamp()" };
const CURRENT_USER: AtApply = { atApply: "currentUser", label: "current user" };
const NEW_JOB = atApplyText({ label: "new job id" });

/** The privilege reads `create` runs before anything else. */
function privilegeSteps(view: FeedView): Step[] {
    return [
        { sql: plainSql(SELECT_CURRENT_USER) },
        {
            sql: plainSql(SELECT_IS_ADMIN),
            note: "an admin has every privilege: the two reads below are skipped",
        },
        {
            // `showGrantsOnTables(…, "")` ends with `FOR `: the user follows, read at apply.
            sql: new Sql([showGrantsOnTables(view.tables, ""), CURRENT_USER]),
            note: "needs CHANGEFEED on every table",
        },
        {
            sql: new Sql([showSystemGrants(""), CURRENT_USER]),
            note: "needs VIEWJOB for the exclusive check, CONTROLJOB to adopt a job",
        },
    ];
}

function exclusiveSteps(view: FeedView): Step[] {
    if (!view.exclusive) return [];
    return [
        {
            sql: plainSql(SHOW_CHANGEFEED_JOBS),
            note: `refuses if another active changefeed delivers to ${view.sinkLabel}`,
        },
    ];
}

/**
 * Starting a job — shared by create and by update's recreate: the exclusive guard, the cursor
 * (read at apply unless given), the proof baseline, CREATE CHANGEFEED, the wait.
 */
export function planStart(
    view: FeedView,
    cursor: string | AtApply,
    note = "the job is cancelled again if it does not come up",
): StartPlan {
    const steps = exclusiveSteps(view);
    const cursorOf =
        typeof cursor === "string" ? cursor : plainSql(SELECT_CLUSTER_LOGICAL_TIMESTAMP);
    if (typeof cursorOf !== "string") steps.push({ sql: cursorOf, note: "the cursor" });
    const verify = view.verify;
    if (verify && !containsUnknown(verify)) {
        steps.push({
            sql: plainSql(latestCheckpointQuery(verify.stagingSchema)),
            note: `on the staging cluster, $1 = '${deliveryPartition(verify.targetSchema)}': the baseline for proof of delivery`,
        });
    }
    const create = createChangefeed(view.tables, view.sink, createOptions(view.inputs, cursor));
    steps.push({ sql: create, note });
    steps.push({
        describe: verify
            ? `wait until the replicator has applied a newer checkpoint to the target (target_applied_at set; SHOW CHANGEFEED JOB ${NEW_JOB})`
            : `wait up to ${view.waitSeconds} s until the job runs without error (SHOW CHANGEFEED JOB ${NEW_JOB})`,
    });
    if (!verify) {
        steps.push({
            describe:
                "delivery will NOT be verified: `running` and the high-water advance while the sink rejects " +
                "every request, and running_status may show the error only after a minute (outputs: deliveryVerified: false)",
        });
    }
    return { steps, cursor: cursorOf, create };
}

/** PAUSE → ALTER → RESUME of one job (the high-water is kept). */
export function planInPlace(jobId: string, alter: AlterPlan, sinkShown?: string): InPlacePlan {
    const statements = {
        pause: plainSql(pauseJob(jobId)),
        alter: alterChangefeed(jobId, alter, sinkShown),
        resume: plainSql(resumeJob(jobId)),
    };
    const steps: Step[] = [
        { sql: statements.pause },
        { describe: `wait until job ${jobId} is paused` },
        { sql: statements.alter, note: "keeps the job's high-water mark" },
        {
            sql: statements.resume,
            note: "not resumed if an operator had paused the job (resolved at apply)",
        },
        { describe: `wait until job ${jobId} runs without error` },
    ];
    return { steps, ...statements };
}

/** The ALTER that takes over a hand-made job: the sink and every alterable option set. */
export function planAdoption(inputs: ChangefeedInputs, sinkUri: string): AlterPlan {
    return {
        add: [],
        addInitialScan: false,
        drop: [],
        sink: sinkUri,
        set: alterableOptions(inputs),
        unset: [],
    };
}

/** Create: privileges, then a new job (or, with `adoptJobId`, the take-over of that job). */
export function planCreate(view: FeedView, adoptJobId: string | undefined): CreatePlan {
    const steps: Step[] = [{ sql: plainSql(SELECT_CLUSTER_ID) }, ...privilegeSteps(view)];
    if (adoptJobId !== undefined) {
        const alter = planAdoption(view.inputs, view.sink.secret);
        steps.push(
            {
                sql: plainSql(showChangefeedJob(adoptJobId)),
                note: "must run to the same sink and tables",
            },
            ...exclusiveSteps(view),
            ...planInPlace(adoptJobId, alter, view.sink.shown).steps,
        );
        return { steps, adopt: adoptJobId };
    }
    const start = planStart(view, view.inputs.cursor ?? CURSOR_AT_APPLY);
    return { steps: [...steps, ...start.steps], start };
}

/** True when the new sink is another host/port/path (update then re-checks exclusivity). */
function sinkMoves(olds: ChangefeedOutputs, webhookUrl: unknown): boolean {
    if (typeof webhookUrl !== "string") return true;
    const next = parseWebhookUrl(webhookUrl);
    return "problem" in next || !sameSink(sinkIdentityOf(olds.sinkUri), next);
}

/**
 * Update: PAUSE → ALTER → RESUME on the running job, or a new job from the stored high-water
 * mark when the job failed or was cancelled. Empty when the job is not touched. `tablesUnknown`:
 * the new tables are not known yet (a preview); the old ones are planned with.
 */
export function planUpdate(olds: ChangefeedOutputs, view: FeedView, tablesUnknown = false): Step[] {
    const reads: Step[] = [
        {
            sql: plainSql(SELECT_CLUSTER_ID),
            note: "must be the cluster the job runs on",
        },
        { sql: plainSql(showChangefeedJob(olds.jobId)) },
    ];
    if (needsRecreate(olds.status)) {
        return [
            ...reads,
            {
                describe: `job ${olds.jobId} is ${olds.status ?? "gone"}: a new job starts where it stopped`,
            },
            ...privilegeSteps(view),
            ...planStart(
                view,
                recreateCursor(olds),
                "cursor = the stored high-water mark; a later one read from the job wins (resolved at apply)",
            ).steps,
        ];
    }
    const alter = planAlter(olds, view.inputs, view.sink.secret);
    if (!tablesUnknown && alterPlanIsEmpty(alter)) return [];
    const moves = alter.sink !== undefined && sinkMoves(olds, view.inputs.webhookUrl);
    return [
        ...reads,
        {
            describe:
                "if the job has failed or been cancelled since the last refresh, a new job starts from its high-water mark instead (resolved at apply)",
        },
        ...(tablesUnknown ? [{ describe: "tables to ADD/DROP: <unknown until apply>" }] : []),
        ...(moves ? exclusiveSteps(view) : []),
        ...planInPlace(olds.jobId, alter, view.sink.shown).steps,
    ];
}

/** Delete: CANCEL JOB, then a bounded wait for `canceled`; a job already finished is left alone. */
export function planDelete(jobId: string): DeletePlan {
    const cancel = plainSql(cancelJob(jobId));
    const steps: Step[] = [
        { sql: plainSql(showChangefeedJob(jobId)), note: "a finished or gone job is left alone" },
        { sql: cancel },
        { describe: `wait up to 30 s until job ${jobId} is canceled` },
    ];
    return { steps, cancel };
}
