/**
 * The steps of a ClusterSettings change, pure: what `create`, `update` and `delete` do, in order.
 * `apply/` runs these steps and `preview.ts` prints them; whether a `SET` is needed depends on the
 * value the cluster holds, which only apply reads.
 */
import { UNKNOWN } from "../kernel/unknown";
import type {
    ClusterSettingsInputs,
    ClusterSettingsOutputs,
    PriorSetting,
    SettingValue,
} from "./types";
import { desiredSettings, settingType, settingValuesEqual } from "./values";

export * from "./values";

/** One step of a ClusterSettings change. */
export type SettingsStep =
    /** `SELECT crdb_internal.cluster_id()`: the cluster must be the one the state belongs to. */
    | { kind: "identify" }
    /**
     * `SHOW ALL CLUSTER SETTINGS`; with `record`, the prior value and origin of each of `names`
     * not recorded yet is captured before anything changes.
     */
    | { kind: "readCatalog"; record: boolean; names: string[] }
    /**
     * Puts a setting this stack no longer manages back (`restore`: as it was before this stack;
     * `reset`: to its default), resolved at apply: only while it still holds `stackValue`.
     */
    | {
          kind: "putBack";
          name: string;
          prior: PriorSetting;
          stackValue: SettingValue | undefined;
          mode: "restore" | "reset";
      }
    /**
     * `SET CLUSTER SETTING`, resolved at apply: skipped when the cluster already holds the value.
     * `heldInState` says the state's read-back value already equals it (so a preview omits it);
     * `newlyManaged` that its prior value is recorded first.
     */
    | {
          kind: "set";
          name: string;
          value: SettingValue;
          types: Readonly<Record<string, string>>;
          heldInState: boolean;
          newlyManaged: boolean;
      }
    /** The `settings` map is not known yet (preview only): its SETs follow at apply. */
    | { kind: "unknownSettings" };

/** The desired settings, or `undefined` when the `settings` map itself is not known yet. */
export function knownDesired(
    inputs: ClusterSettingsInputs,
): Record<string, SettingValue> | undefined {
    if ((inputs.settings as unknown) === UNKNOWN) return undefined;
    return desiredSettings(inputs);
}

/** What `create` does: identify the cluster, record every prior value, SET what differs. */
export function planCreate(desired: Record<string, SettingValue> | undefined): SettingsStep[] {
    const names = Object.keys(desired ?? {});
    return [
        { kind: "identify" },
        { kind: "readCatalog", record: true, names },
        ...Object.entries(desired ?? {}).map(([name, value]): SettingsStep => ({
            kind: "set",
            name,
            value,
            types: {},
            heldInState: false,
            newlyManaged: true,
        })),
        ...(desired === undefined ? [{ kind: "unknownSettings" } as const] : []),
    ];
}

/**
 * What `update` does: identify the cluster, record the prior value of newly managed settings,
 * put back each setting no longer managed, then SET what differs.
 */
export function planUpdate(
    olds: ClusterSettingsOutputs,
    desired: Record<string, SettingValue> | undefined,
): SettingsStep[] {
    const types = olds.types ?? {};
    const values = olds.values ?? {};
    const previous = olds.previous ?? {};
    const steps: SettingsStep[] = [
        { kind: "identify" },
        { kind: "readCatalog", record: true, names: Object.keys(desired ?? {}) },
    ];
    for (const [name, prior] of Object.entries(previous)) {
        if (desired === undefined || name in desired) continue;
        steps.push({
            kind: "putBack",
            name,
            prior,
            stackValue: olds.desired?.[name],
            mode: "restore",
        });
    }
    for (const [name, value] of Object.entries(desired ?? {})) {
        const type = settingType(name, value, types);
        const heldInState =
            name in values && value !== UNKNOWN && settingValuesEqual(type, value, values[name]);
        steps.push({
            kind: "set",
            name,
            value,
            types,
            heldInState,
            newlyManaged: !(name in previous),
        });
    }
    if (desired === undefined) steps.push({ kind: "unknownSettings" });
    return steps;
}

/** What `delete` does: put every managed setting back per `onDelete` (nothing for `retain`). */
export function planDelete(props: ClusterSettingsOutputs): SettingsStep[] {
    const mode = props.onDelete ?? "restore";
    const managed = Object.entries(props.previous ?? {});
    if (mode === "retain" || managed.length === 0) return [];
    return [
        { kind: "identify" },
        { kind: "readCatalog", record: false, names: [] },
        ...managed.map(([name, prior]): SettingsStep => ({
            kind: "putBack",
            name,
            prior,
            stackValue: props.desired?.[name],
            mode,
        })),
    ];
}

/** True when a plan changes something (a preview of an update that changes nothing is empty). */
export function changesSomething(steps: readonly SettingsStep[]): boolean {
    return steps.some(
        (step) =>
            step.kind === "putBack" ||
            step.kind === "unknownSettings" ||
            (step.kind === "set" && !step.heldInState),
    );
}
