/** What the ClusterSettings apply steps depend on (tests pass shorter bounds and their own warn). */
import type { CockroachConnection, CockroachSession } from "../../cockroach";

/** Runs `work` on a fresh bounded session and always closes it. */
export type OpenSession = <T>(
    connection: CockroachConnection | string,
    secrets: ReadonlyArray<string | undefined>,
    work: (session: CockroachSession) => Promise<T>,
) => Promise<T>;

/** The I/O the lifecycle methods use. */
export interface ApplyContext {
    open: OpenSession;
    /** Where warnings go (a setting left alone because an operator changed it). */
    warn: (message: string) => Promise<void> | void;
}
