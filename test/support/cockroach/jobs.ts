/**
 * Changefeed jobs: ids, the status machine with CockroachDB's asynchronous transitions and
 * errors (reference §6.5, §6.6), feed start/stop, and the SHOW CHANGEFEED JOB(S) rows (§6.4).
 */
import { uncategorized } from "./errors";
import {
    changefeedDescription,
    redactSinkUri,
    type ChangefeedOptionMap,
} from "./changefeedOptions";
import { batchTimestampBeforeGc } from "./cursor";
import { compareHlc, formatDecimal, type Hlc, type HybridClock } from "./hlc";
import type { FeedSpec, RunningFeed, StartFeed } from "./feedTypes";
import {
    OID,
    formatTextArray,
    formatTimestamptz,
    type Column,
    type ResultSet,
    textColumn,
} from "./results";

export type JobStatus =
    | "pending"
    | "running"
    | "paused"
    | "pause-requested"
    | "cancel-requested"
    | "canceled"
    | "failed"
    | "succeeded";

export interface QualifiedTable {
    database: string;
    schema: string;
    table: string;
}

/** What CREATE CHANGEFEED decided; ALTER CHANGEFEED replaces parts of it. */
export interface ChangefeedDefinition {
    /** Targets as the description shows them (as written on CREATE, qualified after ALTER). */
    targetNames: string[];
    tables: QualifiedTable[];
    sinkUri: string;
    options: ChangefeedOptionMap;
}

export interface Job {
    id: string;
    owner: string;
    ownerIsAdmin: boolean;
    definition: ChangefeedDefinition;
    description: string;
    status: JobStatus;
    runningStatus: string | null;
    error: string;
    createdMicros: bigint;
    startedMicros: bigint;
    finishedMicros: bigint | null;
    modifiedMicros: bigint;
    /** Where the feed starts when there is no high-water yet: the cursor or the statement time. */
    statementTime: Hlc;
    highWater?: Hlc;
    feed?: Promise<RunningFeed | undefined>;
    /** Tables ALTER CHANGEFEED ... ADD ... WITH initial_scan asked to scan on the next resume. */
    pendingInitialScan?: string[];
    /** Bumped whenever a feed is started or stopped: events of older feeds are ignored. */
    generation: number;
}

/** Pause/cancel requests complete this long after the statement returns (async like CockroachDB). */
const TRANSITION_DELAY_MS = 150;
/** Jobs finished longer ago than this are hidden from SHOW CHANGEFEED JOBS (§6.4). */
const SHOW_JOBS_WINDOW_MICROS = 12n * 3600n * 1_000_000n;
/** unique_rowid epoch (2015-01-01) used by CockroachDB job ids. */
const UNIQUE_ID_EPOCH_NANOS = 1_420_070_400_000_000_000n;

export interface JobRegistryOptions {
    startFeed: StartFeed;
    backingDatabaseUrl: string;
    clock: HybridClock;
    /** Checked when a feed starts; changefeeds fail while rangefeeds are disabled (§6.1). */
    rangefeedsEnabled: () => boolean;
    /** The replica GC threshold now: a feed starting below it fails (its data was collected). */
    gcThreshold: () => Hlc;
    /**
     * At most one `running_status` update per this many ms from the frontier, and one
     * `transient error: …` per this many ms from the resumer (runStatusUpdateFrequency).
     */
    runningStatusIntervalMs: number;
    /** The docs version in CockroachDB's error links (e.g. `25.4`). */
    docsVersion: string;
}

export class JobRegistry {
    private readonly jobs = new Map<string, Job>();
    private lastId = 0n;
    private readonly timers = new Set<NodeJS.Timeout>();
    private stopped = false;

    constructor(private readonly options: JobRegistryOptions) {}

    nowMicros(): bigint {
        return this.options.clock.now().wallNanos / 1000n;
    }

    /** A CockroachDB-shaped job id: unique_rowid() (10µs ticks since 2015 << 15 | node id 1). */
    private nextId(): string {
        const ticks = (BigInt(Date.now()) * 1_000_000n - UNIQUE_ID_EPOCH_NANOS) / 10_000n;
        let id = (ticks << 15n) | 1n;
        if (id <= this.lastId) id = this.lastId + (1n << 15n);
        this.lastId = id;
        return id.toString();
    }

    get(id: string): Job | undefined {
        return this.jobs.get(id);
    }

    all(): Job[] {
        return [...this.jobs.values()];
    }

    /** Creates a running changefeed job and starts its feed. */
    create(
        owner: string,
        ownerIsAdmin: boolean,
        definition: ChangefeedDefinition,
        statementTime: Hlc,
        initialScan: boolean,
    ): Job {
        const now = this.nowMicros();
        const job: Job = {
            id: this.nextId(),
            owner,
            ownerIsAdmin,
            definition,
            description: changefeedDescription(
                definition.targetNames,
                definition.sinkUri,
                definition.options,
            ),
            status: "running",
            runningStatus: null,
            error: "",
            createdMicros: now,
            startedMicros: now,
            finishedMicros: null,
            modifiedMicros: now,
            statementTime,
            generation: 0,
        };
        this.jobs.set(job.id, job);
        const scanTables = initialScan
            ? definition.tables.map((t) => `${t.schema}.${t.table}`)
            : undefined;
        this.startFeed(job, scanTables);
        return job;
    }

    /** PAUSE JOB: no-op when already pausing/paused; `pause-requested` then `paused`. */
    pause(job: Job): void {
        if (job.status === "pause-requested" || job.status === "paused") return;
        if (!["pending", "running"].includes(job.status)) {
            throw uncategorized(`job with state ${job.status} cannot be requested to be paused`);
        }
        this.setStatus(job, "pause-requested");
        this.later(async () => {
            await this.stopFeed(job);
            if (job.status === "pause-requested") this.setStatus(job, "paused");
        });
    }

    /** RESUME JOB: no-op when running; only from `paused`. Restarts the feed at its high-water. */
    resume(job: Job): void {
        if (job.status === "running") return;
        if (job.status !== "paused") {
            throw uncategorized(`job with state ${job.status} cannot be resumed`);
        }
        this.setStatus(job, "running");
        this.startFeed(job, undefined);
    }

    /** CANCEL JOB: no-op when canceling/canceled; `cancel-requested` then `canceled`. */
    cancel(job: Job): void {
        if (job.status === "cancel-requested" || job.status === "canceled") return;
        if (!["pending", "running", "paused"].includes(job.status)) {
            throw uncategorized(`job with state ${job.status} cannot be requested to be canceled`);
        }
        this.setStatus(job, "cancel-requested");
        this.later(async () => {
            await this.stopFeed(job);
            if (job.status === "cancel-requested") {
                this.setStatus(job, "canceled");
                job.finishedMicros = this.nowMicros();
            }
        });
    }

    /** ALTER CHANGEFEED on a paused job: new definition; the next RESUME starts from the high-water. */
    alter(
        job: Job,
        definition: ChangefeedDefinition,
        description: string,
        scanTables: string[],
    ): void {
        job.definition = definition;
        job.description = description;
        job.pendingInitialScan = scanTables.length > 0 ? scanTables : undefined;
        job.modifiedMicros = this.nowMicros();
        void this.stopFeed(job);
    }

    /** A non-retryable error: `failed`, or `paused` with on_error=pause (§6.5). */
    fail(job: Job, error: string): void {
        if (["failed", "canceled", "succeeded"].includes(job.status)) return;
        void this.stopFeed(job);
        if (job.definition.options.on_error === "pause") {
            // handleChangefeedError: PauseRequested with the status message set directly.
            job.runningStatus = `job failed (${error}) but is being paused because of on_error=pause`;
            this.setStatus(job, "pause-requested");
            this.later(async () => {
                if (job.status === "pause-requested") this.setStatus(job, "paused");
            });
            return;
        }
        job.error = error;
        job.finishedMicros = this.nowMicros();
        this.setStatus(job, "failed");
    }

    /** Stops every feed and timer (server shutdown). */
    async close(): Promise<void> {
        this.stopped = true;
        for (const timer of this.timers) clearTimeout(timer);
        this.timers.clear();
        await Promise.all(this.all().map((job) => this.stopFeed(job)));
    }

    /** SHOW CHANGEFEED JOBS (running first, finished in the last 12 h) or SHOW CHANGEFEED JOB <id>. */
    show(jobs: readonly Job[], applyAgeFilter: boolean): ResultSet {
        const now = this.nowMicros();
        const visible = jobs
            .filter(
                (j) =>
                    !applyAgeFilter ||
                    j.finishedMicros === null ||
                    now - j.finishedMicros <= SHOW_JOBS_WINDOW_MICROS,
            )
            .sort((a, b) => {
                const fa = a.finishedMicros ?? now;
                const fb = b.finishedMicros ?? now;
                if (fa !== fb) return fa > fb ? -1 : 1;
                return a.startedMicros === b.startedMicros
                    ? 0
                    : a.startedMicros > b.startedMicros
                      ? -1
                      : 1;
            });
        const columns: Column[] = [
            { name: "job_id", oid: OID.int8 },
            textColumn("description"),
            textColumn("user_name"),
            textColumn("status"),
            textColumn("running_status"),
            { name: "created", oid: OID.timestamptz },
            { name: "started", oid: OID.timestamptz },
            { name: "finished", oid: OID.timestamptz },
            { name: "modified", oid: OID.timestamptz },
            { name: "high_water_timestamp", oid: OID.numeric },
            { name: "readable_high_water_timestamptz", oid: OID.timestamptz },
            textColumn("error"),
            textColumn("sink_uri"),
            { name: "full_table_names", oid: OID.textArray },
            textColumn("topics"),
            textColumn("format"),
        ];
        const rows = visible.map((job) => [
            job.id,
            job.description,
            job.owner,
            job.status,
            job.runningStatus,
            formatTimestamptz(job.createdMicros),
            formatTimestamptz(job.startedMicros),
            job.finishedMicros === null ? null : formatTimestamptz(job.finishedMicros),
            formatTimestamptz(job.modifiedMicros),
            job.highWater ? formatDecimal(job.highWater) : null,
            job.highWater ? formatTimestamptz(job.highWater.wallNanos / 1000n) : null,
            job.error,
            redactSinkUri(job.definition.sinkUri),
            // concat(database_name, '.', schema_name, '.', name): raw names, never quoted.
            formatTextArray(
                job.definition.tables.map((t) => `${t.database}.${t.schema}.${t.table}`),
            ),
            null,
            job.definition.options.format ?? "json",
        ]);
        return { columns, rows, tag: `SHOW CHANGEFEED JOBS ${rows.length}` };
    }

    private setStatus(job: Job, status: JobStatus): void {
        job.status = status;
        job.modifiedMicros = this.nowMicros();
    }

    private later(action: () => Promise<void>): void {
        if (this.stopped) return;
        const timer = setTimeout(() => {
            this.timers.delete(timer);
            void action();
        }, TRANSITION_DELAY_MS);
        this.timers.add(timer);
    }

    private startFeed(job: Job, scanTables: string[] | undefined): void {
        const generation = ++job.generation;
        const current = () => job.generation === generation && job.status === "running";
        if (!this.options.rangefeedsEnabled()) {
            this.later(async () => {
                if (current()) {
                    this.fail(
                        job,
                        `rangefeeds require the kv.rangefeed.enabled setting. See https://www.cockroachlabs.com/docs/v${this.options.docsVersion}/create-and-configure-changefeeds.html#enable-rangefeeds`,
                    );
                }
            });
            return;
        }
        const startAt = job.highWater ?? job.statementTime;
        const threshold = this.options.gcThreshold();
        if (compareHlc(startAt, threshold) <= 0) {
            // The catch-up scan reads below the GC threshold: the data under it was collected.
            this.later(async () => {
                if (current()) this.fail(job, batchTimestampBeforeGc(startAt, threshold));
            });
            return;
        }
        const interval = this.options.runningStatusIntervalMs;
        // changeFrontier.Start: a flow that finds a status message already set (a retry after a
        // transient error, a resume) keeps it for a full interval before overwriting it.
        let lastFrontierStatus = job.runningStatus ? Date.now() : -Infinity;
        let lastTransientStatus = -Infinity;
        const tables = scanTables ?? job.pendingInitialScan;
        job.pendingInitialScan = undefined;
        const spec: FeedSpec = {
            jobId: job.id,
            tables: job.definition.tables.map((t) => ({ ...t })),
            sinkUri: job.definition.sinkUri,
            options: { ...job.definition.options },
            startAfter: job.highWater ?? job.statementTime,
            ...(tables && tables.length > 0 ? { initialScanTables: tables } : {}),
        };
        job.feed = this.options
            .startFeed(spec, this.options.backingDatabaseUrl, this.options.clock, {
                checkpoint: (highWater) => {
                    if (!current()) return;
                    if (!job.highWater || compareHlc(highWater, job.highWater) > 0)
                        job.highWater = highWater;
                    job.modifiedMicros = this.nowMicros();
                },
                runningStatus: (text) => {
                    if (!current()) return;
                    const now = Date.now();
                    if (text.startsWith("transient error")) {
                        // The resumer throttles its message. The flow restarts and its new
                        // frontier finds a status set, so it waits a full interval before it
                        // overwrites it: a published transient error stays visible until then.
                        const publish = now - lastTransientStatus >= interval;
                        if (publish || job.runningStatus) lastFrontierStatus = now;
                        if (!publish) return;
                        lastTransientStatus = now;
                    } else {
                        if (now - lastFrontierStatus < interval) return;
                        lastFrontierStatus = now;
                    }
                    job.runningStatus = text;
                    job.modifiedMicros = this.nowMicros();
                },
                failed: (error) => {
                    if (current()) this.fail(job, error);
                },
            })
            .catch((err: unknown) => {
                if (current()) this.fail(job, err instanceof Error ? err.message : String(err));
                return undefined;
            });
    }

    private async stopFeed(job: Job): Promise<void> {
        job.generation++;
        const feed = job.feed;
        job.feed = undefined;
        const running = await feed;
        await running?.stop();
    }
}
