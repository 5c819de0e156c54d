/**
 * What a `pulumi preview` of a Preflight shows: the reads `create` runs (plan.ts), on which
 * server. Nothing is changed by them.
 */
import { describeServer } from "../cockroach";
import { describedStep, type PlannedStatement } from "../kernel/previewSql";
import { parsePreflight } from "./check";
import { planPreflight } from "./plan";
import type { PreflightInputs } from "./types";

/** The planned reads, rendered (bound parameters shown after the statement; no secrets). */
export function previewStatements(inputs: PreflightInputs): PlannedStatement[] {
    const parsed = parsePreflight(inputs);
    if (!parsed.ok) return [describedStep("the inputs do not pass check; nothing is read")];
    const steps = planPreflight(parsed.config);
    return [
        describedStep(
            "read-only: every precondition is checked and every problem reported; nothing is created or changed",
        ),
        ...steps.map((step) => ({
            sql: step.sql,
            note: `${step.server === "target" ? parsed.config.target.label : step.server}: ${step.note}${step.params.length > 0 ? ` — params ${JSON.stringify(step.params)}` : ""}`,
        })),
    ];
}

/** `host:port/db → target`, without credentials. */
export function previewLabel(inputs: PreflightInputs): string {
    const parsed = parsePreflight(inputs);
    return parsed.ok
        ? `Preflight ${describeServer(inputs.cockroachConnection)} → ${parsed.config.target.label}`
        : "Preflight";
}

/** Secrets to scrub from the preview text. */
export function previewSecrets(inputs: PreflightInputs): string[] {
    return [
        inputs.cockroachConnection,
        inputs.targetConnection,
        inputs.stagingConnection ?? "",
    ].filter((s) => typeof s === "string" && s !== "");
}
