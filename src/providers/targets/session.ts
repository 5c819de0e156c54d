/**
 * What every target session offers (one implementation per dialect, in `<dialect>Session.ts`):
 * the privilege catalog read in one query and a batch of GRANT/REVOKE statements applied in one
 * round trip. Drivers are `require`d inside the openers so the provider closure stays small.
 */
import { redactUrl, scrubbedError } from "../kernel/redact";
import type { ParsedConnection } from "./dialect";
import type { CatalogSnapshot, Dialect, GrantTarget } from "./types";

/** One message to the server and its answer. `statements` counts the SQL statements it carried. */
export interface RoundTrip {
    dialect: Dialect;
    kind: "connect" | "catalog" | "setup" | "change" | "endSession";
    statements: number;
}

/** Bounds and instrumentation for a session. */
export interface SessionOptions {
    /** Time allowed to connect and authenticate. */
    connectTimeoutMs: number;
    /** Time allowed for one statement (or batch) to run. */
    statementTimeoutMs: number;
    /** Called once per round trip (used by tests to count them). */
    onRoundTrip?: (trip: RoundTrip) => void;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 30_000,
};

/** What a catalog read must include. */
export interface CatalogReadOptions {
    /** List the schema's tables (default true). */
    listTables?: boolean;
}

/** An open admin session on the target. */
export interface GrantSession {
    readonly connection: ParsedConnection;
    /** MySQL 8 `partial_revokes`; false elsewhere. */
    readonly partialRevokes: boolean;
    /**
     * Reads the privilege catalog in one query. With `options.listTables` false a dialect may
     * leave `tables` empty when listing them is costly (MySQL: only the account's privilege rows
     * are read); callers that need the tables (scope, missing tables, coverage, PostgreSQL owners)
     * leave it at its default, true.
     */
    readCatalog(target: GrantTarget, options?: CatalogReadOptions): Promise<CatalogSnapshot>;
    /**
     * Runs `revokes` then `grants` in one round trip. PostgreSQL: all or nothing. MySQL and
     * Oracle: statements before a failing one stay applied (re-read the catalog to find out).
     * With `readAfter`, a dialect that can (PostgreSQL) ends the same transaction with a catalog
     * read of that target and returns it: what the change left, grantors included, at no extra
     * round trip. Others return undefined.
     */
    applyChange(
        revokes: readonly string[],
        grants: readonly string[],
        readAfter?: GrantTarget,
    ): Promise<CatalogSnapshot | undefined>;
    /**
     * The server's id for this connection (MySQL thread id, PostgreSQL backend pid), when the
     * dialect can end it from another session; used after a lost connection to stop a batch the
     * server is still running.
     */
    readonly serverSessionId?: number;
    /**
     * Ends the server connection `serverSessionId` of another session and waits (bounded by the
     * statement timeout) until the server has let it go. Resolves `true` when the connection is
     * confirmed gone — no statement of it can still change the catalog — and `false` when that
     * could not be confirmed in time. Only dialects that set `serverSessionId` implement it.
     */
    endServerSession?(serverSessionId: number): Promise<boolean>;
    close(): Promise<void>;
}

/** Opens a session for one dialect. */
export type SessionOpener = (
    connection: ParsedConnection,
    options: SessionOptions,
) => Promise<GrantSession>;

/** Driver error codes, kept so callers can classify a failure without reading its text. */
export interface DriverErrorCodes {
    /** PostgreSQL SQLSTATE, or `ORA-nnnnn` for Oracle. */
    code?: string;
    /** MySQL errno, or the Oracle error number. */
    errno?: number;
}

/** The codes attached to an error thrown by a session. */
export function errorCodes(err: unknown): DriverErrorCodes {
    const e = err as { code?: unknown; errno?: unknown; errorNum?: unknown } | null;
    return {
        code: typeof e?.code === "string" ? e.code : undefined,
        errno:
            typeof e?.errno === "number"
                ? e.errno
                : typeof e?.errorNum === "number"
                  ? e.errorNum
                  : undefined,
    };
}

/** The message of an error (or its text). */
export function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** A connect failure, naming the server (never the password). */
export function connectError(connection: ParsedConnection, err: unknown, timeoutMs: number): Error {
    return scrubbedError(
        `could not connect to ${connection.dialect.label} at ${redactUrl(connection.url)} ` +
            `(connect timeout ${Math.round(timeoutMs / 1000)} s)`,
        err,
        [connection.url, connection.password],
    );
}

/** A query failure, naming the server (never the password), with the driver's codes kept. */
export function queryError(connection: ParsedConnection, what: string, err: unknown): Error {
    const wrapped = scrubbedError(`${what} failed on ${redactUrl(connection.url)}`, err, [
        connection.url,
        connection.password,
    ]);
    const num = (err as { errorNum?: unknown } | null)?.errorNum;
    if (typeof num === "number") (wrapped as Error & { errno?: number }).errno = num;
    return wrapped;
}
