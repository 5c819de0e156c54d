/**
 * What a preview shows for a ForwardDrainGate to be created: the steps of `plan.ts`, described
 * (the gate runs no SQL). The metrics URL is shown redacted.
 */
import {
    describedStep,
    isNewResource,
    logPlanSafely,
    type PlannedStatement,
    UNKNOWN_TEXT,
} from "../kernel/previewSql";
import { redactUrl } from "../kernel/redact";
import { UNKNOWN } from "../kernel/unknown";
import { resolveInputs } from "./check";
import { type GateStep, planCreate } from "./plan";
import type { ForwardDrainGateInputs } from "./types";

function shownUrl(url: string): string {
    return url === UNKNOWN ? UNKNOWN_TEXT : redactUrl(url);
}

function seconds(ms: number): string {
    return Number.isFinite(ms) ? `${ms / 1000} s` : UNKNOWN_TEXT;
}

/** One step, described. */
function renderStep(step: GateStep): PlannedStatement {
    switch (step.kind) {
        case "acknowledge":
            return describedStep("drained: true — the forward drain was verified by hand; no wait");
        case "waitForDrain":
            return describedStep(
                `scrape ${shownUrl(step.metricsUrl)} every ${seconds(step.pollMs)} until ` +
                    `apply_upserts_total + apply_deletes_total of ${step.schema ?? "every schema"} ` +
                    `are unchanged for ${seconds(step.quietMs)}`,
                `fails after ${seconds(step.timeoutMs)}`,
            );
        case "inspectEndpoint":
            return describedStep(
                `read ${shownUrl(step.metricsUrl)} once more`,
                "a warning if the forward replicator still answers",
            );
        case "noEndpoint":
            return describedStep(
                "no metricsUrl: whether forward replication stopped is not checked",
            );
    }
}

/** The steps `create` runs, described. */
export function plannedCreateSteps(inputs: ForwardDrainGateInputs): PlannedStatement[] {
    return planCreate(resolveInputs(inputs)).map(renderStep);
}

/** Logs a create's steps from `check` (nothing for a resource that exists). */
export function logCreatePreview(
    olds: unknown,
    news: ForwardDrainGateInputs,
    log?: (text: string) => void,
): void {
    if (!isNewResource(olds)) return;
    logPlanSafely(
        () => ({ label: "ForwardDrainGate", statements: plannedCreateSteps(news), secrets: [] }),
        log,
        (label) => `planned steps (${label}):`,
        { resource: "ForwardDrainGate" },
    );
}
