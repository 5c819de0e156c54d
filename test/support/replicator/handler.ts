/**
 * The webhook request pipeline of `replicator start` (source `internal/source/cdc/handler.go`,
 * `webhook.go`, `resolved.go`; docs/replicator-behaviour.md): path → target schema (404), JWT
 * check (401), body decode (400), target schema lookup (400 `unknown schema`), then either
 * staging the rows or recording the resolved timestamp as a checkpoint with
 * `target_applied_at` NULL (400 when it goes backwards), and 200 `OK`. Nothing is applied to the
 * target here: the {@link BackgroundApplier} does that after the answer.
 */
import { BackgroundApplier, groupName } from "./applier";
import { TargetTable } from "./applyStatements";
import { Hlc, formatHlc, parseHlc } from "./hlc";
import { JsonValue, stringifyJson } from "./json";
import { JwtAuthenticator, extractToken } from "./jwtAuth";
import { Metrics } from "./metrics";
import { WebhookRow, isDelete, readWebhookBody } from "./payload";
import { StagedMutation, StagingStore, stagingTableName } from "./staging";
import { TargetDatabase } from "./target";
import { WebhookTarget, parseWebhookPath, quotedName } from "./webhookPath";

export interface HandlerRequest {
    method: string;
    url: URL;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

export interface HandlerResponse {
    status: number;
    body: string;
    authorized: boolean;
}

/** Fault-injection hook: return a response to send instead of processing the request. */
export type RespondWith = (req: {
    method: string;
    path: string;
    body: string;
    headers: Record<string, string | string[] | undefined>;
}) => { status: number; body: string } | undefined;

export interface HandlerDeps {
    target: TargetDatabase;
    staging: StagingStore;
    auth: JwtAuthenticator | undefined;
    metrics: Metrics;
    applier: BackgroundApplier;
    /** Best-effort mode: a row for a table the target lacks is a 400 (`router.go`). */
    refuseUnknownTables?: boolean;
    respondWith?: RespondWith;
}

const NOT_FOUND = "404 page not found";
const HEALTH_TIMEOUT_MS = 5_000;

export class WebhookHandler {
    private readonly locks = new Map<string, Promise<unknown>>();

    constructor(private readonly deps: HandlerDeps) {}

    async handle(req: HandlerRequest): Promise<HandlerResponse> {
        const path = req.url.pathname;
        if (path === "/_/healthz") return { ...(await this.health()), authorized: true };
        if (path.startsWith("/_/") || path.startsWith("/debug/pprof/")) {
            return { status: 404, body: NOT_FOUND, authorized: false };
        }
        const target = parseWebhookPath(path, this.deps.target.product);
        if (!target) return { status: 404, body: NOT_FOUND, authorized: false };

        if (this.deps.auth) {
            const header = req.headers.authorization;
            const token = extractToken(Array.isArray(header) ? header[0] : header, req.url);
            if (!(await this.deps.auth.check(target.schema, token))) {
                return { status: 401, body: "missing or invalid access token", authorized: false };
            }
        }
        const injected = this.deps.respondWith?.({
            method: req.method,
            path,
            body: req.body,
            headers: req.headers,
        });
        if (injected) return { ...injected, authorized: true };
        try {
            await this.webhook(target, req.body);
            return { status: 200, body: "OK", authorized: true };
        } catch (err) {
            return { status: 400, body: (err as Error).message, authorized: true };
        }
    }

    private async health(): Promise<{ status: number; body: string }> {
        const within = (p: Promise<void>) =>
            Promise.race([
                p,
                new Promise<void>((_, reject) => {
                    setTimeout(() => reject(new Error("timeout")), HEALTH_TIMEOUT_MS).unref();
                }),
            ]);
        try {
            await within(this.deps.staging.ping());
        } catch {
            return { status: 500, body: "health check failed for staging" };
        }
        try {
            await within(this.deps.target.ping());
        } catch {
            return { status: 500, body: "health check failed for target" };
        }
        return { status: 200, body: "OK" };
    }

    private async webhook(target: WebhookTarget, text: string): Promise<void> {
        const body = readWebhookBody(text);
        if (body.kind === "empty") return;
        // The conveyor for the schema is looked up before anything else: an unknown schema
        // fails the request (Conveyors.Get → schema watcher).
        const tables = await this.deps.target.tables(target.schema);
        if (body.kind === "resolved") {
            await this.resolved(target.schema, body.resolved);
            return;
        }
        // Rows are staged under the table named by the path or the topic, whether the target
        // has it or not: the target is only consulted when the rows are applied.
        const byTable = new Map<string, StagedMutation[]>();
        for (const row of body.rows) {
            const name = target.table ?? row.topic.split(".").pop() ?? "";
            if (name === "") {
                throw new Error(
                    "table name is empty, please ensure the table name is included in the path",
                );
            }
            const table = knownTable(tables, name);
            if (!table && this.deps.refuseUnknownTables) {
                throw new Error(`unknown table ${quotedName([...target.schema, name])}`);
            }
            const stagingName = stagingTableName([...target.schema, name]);
            const list = byTable.get(stagingName) ?? [];
            list.push(stagedMutation(table, row));
            byTable.set(stagingName, list);
        }
        if (byTable.size > 0) await this.deps.staging.stage(byTable);
    }

    /** Records the checkpoint (target_applied_at NULL) and wakes the background applier. */
    private async resolved(schema: string[], ts: Hlc): Promise<void> {
        const { staging, metrics, applier } = this.deps;
        const group = groupName(schema);
        const name = schema.join(".");
        const advanced = await this.serialized(group, () =>
            staging.advanceCheckpoint(group, group, ts),
        );
        if (!advanced) {
            metrics.add("checkpoint_proposed_going_backwards_errors", { schema: name });
            throw new Error(
                `proposed checkpoint timestamp for group=${quotedName([group])} [ ], ` +
                    `partition=${quotedName([group])} is going backwards: ${formatHlc(ts)}; ` +
                    "verify changefeed cursor or remove already-applied checkpoint timestamp entries",
            );
        }
        metrics.set(
            "target_pending_timestamp_seconds",
            { kind: "cdc", target: name },
            wallSeconds(ts),
        );
        applier.wake(schema);
    }

    /** Runs `work` after any earlier checkpoint write of the same group has finished. */
    private async serialized<T>(group: string, work: () => Promise<T>): Promise<T> {
        const previous = this.locks.get(group) ?? Promise.resolve();
        const next = previous.catch(() => undefined).then(work);
        this.locks.set(group, next);
        try {
            return await next;
        } finally {
            if (this.locks.get(group) === next) this.locks.delete(group);
        }
    }
}

/** The target table a row names, when the target has it (for its primary key). */
function knownTable(tables: TargetTable[], name: string): TargetTable | undefined {
    const lower = name.toLowerCase();
    return (
        tables.find((t) => t.parts[t.parts.length - 1] === name) ??
        tables.find((t) => t.parts[t.parts.length - 1]!.toLowerCase() === lower)
    );
}

function wallSeconds(ts: Hlc): number {
    return Number(ts.nanos / 1_000_000n) / 1000;
}

function stagedMutation(table: TargetTable | undefined, row: WebhookRow): StagedMutation {
    const ts = parseHlc(row.updated);
    const after: JsonValue = isDelete(row) ? null : row.after!;
    let key = row.key;
    if ((key === undefined || key === null) && after instanceof Map && table) {
        const pk = table.columns.filter((c) => c.primary).map((c) => c.name.toLowerCase());
        const byName = new Map([...after].map(([k, v]) => [k.toLowerCase(), v] as const));
        key = pk.map((name) => byName.get(name) ?? null);
    }
    return {
        nanos: ts.nanos,
        logical: ts.logical,
        key: stringifyJson(key ?? null),
        mut: stringifyJson(after),
    };
}
