/**
 * CockroachDB sessions, opened through the kernel's one session opener with the `pg` driver
 * (loaded only when a session is opened). INTERVAL values are kept as the server's text.
 */
import type * as pgTypes from "pg";

import {
    type DriverConnection,
    openSession,
    type Row,
    type SessionTimeouts,
    type SqlSession,
    withSession as withOpenSession,
} from "../kernel/session";
import { type CockroachConnection, describeServer, explicitEndpoint } from "./connection";

export type { Row, SessionTimeouts } from "../kernel/session";

/** One open CockroachDB session. Every error it throws has been scrubbed of `secrets`. */
export type CockroachSession = SqlSession;

const INTERVAL_OID = 1186;

/**
 * Opens a session with bounded connect and statement timeouts. A server that does not answer
 * fails with an error that names it (redacted) instead of hanging. `secrets` are scrubbed from
 * every error message (the connection string itself always is).
 */
export async function connectCockroach(
    connection: string | CockroachConnection,
    secrets: ReadonlyArray<string | undefined> = [],
    timeouts: SessionTimeouts = {},
): Promise<CockroachSession> {
    const url = typeof connection === "string" ? connection : connection.url;
    return openSession(
        {
            product: "CockroachDB",
            server: typeof connection === "string" ? describeServer(url) : connection.server,
            secrets: [url, ...secrets],
            connect: (bounds) =>
                connectPg(
                    typeof connection === "string" ? explicitEndpoint(url) : connection.endpoint,
                    bounds,
                ),
        },
        timeouts,
    );
}

/** Opens a session, runs `work`, and always closes the session. */
export async function withSession<T>(
    connection: string | CockroachConnection,
    secrets: ReadonlyArray<string | undefined>,
    work: (session: CockroachSession) => Promise<T>,
    timeouts: SessionTimeouts = {},
): Promise<T> {
    return withOpenSession(() => connectCockroach(connection, secrets, timeouts), work);
}

async function connectPg(
    endpoint: string,
    timeouts: Required<SessionTimeouts>,
): Promise<DriverConnection> {
    const pg: typeof pgTypes = require("pg");
    const client = new pg.Client({
        connectionString: endpoint,
        connectionTimeoutMillis: timeouts.connectMs,
        query_timeout: timeouts.statementMs,
        types: {
            getTypeParser: ((oid: number, format?: "text" | "binary") =>
                oid === INTERVAL_OID
                    ? (value: string) => value
                    : pg.types.getTypeParser(
                          oid,
                          format ?? "text",
                      )) as pgTypes.CustomTypesConfig["getTypeParser"],
        },
    });
    // An idle client whose socket dies emits 'error'; without a listener that would crash.
    client.on("error", () => undefined);
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
    }
    return {
        async query(text, params) {
            const result = await client.query(text, params as unknown[] | undefined);
            return result.rows as Row[];
        },
        end: () => client.end(),
    };
}
