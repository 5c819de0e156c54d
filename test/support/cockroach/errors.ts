/**
 * Errors the CockroachDB test server reports to clients, with CockroachDB's SQLSTATEs.
 * Errors CockroachDB raises without a code (`errors.Errorf`) reach clients as `XXUUU`.
 */

export const SQLSTATE = {
    uncategorized: "XXUUU",
    syntaxError: "42601",
    insufficientPrivilege: "42501",
    undefinedObject: "42704",
    undefinedTable: "42P01",
    invalidParameterValue: "22023",
    invalidTextRepresentation: "22P02",
    datatypeMismatch: "42804",
    featureNotSupported: "0A000",
    inFailedTransaction: "25P02",
    invalidPassword: "28P01",
    invalidAuthorization: "28000",
    protocolViolation: "08P01",
    duplicateObject: "42710",
    invalidTransactionState: "25000",
} as const;

/** A statement error as the client sees it (ErrorResponse fields). */
export class CockroachError extends Error {
    constructor(
        readonly code: string,
        message: string,
        readonly hint?: string,
        readonly detail?: string,
    ) {
        super(message);
        this.name = "CockroachError";
    }
}

/** `errors.Errorf(...)` in CockroachDB: no SQLSTATE of its own. */
export function uncategorized(message: string, hint?: string): CockroachError {
    return new CockroachError(SQLSTATE.uncategorized, message, hint);
}

/** CockroachDB's parser error: `at or near "<token>": syntax error`. */
export function syntaxError(near: string, detail?: string): CockroachError {
    const shown = near === "" ? "EOF" : near;
    return new CockroachError(
        SQLSTATE.syntaxError,
        `at or near "${shown}": syntax error`,
        undefined,
        detail,
    );
}
