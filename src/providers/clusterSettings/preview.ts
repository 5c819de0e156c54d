/**
 * The SQL a preview shows for ClusterSettings (pure, offline). Whether a `SET` runs depends on
 * the value the cluster holds, which only apply reads, so each one says when it is skipped.
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
    desiredSettings,
    KNOWN_SETTING_TYPES,
    settingLiteral,
    settingType,
    settingValuesEqual,
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

/** Reading what the cluster holds: every statement that precedes a change. */
function reads(recordPrevious: boolean): PlannedStatement[] {
    return [
        { sql: SELECT_CLUSTER_ID, note: "the cluster's identity, compared on later updates" },
        {
            sql: SHOW_ALL_CLUSTER_SETTINGS,
            note: recordPrevious
                ? "current values and origins, recorded as previous"
                : "current values, compared with the desired ones",
        },
    ];
}

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

/** The desired settings, or `undefined` when the `settings` map itself is not known yet. */
function knownDesired(inputs: ClusterSettingsInputs): Record<string, SettingValue> | undefined {
    if ((inputs.settings as unknown) === UNKNOWN) return undefined;
    return desiredSettings(inputs);
}

/** The SQL `create` runs: read every setting, then SET each desired one that differs. */
export function plannedCreateSql(inputs: ClusterSettingsInputs): PlannedStatement[] {
    const desired = knownDesired(inputs);
    const sets = Object.entries(desired ?? {}).map(([name, value]) =>
        setStatement(name, value, {}, SKIPPED_IF_HELD),
    );
    if (desired === undefined) {
        sets.push({ sql: `SET CLUSTER SETTING ${UNKNOWN_TEXT}`, note: "settings map" });
    }
    return [...reads(true), ...sets];
}

/**
 * The SQL `update` runs: SET what changed, and put a setting no longer managed back to its
 * recorded previous value (`RESET` when it was at its default). Empty when no setting changes.
 */
export function plannedUpdateSql(
    olds: ClusterSettingsOutputs,
    news: ClusterSettingsInputs,
): PlannedStatement[] {
    const desired = knownDesired(news);
    const types = olds.types ?? {};
    const values = olds.values ?? {};
    const previous = olds.previous ?? {};
    const changes: PlannedStatement[] = [];

    for (const [name, prior] of Object.entries(previous)) {
        if (desired === undefined || name in desired) continue;
        changes.push(
            prior.origin === "default"
                ? {
                      sql: resetClusterSetting(name),
                      note: noteResolvedAtApply(
                          "no longer managed: back to its default, as before this stack; skipped if already at its default",
                      ),
                  }
                : {
                      sql: setClusterSetting(name, settingLiteral(prior.type, prior.value)),
                      note: noteResolvedAtApply(
                          "no longer managed: back to the value it had before this stack; skipped if it already holds",
                      ),
                  },
        );
    }
    for (const [name, value] of Object.entries(desired ?? {})) {
        const type = settingType(name, value, types);
        if (name in values && value !== UNKNOWN && settingValuesEqual(type, value, values[name])) {
            continue;
        }
        const note =
            name in previous
                ? SKIPPED_IF_HELD
                : noteResolvedAtApply(
                      "newly managed: its current value is recorded as previous first; skipped if the value already holds",
                  );
        changes.push(setStatement(name, value, types, note));
    }
    if (desired === undefined) {
        changes.push({ sql: `SET CLUSTER SETTING ${UNKNOWN_TEXT}`, note: "settings map" });
    }
    return changes.length === 0 ? [] : [...reads(false), ...changes];
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
