/**
 * What ReplicatorHost needs to know about each target dialect, taken from the dialect registry
 * (src/providers/targets): the component and its checks read these facts instead of comparing
 * dialect names. Pure.
 */
import { TARGET_DIALECTS, type TargetDialect as RegistryDialect } from "../../providers/targets";
import type { TargetDialect } from "./args";

/** One target dialect as the replicator host sees it. */
export interface HostDialect {
    /** Product name for messages (`PostgreSQL`). */
    label: string;
    /** URL schemes `--targetConn` accepts (with the colon, as `URL.protocol` gives them). */
    targetSchemes: readonly string[];
    /** The parts of `targetSchema`, as placeholders (`<database>`); their count is the path length. */
    schemaParts: readonly string[];
    /**
     * The replicator writes `"db"."schema".<table>` through `targetConnection`, so the database it
     * names must be `targetSchema[0]` (the target rejects cross-database names).
     */
    connectionNamesDatabase: boolean;
    /**
     * The dialect needs the separate Oracle-capable replicator build (`oracleImage`), which
     * exists for linux/amd64 only.
     */
    oracleBuild: boolean;
}

/** The host's view of a registry dialect. */
function hostView(dialect: RegistryDialect): HostDialect {
    return {
        label: dialect.failback.shortName,
        targetSchemes: dialect.failback.replicatorSchemes,
        schemaParts: dialect.failback.schemaPlaceholders,
        connectionNamesDatabase: dialect.failback.database === "required",
        oracleBuild: dialect.failback.oracleBuild,
    };
}

export const HOST_DIALECTS: Readonly<Record<TargetDialect, HostDialect>> = Object.fromEntries(
    TARGET_DIALECTS.map((dialect) => [dialect.name, hostView(dialect)]),
) as Record<TargetDialect, HostDialect>;

/** The facts for `dialect`, or undefined when it is not a dialect the host supports. */
export function hostDialect(dialect: unknown): HostDialect | undefined {
    return typeof dialect === "string" && Object.hasOwn(HOST_DIALECTS, dialect)
        ? HOST_DIALECTS[dialect as TargetDialect]
        : undefined;
}

/** Node selector pinning pods of the Oracle build to the only architecture it exists for. */
export const ORACLE_BUILD_NODE_SELECTOR: Readonly<Record<string, string>> = {
    "kubernetes.io/arch": "amd64",
};
