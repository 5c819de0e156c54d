/**
 * Offline diff for ClusterSettings: compares the new args with the state (whose `values` were
 * read back from the cluster, so a refresh that saw drift makes this report a change).
 */
import type * as pulumi from "@pulumi/pulumi";

import { containsUnknown } from "../kernel/unknown";
import { connectionTargetChanged } from "../cockroach";
import { desiredSettings, settingType, settingValuesEqual } from "./values";
import type { ClusterSettingsInputs, ClusterSettingsOutputs } from "./types";

/** Decides update vs replace vs nothing. */
export function diffClusterSettings(
    olds: ClusterSettingsOutputs,
    news: ClusterSettingsInputs,
): pulumi.dynamic.DiffResult {
    const replaces: string[] = [];
    let changes = false;

    // Another cluster is a replacement (delete restores the old one first); the same cluster
    // reached with other credentials or through another node's address of the same host:port
    // is an update, which verifies crdb_internal.cluster_id().
    const targetChanged = connectionTargetChanged(olds.connection, news.connection);
    if (targetChanged === true) replaces.push("connection");
    else if (olds.connection !== news.connection) changes = true;

    if ((olds.onDelete ?? "restore") !== (news.onDelete ?? "restore")) changes = true;

    if (containsUnknown(news)) {
        changes = true;
    } else {
        const desired = desiredSettings(news);
        const oldNames = Object.keys(olds.desired ?? {});
        const newNames = Object.keys(desired);
        if (oldNames.length !== newNames.length || oldNames.some((n) => !(n in desired))) {
            changes = true;
        }
        for (const [name, value] of Object.entries(desired)) {
            const type = settingType(name, value, olds.types);
            if (
                !(name in (olds.values ?? {})) ||
                !settingValuesEqual(type, value, olds.values[name])
            ) {
                changes = true;
            }
        }
    }

    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
    return { changes };
}
