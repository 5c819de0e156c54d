/**
 * Judges the rows of the pre-flight's reads: every problem, warning and check that could not
 * run, each with the object and the fix. Pure. docs/preflight.md lists the checks.
 */
import { parseHlc, quoteIdent, quoteQualifiedName } from "../cockroach";
import { optionsNotOnVersion, parseClusterVersion } from "../changefeed/clusterVersion";
import type { PreflightStep } from "./plan";
import {
    cockroachTables,
    judgeCockroachPrivileges,
    judgeTarget,
    truthy,
    type Add,
    type Rows,
} from "./schemaFindings";
import type { Finding, PreflightConfig } from "./types";

/** Rows of each step by id, or the error it failed with. */
export type StepResults = Map<string, Record<string, unknown>[] | Error>;

/** Staging tables that only a replicator that ran with this schema leaves behind. */
const STAGING_TABLES = ["memo", "checkpoints", "resolved_timestamps", "leases"];

const lower = (s: string) => s.toLowerCase();

export function judgePreflight(
    config: PreflightConfig,
    steps: readonly PreflightStep[],
    results: StepResults,
): Finding[] {
    const findings: Finding[] = [];
    const add = (f: Finding) => findings.push(f);
    const rows = (id: string): Record<string, unknown>[] | undefined => {
        const result = results.get(id);
        if (result === undefined) return undefined;
        if (!(result instanceof Error)) return result;
        const step = steps.find((s) => s.id === id);
        if (step?.optional === undefined) {
            add({
                severity: "error",
                check: "tables",
                object: step?.note ?? id,
                problem: `could not be read: ${result.message}`,
                fix: "check the connection's user can read the catalog",
            });
        }
        return undefined;
    };

    judgeCluster(config, rows, results, add);
    const cockroach = cockroachTables(config, rows, add);
    judgeCockroachPrivileges(config, rows, add, results);
    judgeTarget(config, rows, steps, cockroach, add);
    judgeStaging(config, results, add);
    judgeGcTtl(config, rows, results, add);
    return findings;
}

function judgeCluster(config: PreflightConfig, rows: Rows, results: StepResults, add: Add): void {
    const version = parseClusterVersion(String(rows("version")?.[0]?.v ?? ""));
    if (version) {
        for (const problem of optionsNotOnVersion(config.changefeedOptions, version)) {
            add({
                severity: "error",
                check: "cluster",
                object: `changefeed option ${problem.option}`,
                problem: problem.reason.split(": ")[0]!,
                fix: problem.reason.split(": ").slice(1).join(": ") || "remove it",
            });
        }
    }
    const unread = results.get("rangefeed");
    if (unread instanceof Error && !config.rangefeedManaged) {
        add({
            severity: "notChecked",
            check: "cluster",
            object: "cluster setting kv.rangefeed.enabled",
            problem: `not checked: ${unread.message}`,
            fix: `GRANT SYSTEM VIEWCLUSTERSETTING TO ${quoteIdent(config.cockroachUser)}; or check SHOW CLUSTER SETTING kv.rangefeed.enabled as an admin`,
        });
    }
    const rangefeed = rows("rangefeed")?.[0];
    if (rangefeed && !truthy(Object.values(rangefeed)[0]) && !config.rangefeedManaged) {
        add({
            severity: "error",
            check: "cluster",
            object: "cluster setting kv.rangefeed.enabled",
            problem: "is false: a changefeed cannot start",
            fix: "SET CLUSTER SETTING kv.rangefeed.enabled = true; or let ClusterSettings manage it (rangefeedEnabled: true)",
        });
    }
}

function judgeStaging(config: PreflightConfig, results: StepResults, add: Add): void {
    const staging = `${config.staging.database}.${config.staging.schema}`;
    const result = results.get("staging");
    if (result === undefined) return;
    const names = result instanceof Error ? [] : result.map((r) => lower(String(r.table_name)));
    const found = STAGING_TABLES.filter((t) => names.includes(t));
    if (found.length > 0) return;
    const missing =
        result instanceof Error
            ? `cannot be read (${result.message})`
            : names.length === 0
              ? "does not exist or is empty"
              : "holds none of the replicator's tables";
    add({
        severity: config.stagingCreateSchema ? "warning" : "error",
        check: "staging",
        object: `staging schema ${staging}`,
        problem: `${missing} (${STAGING_TABLES.join(", ")}): forward replication did not stage here`,
        fix: config.stagingCreateSchema
            ? "the replicator will create it; check that stagingSchema is the --stagingSchema forward replication used"
            : "set stagingSchema to the --stagingSchema forward replication used (or stagingCreateSchema: true to start from an empty one)",
    });
}

function judgeGcTtl(config: PreflightConfig, rows: Rows, results: StepResults, add: Add): void {
    if (config.cursorWallNanos === undefined) return;
    const now = parseHlc(String(rows("now")?.[0]?.now ?? ""));
    if (!now) return;
    const ageSeconds = Number((now.wallNanos - config.cursorWallNanos) / 1_000_000_000n);
    const needed = Math.max(0, ageSeconds) + config.gcMarginSeconds;
    for (const table of config.tables) {
        const result = results.get(`zone:${table.key}`);
        const text =
            result instanceof Error || result === undefined
                ? undefined
                : String(result[0]?.raw_config_sql ?? "");
        const ttl = text === undefined ? undefined : /gc\.ttlseconds\s*=\s*(\d+)/.exec(text)?.[1];
        if (ttl === undefined) {
            add({
                severity: "notChecked",
                check: "gcTtl",
                object: `CockroachDB table ${table.key}`,
                problem: `GC TTL not checked: the zone configuration could not be read${result instanceof Error ? ` (${result.message})` : ""}`,
                fix: `verify that SHOW ZONE CONFIGURATION FROM TABLE ${qualified(table)} shows gc.ttlseconds of at least ${needed}`,
            });
        } else if (Number(ttl) < needed) {
            add({
                severity: "error",
                check: "gcTtl",
                object: `CockroachDB table ${table.key}`,
                problem: `gc.ttlseconds is ${ttl}, but the cursor is ${ageSeconds} s old (plus ${config.gcMarginSeconds} s margin): the changefeed would start behind the GC threshold`,
                fix: `ALTER TABLE ${qualified(table)} CONFIGURE ZONE USING gc.ttlseconds = ${needed}; or take a newer cursor`,
            });
        }
    }
}

/** The table as `"database"."schema"."table"`, valid from any current database. */
function qualified(table: { database: string; schema: string; table: string }): string {
    return quoteQualifiedName([table.database, table.schema, table.table]);
}
