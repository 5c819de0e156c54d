/**
 * What a preview shows for GcTtl: the steps of plan.ts, rendered (pure, offline). Bound
 * parameters and what apply decides are shown in each step's note.
 */
import { describeServer } from "../cockroach";
import { type PlannedStatement, previewLoggers, UNKNOWN_TEXT } from "../kernel/previewSql";
import { containsUnknown, UNKNOWN } from "../kernel/unknown";
import { parseGcTtl } from "./check";
import { planCreate, planDelete, planUpdate, type Step } from "./plan";
import type { GcTtlInputs, GcTtlOutputs } from "./types";

/** `GcTtl host:port/db` (never the connection string). */
export function previewLabel(inputs: Pick<GcTtlInputs, "connection">): string {
    const server =
        typeof inputs.connection === "string" && inputs.connection !== UNKNOWN
            ? describeServer(inputs.connection)
            : UNKNOWN_TEXT;
    return `GcTtl ${server}`;
}

/** A step as a preview line. */
export function render(step: Step): PlannedStatement {
    const notes = [
        ...(step.params.length > 0
            ? [`with ${step.params.map((p, i) => `$${i + 1} = '${p}'`).join(", ")}`]
            : []),
        step.note,
        ...(step.atApply ? [`${step.atApply} (resolved at apply)`] : []),
    ];
    return { sql: step.sql, note: notes.join("; ") };
}

/** Steps of inputs whose values may not be known yet. */
function createSteps(news: GcTtlInputs): PlannedStatement[] {
    if (containsUnknown({ database: news.database, tables: news.tables, ttl: news.ttl })) {
        return [
            {
                sql: `-- ALTER … CONFIGURE ZONE USING gc.ttlseconds = …`,
                note: `database, tables or ttl is ${UNKNOWN_TEXT}`,
            },
        ];
    }
    return planCreate(parseGcTtl(news)).map(render);
}

export const { logCreatePreview, logDiffPreview, logRefreshPreview, noteRead } = previewLoggers<
    GcTtlInputs,
    GcTtlOutputs
>({
    label: (news) => previewLabel(news),
    create: createSteps,
    update: (olds, news) =>
        containsUnknown(news) ? createSteps(news) : planUpdate(olds, parseGcTtl(news)).map(render),
    replacement: (olds) => planDelete(olds).map(render),
    secrets: (values) => (typeof values.connection === "string" ? [values.connection] : []),
});
