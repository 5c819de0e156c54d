/**
 * Preflight plan: pure. Every catalog read the pre-flight runs, as statements with bound
 * parameters. `apply/` runs them, `findings.ts` judges their rows, `preview.ts` prints them.
 */
import { quoteIdent, quoteQualifiedName } from "../cockroach";
import { SELECT_IS_ADMIN, showGrantsOnTables, showSystemGrants } from "../changefeed/sql";
import type { TableRef } from "../changefeed/tables";
import type { TargetCatalogRequest } from "../targets/columns";
import type { PreflightConfig } from "./types";

/** Which session a step runs on. */
export type StepServer = "cockroach" | "staging" | "target";

/** One catalog read. */
export interface PreflightStep {
    /** Stable key of the result (`columns:defaultdb`, `target:1`, `zone:defaultdb.public.t`, …). */
    id: string;
    server: StepServer;
    sql: string;
    params: unknown[];
    note: string;
    /**
     * When set, a failure of this read does not fail the run: the check it feeds is reported as
     * not checked, with this text and the error.
     */
    optional?: string;
}

export const VERSION_QUERY = "SELECT crdb_internal.node_executable_version() AS v";
export const NOW_QUERY = "SELECT cluster_logical_timestamp() AS now";
export const RANGEFEED_QUERY = "SHOW CLUSTER SETTING kv.rangefeed.enabled";

/** The CockroachDB tables grouped by database and schema (one catalog read per group). */
export function tableGroups(
    tables: readonly TableRef[],
): { database: string; schema: string; tables: TableRef[] }[] {
    const groups = new Map<string, { database: string; schema: string; tables: TableRef[] }>();
    for (const table of tables) {
        const key = JSON.stringify([table.database, table.schema]);
        const group = groups.get(key) ?? {
            database: table.database,
            schema: table.schema,
            tables: [],
        };
        group.tables.push(table);
        groups.set(key, group);
    }
    return [...groups.values()];
}

/** The target catalog request: CockroachDB tables mapped to the target's stored names. */
export function targetRequest(config: PreflightConfig): TargetCatalogRequest {
    const { dialect, schema, grantee, granteeHost } = config.target;
    return {
        schema,
        tables: [...new Set(config.tables.map((t) => dialect.targetTableName(t.table)))],
        grantee,
        ...(granteeHost ? { granteeHost } : {}),
    };
}

/** Every read the pre-flight runs, in order. */
export function planPreflight(config: PreflightConfig): PreflightStep[] {
    const steps: PreflightStep[] = [
        {
            id: "version",
            server: "cockroach",
            sql: VERSION_QUERY,
            params: [],
            note: "the release, for the changefeed options",
        },
        {
            id: "rangefeed",
            server: "cockroach",
            sql: RANGEFEED_QUERY,
            params: [],
            note: "rangefeeds must be on",
            optional: "the setting could not be read",
        },
        {
            id: "isAdmin",
            server: "cockroach",
            sql: SELECT_IS_ADMIN,
            params: [],
            note: "an admin holds every privilege",
        },
        {
            id: "tableGrants",
            server: "cockroach",
            sql: showGrantsOnTables(config.tables, config.cockroachUser),
            params: [],
            note: "CHANGEFEED on every table",
            optional: "a table is missing (reported above)",
        },
        {
            id: "systemGrants",
            server: "cockroach",
            sql: showSystemGrants(config.cockroachUser),
            params: [],
            note: "VIEWJOB for the exclusive guard",
        },
    ];
    for (const group of tableGroups(config.tables)) {
        const names = group.tables.map((t) => t.table);
        const db = quoteIdent(group.database);
        steps.push(
            {
                id: `columns:${group.database}.${group.schema}`,
                server: "cockroach",
                sql:
                    "SELECT table_name, column_name, crdb_sql_type, is_nullable, column_default, is_hidden " +
                    `FROM ${db}.information_schema.columns WHERE table_schema = $1 AND table_name = ANY($2::TEXT[]) ` +
                    "ORDER BY table_name, ordinal_position",
                params: [group.schema, names],
                note: `columns of ${group.tables.map((t) => t.key).join(", ")}`,
            },
            {
                id: `keys:${group.database}.${group.schema}`,
                server: "cockroach",
                sql:
                    "SELECT k.table_name, k.column_name FROM " +
                    `${db}.information_schema.table_constraints AS c JOIN ${db}.information_schema.key_column_usage AS k ` +
                    "ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name " +
                    "WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = $1 AND c.table_name = ANY($2::TEXT[]) " +
                    "ORDER BY k.table_name, k.ordinal_position",
                params: [group.schema, names],
                note: "primary keys",
            },
        );
    }
    steps.push({
        id: "staging",
        server: "staging",
        sql: `SELECT table_name FROM ${quoteIdent(config.staging.database)}.information_schema.tables WHERE table_schema = $1`,
        params: [config.staging.schema],
        note: "the staging schema and the replicator's tables in it",
        optional: "the staging database could not be read",
    });
    if (config.cursorWallNanos !== undefined) {
        steps.push({
            id: "now",
            server: "cockroach",
            sql: NOW_QUERY,
            params: [],
            note: "the cursor's age",
        });
        for (const table of config.tables) {
            steps.push({
                id: `zone:${table.key}`,
                server: "cockroach",
                sql: `SHOW ZONE CONFIGURATION FROM TABLE ${quoteQualifiedName([table.database, table.schema, table.table])}`,
                params: [],
                note: `gc.ttlseconds of ${table.key}`,
                optional: "the zone configuration could not be read",
            });
        }
    }
    config.target.dialect.catalogQueries(targetRequest(config)).forEach((query, index) => {
        steps.push({
            id: `target:${index}`,
            server: "target",
            sql: query.sql,
            params: query.params,
            note: `target ${query.note}`,
        });
    });
    return steps;
}
