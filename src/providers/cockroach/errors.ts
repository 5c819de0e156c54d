/** SQLSTATE classification of CockroachDB's answers. Pure. */

/** SQLSTATE codes this package reacts to. */
export const SQLSTATE = {
    insufficientPrivilege: "42501",
    undefinedObject: "42704",
    undefinedParameter: "42P02",
    /** CockroachDB's code for an error raised without one (`errors.Errorf`). */
    uncategorized: "XXUUU",
    undefinedTable: "42P01",
    syntaxError: "42601",
    invalidParameterValue: "22023",
    featureNotSupported: "0A000",
} as const;

/** The SQLSTATE of a driver error, or `undefined` when it has none (network errors). */
export function sqlState(err: unknown): string | undefined {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The error's message without a driver's context prefix. */
export function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/**
 * True for a virtual cluster's (CockroachDB Cloud Basic/Standard) refusal to change a setting
 * that belongs to the operator: 42501 with "setting <n> is only settable by the operator"
 * (a system-visible setting) or "cannot modify storage-level setting from virtual cluster" (a
 * system-only one, when the cluster tips users about the system interface). 42501 alone also
 * means a missing privilege, so the text is looked at. See docs/cockroachdb-behaviour.md.
 */
export function isOperatorOnlySetting(err: unknown): boolean {
    if (sqlState(err) !== SQLSTATE.insufficientPrivilege) return false;
    const message = errorMessage(err);
    return (
        message.includes("only settable by the operator") ||
        message.includes("cannot modify storage-level setting from virtual cluster")
    );
}

/**
 * True when CockroachDB answered that it does not know a cluster setting (which a virtual
 * cluster also answers for a system-only setting): SET/RESET → 42P02 `unknown cluster setting
 * '<n>'` (v24.1 and later; XXUUU before), SHOW → XXUUU `unknown setting: "<n>"`. XXUUU is any
 * error without a code, so for it the text decides. See docs/cockroachdb-behaviour.md.
 */
export function isUnknownSetting(err: unknown): boolean {
    const code = sqlState(err);
    if (code === SQLSTATE.undefinedParameter) return true;
    return (
        code === SQLSTATE.uncategorized && /\bunknown (cluster )?setting\b/.test(errorMessage(err))
    );
}
