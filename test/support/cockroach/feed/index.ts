/**
 * The changefeed delivery engine of the CockroachDB test server (contract: "Feed engine
 * interface"). The SQL server calls {@link startFeed} on CREATE / RESUME / ALTER and
 * `stop()` on PAUSE / CANCEL / ALTER; the engine captures changes from the backing PostgreSQL
 * database and delivers them to the webhook sink like CockroachDB does.
 */
import { Client } from "pg";
import type { HybridClock, Hlc } from "../hlc";
import { installChangeCapture as installWith } from "./capture";
import type { TableRef } from "./changes";
import { DEFAULT_TIMING, FeedLoop, type FeedTiming } from "./feedLoop";
import { readFeedOptions } from "./options";
import { parseWebhookSinkUri } from "./sinkUrl";
import { WebhookClient } from "./webhookClient";

export { encodeCertParam, decodeBase64Param, parseWebhookSinkUri } from "./sinkUrl";
export type { FeedTiming } from "./feedLoop";

export interface FeedSpec {
    /** The job id (for the SQL server's bookkeeping; not sent anywhere). */
    jobId: string;
    /** Watched tables: CockroachDB database (only used in `full_table_name` topics), schema, table. */
    tables: Array<{ database: string; schema: string; table: string }>;
    /** The full, unredacted `webhook-https://…` URI. */
    sinkUri: string;
    /** Validated option map; flags map to null. */
    options: Record<string, string | null>;
    /** Emit changes strictly after this (the cursor, or the high-water when resuming). */
    startAfter: Hlc;
    /**
     * `schema.table` names to scan at `startAfter` before streaming them. The engine never
     * derives a scan from the options: pass every table for CREATE without `cursor` or with
     * `initial_scan='yes'`, the added tables for ALTER … ADD … WITH initial_scan='yes', and
     * nothing on RESUME.
     */
    initialScanTables?: string[];
}

export interface FeedEvents {
    /** Job progress; called BEFORE the resolved message for it is emitted. */
    checkpoint(highWater: Hlc): void;
    /** `running: resolved=…` or `transient error: …`. */
    runningStatus(text: string): void;
    /** Non-retryable error (job → failed). */
    failed(error: string): void;
}

export interface RunningFeed {
    /** Stops polling, back-offs and in-flight requests; closes sockets and connections. Idempotent. */
    stop(): Promise<void>;
}

/**
 * Installs change capture in the backing database (idempotent). Call it when the backing
 * database is created, so changes made before the first changefeed starts (e.g. after a
 * `cursor` was taken) are captured; `startFeed` calls it too.
 */
export async function installChangeCapture(backingDatabaseUrl: string): Promise<void> {
    await withConnection(backingDatabaseUrl, installWith);
}

/**
 * Starts delivering `spec` to its sink. Resolves once capture is installed and the feed is
 * running; throws for a malformed sink URI or option.
 * @param timing engine knobs (poll interval, restart back-off); defaults suit tests.
 */
export async function startFeed(
    spec: FeedSpec,
    backingDatabaseUrl: string,
    clock: HybridClock,
    events: FeedEvents,
    timing: Partial<FeedTiming> = {},
): Promise<RunningFeed> {
    const target = parseWebhookSinkUri(spec.sinkUri);
    const options = readFeedOptions(spec.options);
    const tables: TableRef[] = spec.tables.map((t) => ({ schema: t.schema, table: t.table }));
    const scanNames = new Set(spec.initialScanTables ?? []);
    const scanTables = tables.filter((t) => scanNames.has(`${t.schema}.${t.table}`));
    const databaseOf = new Map(spec.tables.map((t) => [`${t.schema}.${t.table}`, t.database]));

    await withConnection(backingDatabaseUrl, installWith);
    const sink = new WebhookClient(target, {
        timeoutMs: options.clientTimeoutMs,
        authHeader: options.authHeader,
    });
    const loop = new FeedLoop(
        {
            tables,
            scanTables,
            startAfter: spec.startAfter,
            options,
            format: {
                updated: options.updated,
                diff: options.diff,
                mvccTimestamp: options.mvccTimestamp,
                topicOf: (schema, table) =>
                    options.fullTableName
                        ? `${databaseOf.get(`${schema}.${table}`) ?? ""}.${schema}.${table}`
                        : table,
            },
            timing: { ...DEFAULT_TIMING, ...timing },
        },
        () => connect(backingDatabaseUrl),
        clock,
        sink,
        events,
    );
    let stopping: Promise<void> | undefined;
    return {
        stop() {
            stopping ??= (async () => {
                await loop.stop();
                sink.close();
            })();
            return stopping;
        },
    };
}

/** A new connection; `end()` on it resolves once the socket is closed. */
async function connect(url: string): Promise<Client> {
    const client = new Client({
        connectionString: url,
        connectionTimeoutMillis: 10_000,
        statement_timeout: 30_000,
    });
    // An error while no query runs (e.g. the database is being dropped) must not crash the
    // process; the feed loop sees it on its next query and retries.
    client.on("error", () => undefined);
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
    }
    return client;
}

async function withConnection(url: string, work: (client: Client) => Promise<void>): Promise<void> {
    const client = await connect(url);
    try {
        await work(client);
    } finally {
        await client.end().catch(() => undefined);
    }
}
