/**
 * The webhook request pipeline of `replicator start` (reference/replicator.md §3–§6, source
 * `internal/source/cdc/handler.go`): path → target schema (404), JWT check (401), body decode
 * and staging (400 on any error, 200 `OK` on success). A resolved timestamp records a
 * checkpoint (rejecting one that goes backwards) and then applies every staged mutation up to
 * it to the target in one transaction.
 */
import { planApply } from "./applyPlan";
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
    respondWith?: RespondWith;
    stats: { upserts: number; deletes: number; resolved: string[] };
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
        const tables = await this.deps.target.tables(target.schema);
        const group = target.schema.join(".").toLowerCase();
        if (body.kind === "resolved") {
            await this.serialized(group, () => this.resolved(group, tables, body.resolved));
            return;
        }
        const byTable = new Map<string, StagedMutation[]>();
        for (const row of body.rows) {
            const table = this.tableFor(target, tables, row);
            const name = stagingTableName(table.parts);
            const list = byTable.get(name) ?? [];
            list.push(stagedMutation(table, row));
            byTable.set(name, list);
        }
        if (byTable.size > 0) await this.deps.staging.stage(byTable);
    }

    private tableFor(target: WebhookTarget, tables: TargetTable[], row: WebhookRow): TargetTable {
        const name = target.table ?? row.topic.split(".").pop() ?? "";
        if (name === "") {
            throw new Error(
                "table name is empty, please ensure the table name is included in the path",
            );
        }
        const lower = name.toLowerCase();
        const found =
            tables.find((t) => t.parts[t.parts.length - 1] === name) ??
            tables.find((t) => t.parts[t.parts.length - 1]!.toLowerCase() === lower);
        if (!found) throw new Error(`unknown table ${quotedName([...target.schema, name])}`);
        return found;
    }

    private async resolved(group: string, tables: TargetTable[], ts: Hlc): Promise<void> {
        const { staging, target, metrics, stats } = this.deps;
        if (!(await staging.advanceCheckpoint(group, group, ts))) {
            metrics.add("checkpoint_proposed_going_backwards_errors_total", {});
            throw new Error(
                `proposed checkpoint timestamp for group=${group}, partition=${group} is going ` +
                    `backwards: ${formatHlc(ts)}; verify changefeed cursor or remove ` +
                    "already-applied checkpoint timestamp entries",
            );
        }
        metrics.set("target_pending_timestamp_seconds", { schema: group }, wallSeconds(ts));
        const names = tables.map((t) => stagingTableName(t.parts));
        const staged = await staging.unapplied(names, ts);
        const statements = planApply(
            target.product === "postgresql" ? "postgresql" : "mysql",
            tables,
            tables.map((t) => staged.get(stagingTableName(t.parts)) ?? []),
        );
        if (statements.length > 0) {
            try {
                await target.apply(statements);
            } catch (err) {
                metrics.add("apply_errors_total", { schema: group });
                throw err;
            }
        }
        await staging.markApplied([...staged.keys()], ts);
        await staging.commitCheckpoints(group, ts);
        for (const s of statements) {
            const labels = { schema: group, table: s.table.parts[s.table.parts.length - 1]! };
            if (s.kind === "upsert") {
                metrics.add("apply_upserts_total", labels, s.count);
                stats.upserts += s.count;
            } else {
                metrics.add("apply_deletes_total", labels, s.count);
                stats.deletes += s.count;
            }
        }
        metrics.set("target_applied_timestamp_seconds", { schema: group }, wallSeconds(ts));
        stats.resolved.push(formatHlc(ts));
    }

    /** Runs `work` after any earlier resolved handling of the same group has finished. */
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

function wallSeconds(ts: Hlc): number {
    return Number(ts.nanos / 1_000_000n) / 1000;
}

function stagedMutation(table: TargetTable, row: WebhookRow): StagedMutation {
    const ts = parseHlc(row.updated);
    const after: JsonValue = isDelete(row) ? null : row.after!;
    let key = row.key;
    if ((key === undefined || key === null) && after instanceof Map) {
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
