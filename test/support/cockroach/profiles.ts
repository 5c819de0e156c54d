/**
 * Version profiles of the CockroachDB test server: what `SELECT version()`,
 * `crdb_internal.node_executable_version()` and `SHOW CLUSTER SETTING version` answer, and the
 * changefeed option lists that differ between releases (docs/cockroachdb-behaviour.md,
 * "Version profiles").
 */

export type CockroachProfileName = "v24.3" | "v25.4";

export interface CockroachProfile {
    name: CockroachProfileName;
    /** `SELECT version()`. */
    versionText: string;
    /** `crdb_internal.node_executable_version()` and `SHOW CLUSTER SETTING version`. */
    clusterVersion: string;
    /** Options CREATE CHANGEFEED takes on this release but not on the one before. */
    addedOptions: readonly string[];
    /** Extra enum values this release takes (option → values). */
    addedEnumValues: Readonly<Record<string, readonly string[]>>;
    /** `gc_protect_expires_after = '0s'` is accepted (0 = use the cluster setting). */
    gcProtectExpiresAfterCanBeZero: boolean;
    /** `protect_data_from_gc_on_pause` is retired: accepted with a notice, no effect. */
    protectDataFromGcOnPauseRetired: boolean;
}

const V24_3: CockroachProfile = {
    name: "v24.3",
    versionText:
        "CockroachDB CCL v24.3.14 (x86_64-pc-linux-gnu, built 2025/05/26 18:22:29, go1.22.8 X:nocoverageredesign)",
    clusterVersion: "24.3",
    addedOptions: [],
    addedEnumValues: {},
    gcProtectExpiresAfterCanBeZero: false,
    protectDataFromGcOnPauseRetired: false,
};

const V25_4: CockroachProfile = {
    name: "v25.4",
    versionText:
        "CockroachDB CCL v25.4.0 (x86_64-pc-linux-gnu, built 2025/11/03 16:30:45, go1.23.12 X:nocoverageredesign)",
    clusterVersion: "25.4",
    addedOptions: ["enriched_properties", "extra_headers", "headers_json_column_name"],
    addedEnumValues: { envelope: ["enriched"], format: ["protobuf"] },
    gcProtectExpiresAfterCanBeZero: true,
    protectDataFromGcOnPauseRetired: true,
};

export const PROFILES: Readonly<Record<CockroachProfileName, CockroachProfile>> = {
    "v24.3": V24_3,
    "v25.4": V25_4,
};

/** The newest profile: what a test server is unless told otherwise. */
export const DEFAULT_PROFILE: CockroachProfileName = "v25.4";

/**
 * The profile to use: the explicit one, else `CRDB_PROFILE` from the environment (so the whole
 * CockroachDB test set can be run against another release), else the default.
 */
export function resolveProfile(explicit?: CockroachProfileName): CockroachProfile {
    const name = explicit ?? process.env.CRDB_PROFILE ?? DEFAULT_PROFILE;
    const profile = PROFILES[name as CockroachProfileName];
    if (!profile) {
        throw new Error(
            `unknown CockroachDB test server profile ${JSON.stringify(name)} (CRDB_PROFILE); ` +
                `use one of ${Object.keys(PROFILES).join(", ")}`,
        );
    }
    return profile;
}
