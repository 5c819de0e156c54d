/**
 * What the lifecycle functions depend on — the session openers and their timeouts — and the one
 * place a session is opened from a parsed configuration.
 */
import type { TargetDialect } from "../../targets";
import type { ParsedConnection } from "../../targets/dialect";
import {
    DEFAULT_SESSION_OPTIONS,
    type GrantSession,
    type SessionOpener,
    type SessionOptions,
} from "../../targets/session";
import type { Dialect } from "../../targets/types";

/** What the lifecycle depends on; tests replace the session openers and timeouts. */
export interface ApplyDeps {
    /** Session openers replacing a dialect's own driver connection (tests). */
    openers: Partial<Record<Dialect, SessionOpener>>;
    sessionOptions: SessionOptions;
}

export const DEFAULT_DEPS: ApplyDeps = { openers: {}, sessionOptions: DEFAULT_SESSION_OPTIONS };

/** Attempts of a change that lost a race with another session (re-read and re-planned each time). */
export const MAX_CHANGE_ATTEMPTS = 4;

/** Opens a session on `connection` with the dialect's opener (or the one `deps` puts instead). */
export function openSession(
    deps: ApplyDeps,
    dialect: TargetDialect,
    connection: ParsedConnection,
): Promise<GrantSession> {
    const opener = deps.openers[dialect.name] ?? dialect.openSession;
    return opener(connection, deps.sessionOptions);
}

/** Runs `work` on a new session of `config`'s connection and closes it afterwards. */
export async function withSession<T>(
    deps: ApplyDeps,
    config: { dialect: TargetDialect; connection: ParsedConnection },
    work: (session: GrantSession) => Promise<T>,
): Promise<T> {
    const session = await openSession(deps, config.dialect, config.connection);
    try {
        return await work(session);
    } finally {
        await session.close();
    }
}

/** Waits before the next attempt of a change that lost a race. */
export function backOff(attempt: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 50 * attempt));
}
