/**
 * The background half of `replicator start`: the target is written after the webhook has
 * answered, never inside the request (docs/replicator-behaviour.md, "Apply in the background").
 *
 * For each group (one target schema) it takes the latest checkpoint whose `target_applied_at`
 * is NULL, applies every staged mutation up to it to the target in one transaction, marks the
 * mutations applied and only then sets `target_applied_at` on the checkpoints it covers
 * (`checkpoint/group.go` `Group.Commit`, "Sets target_applied_at to now()"). A failure — a
 * staged table the target does not have, a refused statement (privileges, constraints), schema
 * drift — is logged the way the real one logs it ("error while copying data for …; will
 * restart"), counted in `apply_errors_total` where the real one counts it, and retried; the
 * checkpoint stays unapplied until an attempt succeeds.
 */
import { TableApplyError, planApply } from "./applyPlan";
import { TargetTable } from "./applyStatements";
import { Hlc, formatHlc } from "./hlc";
import { Metrics } from "./metrics";
import { StagedMutation, StagingStore, stagingTableName } from "./staging";
import { TargetDatabase } from "./target";

/** What the applier needs from the stand-in. */
export interface ApplierDeps {
    staging: StagingStore;
    target: TargetDatabase;
    metrics: Metrics;
    stats: { upserts: number; deletes: number; resolved: string[] };
    /** Receives each log line (logrus text format, as the real one prints). */
    log: (line: string) => void;
    /** Delay before an attempt that failed is retried. */
    retryMs: number;
}

/** The checkpoint group of a target schema: its parts lower-cased, joined with `.`. */
export function groupName(schema: ReadonlyArray<string>): string {
    return schema.join(".").toLowerCase();
}

/** The `schema` label of the `apply_*` metrics: the target table's schema, raw. */
function schemaLabel(table: TargetTable): string {
    return table.parts.slice(0, -1).join(".");
}

/** logrus' text format for one line (`level=… msg="…" key="…"`). */
export function logLine(level: string, msg: string, fields: Record<string, string> = {}): string {
    const q = (v: string) => JSON.stringify(v.replace(/[\r\n]+/g, " "));
    const rest = Object.entries(fields).map(([k, v]) => `${k}=${q(v)}`);
    return [`level=${level}`, `msg=${q(msg)}`, ...rest].join(" ");
}

export class BackgroundApplier {
    /** Target schema (path parts) of each group seen, so a retry knows where to apply. */
    private readonly schemas = new Map<string, string[]>();
    private readonly running = new Map<string, Promise<void>>();
    private readonly again = new Set<string>();
    private readonly timers = new Set<NodeJS.Timeout>();
    private stageOnly: boolean;
    private stopped = false;

    constructor(
        private readonly deps: ApplierDeps,
        stageOnly: boolean,
    ) {
        this.stageOnly = stageOnly;
    }

    /** A resolved timestamp was recorded for the group: apply up to it (soon, not now). */
    wake(schema: ReadonlyArray<string>): void {
        const group = groupName(schema);
        this.schemas.set(group, [...schema]);
        if (this.stopped || this.stageOnly) return;
        if (this.running.has(group)) {
            this.again.add(group);
            return;
        }
        const run = this.drain(group).finally(() => {
            this.running.delete(group);
            if (this.again.delete(group)) this.wake(this.schemas.get(group)!);
        });
        this.running.set(group, run);
    }

    /** Stage without applying (true) or resume applying every group seen (false). */
    setStageOnly(on: boolean): void {
        this.stageOnly = on;
        if (!on) for (const schema of this.schemas.values()) this.wake(schema);
    }

    async stop(): Promise<void> {
        this.stopped = true;
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        await Promise.allSettled([...this.running.values()]);
    }

    private async drain(group: string): Promise<void> {
        const schema = this.schemas.get(group)!;
        for (;;) {
            if (this.stopped || this.stageOnly) return;
            try {
                const upTo = await this.deps.staging.latestUnapplied(group);
                if (!upTo) return;
                if (!(await this.applyUpTo(group, schema, upTo))) return;
            } catch (err) {
                if (this.stopped) return;
                this.deps.log(
                    logLine("warning", `error while copying data for ${group}; will restart`, {
                        error: (err as Error).message,
                    }),
                );
                this.retryLater(schema);
                return;
            }
        }
    }

    private retryLater(schema: string[]): void {
        const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.wake(schema);
        }, this.deps.retryMs);
        timer.unref();
        this.timers.add(timer);
    }

    /**
     * One attempt for the group up to `upTo`. Returns false when the checkpoint cannot be
     * committed at all (a schema without tables: the real one never commits one).
     */
    private async applyUpTo(group: string, schema: string[], upTo: Hlc): Promise<boolean> {
        const { staging, target, metrics, stats } = this.deps;
        const tables = await target.tables(schema);
        if (tables.length === 0) return false;
        const prefix = `${stagingTableName(schema)}_`;
        const byStagingName = new Map(tables.map((t) => [stagingTableName(t.parts), t]));
        const stagedNames = await staging.stagingTables(prefix);
        const staged = await staging.unapplied(stagedNames, upTo);

        const unknown = [...staged.keys()].filter((name) => !byStagingName.has(name));
        if (unknown.length > 0) {
            const anyUpsert = unknown.some((n) => staged.get(n)!.some((m) => m.mut !== "null"));
            const names = unknown.map((n) => `${group}.${n.slice(prefix.length)}`).join(", ");
            throw new Error(`${anyUpsert ? "update" : "delete"} sent to unknown tables: ${names}`);
        }

        const perTable: StagedMutation[][] = tables.map(
            (t) => staged.get(stagingTableName(t.parts)) ?? [],
        );
        let affected: number[] = [];
        let statements;
        try {
            statements = planApply(
                target.product === "postgresql" ? "postgresql" : "mysql",
                tables,
                perTable,
            );
            if (statements.length > 0) affected = await target.apply(statements);
        } catch (err) {
            if (err instanceof TableApplyError) {
                metrics.add("apply_errors_total", {
                    schema: schemaLabel(err.table),
                    table: err.table.parts.at(-1)!,
                });
            }
            throw err;
        }
        await staging.markApplied([...staged.keys()], upTo);
        await staging.commitCheckpoints(group, upTo);

        statements.forEach((s, i) => {
            const labels = { schema: schemaLabel(s.table), table: s.table.parts.at(-1)! };
            if (s.kind === "upsert") {
                metrics.add("apply_upserts_total", labels, affected[i] ?? 0);
                stats.upserts += s.count;
            } else {
                metrics.add("apply_deletes_total", labels, affected[i] ?? 0);
                stats.deletes += s.count;
            }
        });
        const wall = Number(upTo.nanos / 1_000_000n) / 1000;
        metrics.set(
            "target_applied_timestamp_seconds",
            { kind: "cdc", target: schema.join(".") },
            wall,
        );
        metrics.set("checkpoint_committed_time_seconds", { schema: schema.join(".") }, wall);
        stats.resolved.push(formatHlc(upTo));
        return true;
    }
}
