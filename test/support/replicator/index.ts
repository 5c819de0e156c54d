/**
 * A stand-in for MOLT Replicator's `replicator start` (failback mode) used by tests as the
 * changefeed's webhook sink: an HTTPS webhook server plus a plain-HTTP metrics server, staging
 * tables in a PostgreSQL-protocol staging database and rows applied to a real PostgreSQL or
 * MySQL/MariaDB target as the target user. Like the real one, a webhook request only stages rows
 * or records a checkpoint; the target is written in the background, after which the
 * checkpoint's `target_applied_at` is set. Each modelled behaviour and its source is listed in
 * docs/replicator-behaviour.md.
 */
import {
    createServer as createHttpServer,
    IncomingMessage,
    Server,
    ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { AddressInfo } from "node:net";
import { BackgroundApplier, logLine } from "./applier";
import { HandlerResponse, RespondWith, WebhookHandler } from "./handler";
import { JwtAuthenticator, parsePublicKeys } from "./jwtAuth";
import { Metrics } from "./metrics";
import { StagingStore } from "./staging";
import { TargetDatabase, openTarget } from "./target";

export type { RespondWith } from "./handler";

export interface ReplicatorStandInOptions {
    /** `postgres://…` or `mysql://…` target, connecting AS THE GRANTEE; rows are applied there. */
    targetConnection: string;
    /** PostgreSQL-protocol URL of the staging "CockroachDB" (test server or its backing db). */
    stagingConnection: string;
    /**
     * `--stagingSchema`: `db.schema` (the db part is ignored, the schema part is the PostgreSQL
     * schema) or a one-part name `x` meaning `x.public` (PostgreSQL schema `public`).
     */
    stagingSchema: string;
    /** `--stagingCreateSchema`: create the schema when missing. Default false (start fails). */
    stagingCreateSchema?: boolean;
    /** Webhook TLS. With `clientCaPem`, client certificates are requested and verified. */
    tls: { certPem: string; keyPem: string; clientCaPem?: string };
    /** `--disableAuthentication`: accept every request without a JWT. Default false. */
    disableAuthentication?: boolean;
    /** How often jwt_public_keys / jwt_revoked_ids are re-read. Default 60 000 ms (the real one). */
    jwtKeyRefreshMs?: number;
    /** Webhook port; 0 (default) = ephemeral. */
    port?: number;
    /** Metrics port; 0 (default) = ephemeral. */
    metricsPort?: number;
    /** Fault injection: called for authorized webhook requests; a returned response is sent as is. */
    respondWith?: RespondWith;
    /**
     * Test seam: stage rows and record checkpoints but never apply them (every checkpoint keeps
     * `target_applied_at` NULL), as a replicator whose apply loop is stuck would. Default false.
     */
    stageOnly?: boolean;
    /**
     * The real one's sequencer mode. `consistent` (default; the steady state, and what
     * `--bestEffortWindow=0` forces): rows are staged whatever their table. `bestEffort` (the
     * mode a group starts in while its applied checkpoint is older than `--bestEffortWindow`):
     * rows for a table the target schema lacks are refused on the wire, `400 unknown table`.
     * Either way the target is written in the background.
     */
    mode?: "consistent" | "bestEffort";
    /** Delay before a failed background apply is retried. Default 1000 ms. */
    applyRetryMs?: number;
    /** Also receives every log line (they are always kept in `logs`). */
    onLog?: (line: string) => void;
}

export interface ReplicatorStandInRequest {
    path: string;
    status: number;
    body: string;
    authorized: boolean;
}

export interface ReplicatorStandIn {
    /** `https://127.0.0.1:<port>` */
    url: string;
    /** `http://127.0.0.1:<metricsPort>` */
    metricsUrl: string;
    /** Every request to the webhook port, in arrival order (body = request body). */
    requests: ReplicatorStandInRequest[];
    /** Rows applied to the target and the resolved timestamps applied so far. */
    stats(): { upserts: number; deletes: number; resolved: string[] };
    /** The stand-in's log lines so far (logrus text format, as the real one prints). */
    logs(): string[];
    /** Switches the "stage without applying" seam; switching it off resumes applying. */
    setStageOnly(on: boolean): void;
    /**
     * Sets absolute values of `apply_upserts_total` / `apply_deletes_total` for one
     * schema/table label pair, to script a "forward replicator" metrics endpoint in tests.
     */
    setCounters(
        schema: string,
        table: string,
        counts: { upserts?: number; deletes?: number },
    ): void;
    stop(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_LOG_LINES = 1_000;

export async function startReplicatorStandIn(
    options: ReplicatorStandInOptions,
): Promise<ReplicatorStandIn> {
    const staging = await StagingStore.open(
        options.stagingConnection,
        options.stagingSchema,
        options.stagingCreateSchema ?? false,
    );
    let target: TargetDatabase | undefined;
    let auth: JwtAuthenticator | undefined;
    try {
        if (!options.disableAuthentication) {
            auth = new JwtAuthenticator();
            await refreshAuth(auth, staging);
        }
        target = await openTarget(options.targetConnection);
    } catch (err) {
        await staging.close();
        throw err;
    }
    return serve(options, staging, target, auth);
}

async function refreshAuth(auth: JwtAuthenticator, staging: StagingStore): Promise<void> {
    const data = await staging.loadJwtData();
    auth.replace(parsePublicKeys(data.keys), data.revoked);
}

async function serve(
    options: ReplicatorStandInOptions,
    staging: StagingStore,
    target: TargetDatabase,
    auth: JwtAuthenticator | undefined,
): Promise<ReplicatorStandIn> {
    const metrics = new Metrics();
    const stats = { upserts: 0, deletes: 0, resolved: [] as string[] };
    const requests: ReplicatorStandInRequest[] = [];
    const logs: string[] = [];
    const log = (line: string) => {
        if (logs.length >= MAX_LOG_LINES) logs.shift();
        logs.push(line);
        options.onLog?.(line);
    };
    const applier = new BackgroundApplier(
        { staging, target, metrics, stats, log, retryMs: options.applyRetryMs ?? 1_000 },
        options.stageOnly ?? false,
    );
    const handler = new WebhookHandler({
        target,
        staging,
        auth,
        metrics,
        applier,
        refuseUnknownTables: options.mode === "bestEffort",
        respondWith: options.respondWith,
    });
    const inFlight = new Set<Promise<unknown>>();

    let refreshTimer: NodeJS.Timeout | undefined;
    let stopped = false;
    const scheduleRefresh = () => {
        if (!auth || stopped) return;
        refreshTimer = setTimeout(() => {
            const run = refreshAuth(auth, staging)
                .catch(() => undefined)
                .finally(scheduleRefresh);
            track(run);
        }, options.jwtKeyRefreshMs ?? 60_000);
    };
    const track = (p: Promise<unknown>) => {
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
    };

    const webhook = createHttpsServer(
        {
            cert: options.tls.certPem,
            key: options.tls.keyPem,
            ...(options.tls.clientCaPem
                ? { ca: options.tls.clientCaPem, requestCert: true, rejectUnauthorized: true }
                : {}),
        },
        (req, res) => {
            const work = (async () => {
                const url = new URL(req.url ?? "/", "https://127.0.0.1");
                let result: HandlerResponse;
                let body = "";
                try {
                    body = await readBody(req);
                    result = await handler.handle({
                        method: req.method ?? "GET",
                        url,
                        headers: req.headers,
                        body,
                    });
                } catch (err) {
                    result = { status: 400, body: (err as Error).message, authorized: false };
                }
                if (result.status === 400) {
                    log(
                        logLine("error", "", {
                            error: result.body,
                            uri: `${url.pathname}${url.search ? "?<redacted>" : ""}`,
                        }),
                    );
                }
                if (url.pathname !== "/_/healthz") {
                    requests.push({
                        path: url.pathname,
                        status: result.status,
                        body,
                        authorized: result.authorized,
                    });
                }
                metrics.add("http_status_codes_total", { code: String(result.status) });
                send(res, result.status, result.body);
            })();
            track(work);
        },
    );
    const metricsServer = createHttpServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
        if (path === "/_/varz") {
            res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
            res.end(metrics.render());
        } else if (path === "/_/healthz") {
            send(res, 200, "OK");
        } else {
            send(res, 404, "404 page not found");
        }
    });

    try {
        await listen(webhook, options.port ?? 0);
        await listen(metricsServer, options.metricsPort ?? 0);
    } catch (err) {
        await closeServer(webhook);
        await closeServer(metricsServer);
        await Promise.allSettled([staging.close(), target.close()]);
        throw err;
    }
    scheduleRefresh();

    return {
        url: `https://127.0.0.1:${(webhook.address() as AddressInfo).port}`,
        metricsUrl: `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`,
        requests,
        stats: () => ({
            upserts: stats.upserts,
            deletes: stats.deletes,
            resolved: [...stats.resolved],
        }),
        logs: () => [...logs],
        setStageOnly: (on) => applier.setStageOnly(on),
        setCounters(schema, table, counts) {
            if (counts.upserts !== undefined) {
                metrics.set("apply_upserts_total", { schema, table }, counts.upserts);
            }
            if (counts.deletes !== undefined) {
                metrics.set("apply_deletes_total", { schema, table }, counts.deletes);
            }
        },
        async stop() {
            if (stopped) return;
            stopped = true;
            if (refreshTimer) clearTimeout(refreshTimer);
            await Promise.all([closeServer(webhook), closeServer(metricsServer)]);
            await Promise.allSettled([...inFlight]);
            await applier.stop();
            await Promise.allSettled([staging.close(), target.close()]);
        },
    };
}

function send(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, {
        "Content-Type": "text/plain; charset=utf-8",
        "X-Content-Type-Options": "nosniff",
    });
    res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new Error("request body too large"));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

function listen(server: Server, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
            server.off("error", reject);
            resolve();
        });
    });
}

function closeServer(server: Server): Promise<void> {
    return new Promise((resolve) => {
        if (!server.listening) {
            resolve();
            return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
    });
}
