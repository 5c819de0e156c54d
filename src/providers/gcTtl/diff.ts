/**
 * Offline diff for GcTtl: compares the new args with the state (whose `current` was read back
 * from the cluster, so a refresh that saw drift makes this report a change).
 */
import type * as pulumi from "@pulumi/pulumi";

import { containsUnknown } from "../kernel/unknown";
import { connectionTargetChanged } from "../cockroach";
import { parseGcTtl, zoneName } from "./check";
import type { GcTtlInputs, GcTtlOutputs } from "./types";

/** Decides update vs replace vs nothing. */
export function diffGcTtl(olds: GcTtlOutputs, news: GcTtlInputs): pulumi.dynamic.DiffResult {
    const replaces: string[] = [];
    let changes = false;
    // Another cluster or database is a replacement (delete restores the old zones first); the
    // same cluster reached with other credentials or through another node is an update, which
    // verifies crdb_internal.cluster_id().
    if (connectionTargetChanged(olds.connection, news.connection) === true) {
        replaces.push("connection");
    } else if (olds.connection !== news.connection) changes = true;
    if (olds.database !== news.database) replaces.push("database");
    if ((olds.onDelete ?? "restore") !== (news.onDelete ?? "restore")) changes = true;

    if (containsUnknown(news)) changes = true;
    else if (replaces.length === 0) {
        const config = parseGcTtl(news);
        const names = config.targets.map(zoneName);
        const oldNames = Object.keys(olds.previous ?? {});
        if (names.length !== oldNames.length || names.some((n) => !oldNames.includes(n))) {
            changes = true;
        }
        if (config.ttlSeconds !== olds.ttlSeconds) changes = true;
        for (const name of names) {
            const reading = olds.current?.[name];
            if (!reading || reading.origin !== "set" || reading.ttlSeconds !== config.ttlSeconds) {
                changes = true;
            }
        }
    }
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
    return { changes };
}
