/** The state GcTtl writes. */
import type { GcTtlConfig, GcTtlInputs, GcTtlOutputs } from "../types";

export const STATE_VERSION = 1;

export function outputsOf(
    inputs: GcTtlInputs,
    config: GcTtlConfig,
    fields: Pick<GcTtlOutputs, "previous" | "current" | "clusterId">,
): GcTtlOutputs {
    return {
        connection: inputs.connection,
        database: inputs.database,
        tables: inputs.tables,
        ttl: inputs.ttl,
        onDelete: config.onDelete,
        stateVersion: STATE_VERSION,
        ttlSeconds: config.ttlSeconds,
        ...fields,
    };
}
