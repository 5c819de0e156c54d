/**
 * The statements ClusterSettings issues (the forms in the CockroachDB test server contract).
 * Setting names are validated against the setting-name shape before they get here, and values
 * are rendered by `settingLiteral`, so no user text reaches SQL unescaped.
 */
import { SETTING_NAME_PATTERN } from "../cockroach";

export const SHOW_ALL_CLUSTER_SETTINGS = "SHOW ALL CLUSTER SETTINGS";
export const SELECT_CLUSTER_ID = "SELECT crdb_internal.cluster_id()";
export const SELECT_CURRENT_USER = "SELECT current_user";

function checkedName(name: string): string {
    if (!SETTING_NAME_PATTERN.test(name)) throw new Error(`invalid cluster setting name "${name}"`);
    return name;
}

export function showClusterSetting(name: string): string {
    return `SHOW CLUSTER SETTING ${checkedName(name)}`;
}

export function setClusterSetting(name: string, literal: string): string {
    return `SET CLUSTER SETTING ${checkedName(name)} = ${literal}`;
}

export function resetClusterSetting(name: string): string {
    return `RESET CLUSTER SETTING ${checkedName(name)}`;
}
