/**
 * CockroachDB test server: speaks pgwire on 127.0.0.1 and implements the CockroachDB statements
 * the package uses itself (docs/cockroachdb-behaviour.md), delegating plain SQL to a PostgreSQL
 * database it creates for itself and drops on stop().
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { Client, Pool } from "pg";
import { POSTGRES_ADMIN_URL, uniqueName } from "../services";
import { Connection } from "./connection";
import { HybridClock, formatDecimal as formatHighWater } from "./hlc";
import { installChangeCapture, startFeed } from "./feed";
import { JobRegistry, type QualifiedTable } from "./jobs";
import { PrivilegeModel } from "./privileges";
import type { ServerState } from "./session";
import { resolveProfile, type CockroachProfileName } from "./profiles";
import { SettingStore } from "./settings";
import { gcThresholdAt } from "./cursor";

export interface CockroachTestServerOptions {
    /** Name of the one CockroachDB database. Default `defaultdb`. */
    database?: string;
    /** Value of crdb_internal.cluster_id(). Default: a random UUID. */
    clusterId?: string;
    /** Behave like a CockroachDB Cloud Basic/Standard virtual cluster. Default false. */
    virtualCluster?: boolean;
    /** A cursor older than now minus this is rejected (gc.ttlseconds). Default 14400 (4 h). */
    gcThresholdSeconds?: number;
    /** Admin URL of the PostgreSQL server that hosts the backing database. */
    postgresAdminUrl?: string;
    /**
     * The CockroachDB release to behave like (docs/cockroachdb-behaviour.md, "Version
     * profiles"). Default: `CRDB_PROFILE` from the environment, else the newest profile.
     */
    profile?: CockroachProfileName;
    /**
     * Minimum time between two `running_status` updates of a job (CockroachDB's
     * runStatusUpdateFrequency). Default 60000 (one minute), like a real cluster; tests that
     * need to watch several updates set it lower explicitly.
     */
    runningStatusIntervalMs?: number;
}

export interface CockroachTestServer {
    /** `postgres://root@127.0.0.1:<port>/<database>?sslmode=disable` */
    url: string;
    /** A URL for another user (with its password, if it has one). */
    urlFor(user: string, password?: string): string;
    port: number;
    /** The CockroachDB release this server behaves like. */
    profile: CockroachProfileName;
    /** The real PostgreSQL database behind the server. */
    backingDatabaseUrl: string;
    /** Every statement text received, in order. */
    statements: string[];
    jobs(): Array<{
        jobId: string;
        status: string;
        highWater?: string;
        runningStatus?: string;
        error?: string;
    }>;
    /** Makes a job fail with a non-retryable error, as if its feed had reported it. */
    failJob(jobId: string, error: string): void;
    stop(): Promise<void>;
}

/** changefeedccl runStatusUpdateFrequency. */
const RUN_STATUS_UPDATE_FREQUENCY_MS = 60_000;

function databaseUrl(adminUrl: string, database: string): string {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return url.toString();
}

export async function startCockroachTestServer(
    options: CockroachTestServerOptions = {},
): Promise<CockroachTestServer> {
    const database = options.database ?? "defaultdb";
    const adminUrl = options.postgresAdminUrl ?? POSTGRES_ADMIN_URL;
    const backingName = uniqueName("crdb_backing");
    const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
    await admin.connect();
    try {
        await admin.query(`CREATE DATABASE ${backingName}`);
    } finally {
        await admin.end();
    }
    const backingDatabaseUrl = databaseUrl(adminUrl, backingName);
    // Capture changes from the start, so rows written after a cursor was taken are not missed.
    await installChangeCapture(backingDatabaseUrl);
    const catalog = new Pool({
        connectionString: backingDatabaseUrl,
        max: 2,
        connectionTimeoutMillis: 10_000,
    });
    catalog.on("error", () => undefined);

    const profile = resolveProfile(options.profile);
    const gcThresholdSeconds = options.gcThresholdSeconds ?? 14_400;
    const virtualCluster = options.virtualCluster ?? false;
    const settings = new SettingStore(virtualCluster);
    const clock = new HybridClock();
    const state: ServerState = {
        database,
        clusterId: options.clusterId ?? randomUUID(),
        version: profile.versionText,
        profile,
        gcThresholdSeconds,
        settings,
        privileges: new PrivilegeModel(database),
        clock,
        statements: [],
        backingDatabaseUrl,
        jobs: new JobRegistry({
            startFeed,
            backingDatabaseUrl,
            clock,
            rangefeedsEnabled: () => settings.valueText("kv.rangefeed.enabled") === "true",
            gcThreshold: () => gcThresholdAt(clock.now(), gcThresholdSeconds),
            runningStatusIntervalMs:
                options.runningStatusIntervalMs ?? RUN_STATUS_UPDATE_FREQUENCY_MS,
            docsVersion: profile.clusterVersion,
        }),
        tableExists: async (table: QualifiedTable) => {
            const result = await catalog.query(
                "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2",
                [table.schema, table.table],
            );
            return (result.rowCount ?? 0) > 0;
        },
    };

    const connections = new Set<Connection>();
    let nextProcessId = 1;
    const server: Server = createServer((socket) => {
        const connection = new Connection(socket, state, nextProcessId++, (closed) =>
            connections.delete(closed),
        );
        connections.add(connection);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const urlFor = (user: string, password?: string) => {
        const credentials =
            password === undefined
                ? encodeURIComponent(user)
                : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
        return `postgres://${credentials}@127.0.0.1:${port}/${database}?sslmode=disable`;
    };

    let stopped = false;
    return {
        url: urlFor("root"),
        urlFor,
        port,
        profile: profile.name,
        backingDatabaseUrl,
        statements: state.statements,
        jobs: () =>
            state.jobs.all().map((job) => ({
                jobId: job.id,
                status: job.status,
                ...(job.highWater ? { highWater: formatHighWater(job.highWater) } : {}),
                ...(job.runningStatus !== null ? { runningStatus: job.runningStatus } : {}),
                ...(job.error !== "" ? { error: job.error } : {}),
            })),
        failJob: (jobId: string, error: string) => {
            const job = state.jobs.get(jobId);
            if (!job) throw new Error(`no job ${jobId}`);
            state.jobs.fail(job, error);
        },
        stop: async () => {
            if (stopped) return;
            stopped = true;
            await new Promise<void>((resolve) => {
                server.close(() => resolve());
                for (const connection of connections) connection.destroy();
            });
            await state.jobs.close();
            await catalog.end().catch(() => undefined);
            const cleanup = new Client({
                connectionString: adminUrl,
                connectionTimeoutMillis: 10_000,
            });
            await cleanup.connect();
            try {
                await cleanup.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                    [backingName],
                );
                await cleanup.query(`DROP DATABASE IF EXISTS ${backingName}`);
            } finally {
                await cleanup.end();
            }
        },
    };
}
