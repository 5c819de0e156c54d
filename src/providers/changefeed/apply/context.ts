/**
 * The runtime context of the Changefeed lifecycle: how sessions are opened (with which bounds),
 * how often delivery is polled, and the small helpers every job of `apply/` shares.
 */
import * as pulumi from "@pulumi/pulumi";

import { scrubSecrets } from "../../kernel/redact";
import {
    type CockroachSession,
    connectCockroach,
    type SessionTimeouts,
    sqlState,
} from "../../cockroach";
import { SELECT_CLUSTER_ID } from "../sql";

/** What the provider depends on; tests pass shorter bounds through `makeChangefeedProvider`. */
export interface ChangefeedProviderDeps {
    /** Connect and statement timeouts of every session (CockroachDB and staging). */
    sessionOptions: SessionTimeouts;
    /** Milliseconds between two looks at the job and the checkpoints while verifying delivery. */
    deliveryPollMs: number;
}

export const DEFAULT_DEPS: ChangefeedProviderDeps = {
    sessionOptions: { connectMs: 10_000, statementMs: 30_000 },
    deliveryPollMs: 500,
};

/** Runs `work` on a fresh session to `url` (bounded by the deps' timeouts) and closes it. */
export type OpenSession = <T>(
    url: string,
    secrets: readonly string[],
    work: (session: CockroachSession) => Promise<T>,
) => Promise<T>;

/** The provider's runtime context: how sessions are opened and how often delivery is polled. */
export interface Ctx {
    open: OpenSession;
    timeouts: SessionTimeouts;
    deliveryPollMs: number;
}

export function contextOf(deps: ChangefeedProviderDeps): Ctx {
    const open: OpenSession = async (url, secrets, work) => {
        const session = await connectCockroach(url, secrets, deps.sessionOptions);
        try {
            return await work(session);
        } finally {
            await session.close();
        }
    };
    return { open, timeouts: deps.sessionOptions, deliveryPollMs: deps.deliveryPollMs };
}

/**
 * Runs `work` on `session`; when the session itself is broken (an error without a SQLSTATE: the
 * connection was cut or timed out), runs it once more on a fresh session to `connection`.
 * Cleanup must not depend on the connection that just failed.
 */
export async function onLiveSession<T>(
    ctx: Ctx,
    session: CockroachSession,
    connection: string,
    secrets: readonly string[],
    work: (session: CockroachSession) => Promise<T>,
): Promise<T> {
    try {
        return await work(session);
    } catch (err) {
        if (sqlState(err) !== undefined) throw err;
        return ctx.open(connection, secrets, work);
    }
}

/** An error whose message has been scrubbed of every secret of the inputs. */
export function failure(message: string, secrets: readonly string[]): Error {
    return new Error(scrubSecrets(message, secrets));
}

export function logInfo(line: string): void {
    void pulumi.log.info(line);
}

export async function clusterId(session: CockroachSession): Promise<string> {
    const row = (await session.query(SELECT_CLUSTER_ID))[0] ?? {};
    return String(row["crdb_internal.cluster_id"] ?? Object.values(row)[0]);
}
