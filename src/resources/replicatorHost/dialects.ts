/**
 * What ReplicatorHost needs to know about each target dialect, as data: the component and its
 * checks read these facts instead of comparing dialect names. Pure.
 */
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

export const HOST_DIALECTS: Readonly<Record<TargetDialect, HostDialect>> = {
    postgres: {
        label: "PostgreSQL",
        targetSchemes: ["postgres:", "postgresql:", "pg:", "pgx:"],
        schemaParts: ["<database>", "<schema>"],
        connectionNamesDatabase: true,
        oracleBuild: false,
    },
    mysql: {
        label: "MySQL",
        targetSchemes: ["mysql:"],
        schemaParts: ["<database>"],
        connectionNamesDatabase: false,
        oracleBuild: false,
    },
    oracle: {
        label: "Oracle",
        targetSchemes: ["oracle:", "ora:"],
        schemaParts: ["<SCHEMA>"],
        connectionNamesDatabase: false,
        oracleBuild: true,
    },
};

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
