/** Shapes of the ClusterSettings provider's inputs, parsed config and outputs (state). */
import type { CockroachConnection } from "../cockroach";
import type { StateVersioning } from "../kernel/stateVersion";

/** A setting value as written in the args. */
export type SettingValue = string | number | boolean;

/** What `onDelete` does with each managed setting. */
export type OnDelete = "restore" | "reset" | "retain";

/** The provider's inputs (see `ClusterSettingsArgs` for the meaning of each). */
export interface ClusterSettingsInputs {
    connection: string;
    rangefeedEnabled?: boolean;
    closedTimestampRefreshInterval?: string;
    closedTimestampTargetDuration?: string;
    concurrentCatchupIterators?: number;
    settings?: Record<string, SettingValue>;
    onDelete?: OnDelete;
}

/** A setting as it was before this resource first changed it. */
export interface PriorSetting {
    /** The value as `SHOW ALL CLUSTER SETTINGS` printed it (`3s`, `true`, `16`). */
    value: string;
    /** `default` or `override`: a default is put back with `RESET`, anything else with `SET`. */
    origin: string;
    /** CockroachDB's `setting_type` letter (`b`, `i`, `d`, `s`, `e`, `f`, `z`). */
    type: string;
}

/** The provider's outputs: everything later diff/update/read/delete need. */
export interface ClusterSettingsOutputs extends ClusterSettingsInputs {
    stateVersion: 1;
    /** Setting name → desired value, as planned from the args. */
    desired: Record<string, SettingValue>;
    /** Setting name → value as read back with `SHOW CLUSTER SETTING`. */
    values: Record<string, SettingValue>;
    /** Setting name → value and origin before this resource first changed it. */
    previous: Record<string, PriorSetting>;
    /** Setting name → CockroachDB `setting_type` letter. */
    types: Record<string, string>;
    /** `crdb_internal.cluster_id()` at create: a new connection must reach the same cluster. */
    clusterId: string;
}

/** The inputs as `check` parsed them: what create and update work from. */
export interface ClusterSettingsConfig {
    inputs: ClusterSettingsInputs;
    /** The connection, parsed once. */
    connection: CockroachConnection;
    /** Setting name → desired value (defaults applied, names normalized). */
    desired: Record<string, SettingValue>;
}

/** How ClusterSettings state is versioned (read through `readVersionedState`). */
export const STATE_VERSIONING: StateVersioning = { resource: "ClusterSettings", current: 1 };
