/** PostgreSQL SQLSTATEs the provider classifies (race lost, answered, refused, gone). */

/**
 * SQLSTATEs of a PostgreSQL change that lost a race with another session and was rolled back, so
 * re-reading the catalog and trying again is safe: serialization_failure, deadlock_detected, and
 * internal_error when it is "tuple concurrently updated" (two GRANTs on one object at once).
 */
export function pgRetriable(code: string | undefined, message: string): boolean {
    if (code === "40001" || code === "40P01") return true;
    return code === "XX000" && /tuple concurrently (updated|deleted)/.test(message);
}

/**
 * True when `code` is a SQLSTATE the server sent (five characters, digits and capitals), as
 * opposed to a Node socket error code such as `ECONNRESET` or `EPIPE` on the same property (no
 * SQLSTATE class starts with "E"): only then did the server answer the statement batch.
 */
export function pgServerAnswered(code: string | undefined): boolean {
    return code !== undefined && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code);
}

/** insufficient_privilege: e.g. SET ROLE to a role the connection is not a member of. */
export const PG_INSUFFICIENT_PRIVILEGE = "42501";

/**
 * dependent_privileges_exist: a REVOKE (without CASCADE) would take away a grant option that
 * another grant depends on.
 */
export const PG_DEPENDENT_PRIVILEGES_EXIST = "2BP01";

/** SQLSTATEs that mean "the thing is already gone" when revoking. */
export const PG_GONE_SQLSTATES: ReadonlySet<string> = new Set([
    "3D000", // invalid_catalog_name: the database no longer exists
    "3F000", // invalid_schema_name
    "42P01", // undefined_table
    "42704", // undefined_object (role)
]);
