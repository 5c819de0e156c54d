/**
 * The feed engine's interface (contract: ./feed/index.ts). The job registry takes the starter as
 * a parameter so it can be tested with a recording fake; index.ts passes the real `startFeed`.
 */
import type { FeedEvents, FeedSpec, RunningFeed } from "./feed";
import type { HybridClock } from "./hlc";

export type { FeedEvents, FeedSpec, RunningFeed };

export type StartFeed = (
    spec: FeedSpec,
    backingDatabaseUrl: string,
    clock: HybridClock,
    events: FeedEvents,
) => Promise<RunningFeed>;
