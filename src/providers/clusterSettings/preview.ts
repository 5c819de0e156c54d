/**
 * The SQL a preview shows for ClusterSettings (pure, offline): the steps of `plan.ts`, rendered.
 * Whether a `SET` runs depends on the value the cluster holds, which only apply reads, so each
 * one says when it is skipped.
 */
import {
    describedStep,
    previewLoggers,
    noteResolvedAtApply,
    type PlannedStatement,
    UNKNOWN_TEXT,
} from "../kernel/previewSql";
import { UNKNOWN } from "../kernel/unknown";
import { describeServer } from "../cockroach";
import {
    changesSomething,
    KNOWN_SETTING_TYPES,
    knownDesired,
    planCreate,
    planUpdate,
    type SettingsStep,
    settingLiteral,
    settingType,
} from "./plan";
import {
    resetClusterSetting,
    SELECT_CLUSTER_ID,
    setClusterSetting,
    SHOW_ALL_CLUSTER_SETTINGS,
} from "./sql";
import type { ClusterSettingsInputs, ClusterSettingsOutputs, SettingValue } from "./types";

const SKIPPED_IF_HELD = noteResolvedAtApply("skipped if the current value already holds");

/** `ClusterSettings host:port/db` (never the connection string). */
export function previewLabel(inputs: Pick<ClusterSettingsInputs, "connection">): string {
    const server =
        typeof inputs.connection === "string" && inputs.connection !== UNKNOWN
            ? describeServer(inputs.connection)
            : UNKNOWN_TEXT;
    return `ClusterSettings ${server}`;
}

/** Which lifecycle a plan belongs to: the notes differ, the steps' rendering does not. */
type Phase = "create" | "update";

/** `SET CLUSTER SETTING name = literal`, noting when the literal's form depends on the server. */
function setStatement(
    name: string,
    value: SettingValue,
    types: Readonly<Record<string, string>>,
    note: string,
): PlannedStatement {
    const typeKnown = name in types || name in KNOWN_SETTING_TYPES || value === UNKNOWN;
    return {
        sql: setClusterSetting(name, settingLiteral(settingType(name, value, types), value)),
        note: typeKnown ? note : `${note}; the literal's form follows the setting's type`,
    };
}

/** One step as the statement it runs, with its note. */
function renderStep(step: SettingsStep, phase: Phase): PlannedStatement {
    switch (step.kind) {
        case "identify":
            return {
                sql: SELECT_CLUSTER_ID,
                note: "the cluster's identity, compared on later updates",
            };
        case "readCatalog":
            return {
                sql: SHOW_ALL_CLUSTER_SETTINGS,
                note:
                    phase === "create"
                        ? "current values and origins, recorded as previous"
                        : "current values, compared with the desired ones",
            };
        case "putBack":
            return step.prior.origin === "default" || step.mode === "reset"
                ? {
                      sql: resetClusterSetting(step.name),
                      note: noteResolvedAtApply(
                          "no longer managed: back to its default, as before this stack; skipped if already at its default",
                      ),
                  }
                : {
                      sql: setClusterSetting(
                          step.name,
                          settingLiteral(step.prior.type, step.prior.value),
                      ),
                      note: noteResolvedAtApply(
                          "no longer managed: back to the value it had before this stack; skipped if it already holds",
                      ),
                  };
        case "set":
            return setStatement(
                step.name,
                step.value,
                step.types,
                phase === "update" && step.newlyManaged
                    ? noteResolvedAtApply(
                          "newly managed: its current value is recorded as previous first; skipped if the value already holds",
                      )
                    : SKIPPED_IF_HELD,
            );
        case "unknownSettings":
            return { sql: `SET CLUSTER SETTING ${UNKNOWN_TEXT}`, note: "settings map" };
    }
}

/** The steps a preview shows: those not already held according to the state. */
function render(steps: readonly SettingsStep[], phase: Phase): PlannedStatement[] {
    return steps
        .filter((step) => !(step.kind === "set" && step.heldInState))
        .map((step) => renderStep(step, phase));
}

/** The SQL `create` runs: read every setting, then SET each desired one that differs. */
export function plannedCreateSql(inputs: ClusterSettingsInputs): PlannedStatement[] {
    return render(planCreate(knownDesired(inputs)), "create");
}

/**
 * The SQL `update` runs: SET what changed, and put a setting no longer managed back to its
 * recorded previous value (`RESET` when it was at its default). Empty when no setting changes.
 */
export function plannedUpdateSql(
    olds: ClusterSettingsOutputs,
    news: ClusterSettingsInputs,
): PlannedStatement[] {
    const steps = planUpdate(olds, knownDesired(news));
    return changesSomething(steps) ? render(steps, "update") : [];
}

/** Secrets a ClusterSettings plan must never show. */
function secretsOf(inputs: Partial<ClusterSettingsInputs>): string[] {
    return typeof inputs.connection === "string" ? [inputs.connection] : [];
}

/** The hooks the provider calls from `check` and `diff`. */
export const { logCreatePreview, logDiffPreview } = previewLoggers<
    ClusterSettingsInputs,
    ClusterSettingsOutputs
>({
    label: (news) => previewLabel(news),
    create: plannedCreateSql,
    update: plannedUpdateSql,
    replacement: () => [
        describedStep(
            "replacement: the current settings are put back first (delete before replace, per onDelete), then:",
        ),
    ],
    secrets: secretsOf,
});
