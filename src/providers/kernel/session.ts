/**
 * The one way this package opens a database session: bounded connect and statement timeouts,
 * every error scrubbed of the connection string and other secrets and naming the server, and
 * a close that never throws. A database side supplies only how its driver connects
 * ({@link SessionSpec.connect}); {@link withSession} runs work on a session and always closes it.
 */
import { scrubbedError } from "./redact";

/** Bounded timeouts for a session. */
export interface SessionTimeouts {
    /** Milliseconds to establish the connection (default 10 000). */
    connectMs?: number;
    /** Milliseconds any one statement may take, measured by the client (default 30 000). */
    statementMs?: number;
}

/** The timeouts a session uses when none are given. */
export const DEFAULT_SESSION_TIMEOUTS: Required<SessionTimeouts> = {
    connectMs: 10_000,
    statementMs: 30_000,
};

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** One open session. Every error it throws has been scrubbed of its secrets. */
export interface SqlSession {
    /** Runs one statement; `params` are bound as placeholders, never spliced into the text. */
    query(text: string, params?: readonly unknown[]): Promise<Row[]>;
    close(): Promise<void>;
}

/** A driver connection as a database side opens it, before scrubbing. */
export interface DriverConnection {
    query(text: string, params?: readonly unknown[]): Promise<Row[]>;
    /** Ends the connection; may throw (ignored). */
    end(): Promise<void>;
}

/** How to open one database's sessions. */
export interface SessionSpec {
    /** The product, for messages (`CockroachDB`, `PostgreSQL`). */
    product: string;
    /** Where the session goes, safe for messages (`host:port/database`). */
    server: string;
    /** Values scrubbed from every error (the connection string first). */
    secrets: ReadonlyArray<string | undefined>;
    /**
     * Opens the driver connection within `timeouts`; on failure it releases whatever it opened
     * and throws the driver's error.
     */
    connect(timeouts: Required<SessionTimeouts>): Promise<DriverConnection>;
}

/** Opens a session; a server that does not answer fails with an error naming it. */
export async function openSession(
    spec: SessionSpec,
    timeouts: SessionTimeouts = {},
): Promise<SqlSession> {
    const bounds = { ...DEFAULT_SESSION_TIMEOUTS, ...definedOnly(timeouts) };
    let connection: DriverConnection;
    try {
        connection = await spec.connect(bounds);
    } catch (err) {
        throw scrubbedError(
            `cannot connect to ${spec.product} at ${spec.server}`,
            err,
            spec.secrets,
        );
    }
    return {
        async query(text, params) {
            try {
                return await connection.query(text, params);
            } catch (err) {
                throw scrubbedError(`${spec.product} at ${spec.server}`, err, spec.secrets);
            }
        },
        async close() {
            await connection.end().catch(() => undefined);
        },
    };
}

/** Opens a session with `open`, runs `work` on it, and always closes it. */
export async function withSession<S extends { close(): Promise<void> }, T>(
    open: () => Promise<S>,
    work: (session: S) => Promise<T>,
): Promise<T> {
    const session = await open();
    try {
        return await work(session);
    } finally {
        await session.close();
    }
}

function definedOnly(timeouts: SessionTimeouts): SessionTimeouts {
    return Object.fromEntries(
        Object.entries(timeouts).filter(([, value]) => value !== undefined),
    ) as SessionTimeouts;
}
