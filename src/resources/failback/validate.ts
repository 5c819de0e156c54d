/**
 * Validation of the whole {@link FailbackArgs} object before any resource is created. Pure: it
 * never connects anywhere and never puts a connection string (or any part of one but a
 * database or user name) into a message. Every problem is collected, then reported at once.
 *
 * Two passes: {@link structuralProblems} checks what is known when the component is constructed
 * (plain strings and numbers: dialect, database, schema, staging schema, replicator options,
 * the drain gate), and {@link valueProblems} checks values that may be Outputs (connections,
 * grantee, tables) — at construction for those that are plain, inside `apply` for the rest.
 */
import { connectionProblem, connectionTarget, parseStagingSchema } from "../../providers/cockroach";
import {
    DIALECT_NAMES,
    TARGET_DIALECTS,
    targetDialect,
    type TargetDialect,
} from "../../providers/targets";
import type { ReplicatorHostArgs } from "../replicatorHost/args";
import type { FailbackArgs } from "./args";
import {
    changefeedOptionProblems,
    clusterSettingsOptionProblems,
    forwardReplicationProblems,
    gcTtlOptionProblems,
    grantOptionProblems,
    preflightOptionProblems,
    replicatorProblems,
} from "./childProblems";
import { changefeedDatabases, uncoveredTables } from "./tables";
import { FAILBACK_DIALECT_FACTS } from "./dialectFacts";
import { checkTargetUrl, sameUser } from "./targetUrls";
import { failbackTargetSchema } from "./webhook";

/** A plain string input, else undefined (an Output or a promise is checked later). */
export function plainString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** A plain array of plain strings, else undefined. */
export function plainStrings(value: unknown): string[] | undefined {
    if (!Array.isArray(value)) return undefined;
    return value.every((v) => typeof v === "string") ? [...(value as string[])] : undefined;
}

/** The ReplicatorHost arguments the component derives (connections as given, possibly Outputs). */
export function replicatorHostArgs(
    args: FailbackArgs,
    targetSchema: string[] = failbackTargetSchema(
        args.target.dialect,
        args.target.database,
        args.target.schema,
    ),
): ReplicatorHostArgs {
    return {
        ...(args.replicator ?? {}),
        targetConnection: args.target.replicatorConnection,
        stagingConnection: args.stagingConnection ?? args.cockroachConnection,
        stagingSchema: args.stagingSchema,
        stagingCreateSchema: args.stagingCreateSchema,
        targetDialect: args.target.dialect,
        targetSchema,
    };
}

/**
 * Problems with the arguments known at construction. `replicatorName` is the ReplicatorHost
 * child's name (its default Service name derives from it).
 */
export function structuralProblems(args: FailbackArgs, replicatorName: string): string[] {
    const problems: string[] = [];
    if (args.cockroachConnection === undefined || args.cockroachConnection === null) {
        problems.push("cockroachConnection is required (a CockroachDB SQL URL)");
    }
    const stagingOk = stagingSchemaProblems(args, problems);
    const target = args.target as FailbackArgs["target"] | undefined;
    if (target === undefined || target === null || typeof target !== "object") {
        problems.push("target is required: { dialect, adminConnection, replicatorConnection, … }");
        return problems;
    }
    const targetOk = targetProblems(target, problems);
    problems.push(...grantOptionProblems(target));
    problems.push(...clusterSettingsOptionProblems(args));
    problems.push(...forwardReplicationProblems(args));
    problems.push(...changefeedOptionProblems(args));
    problems.push(...gcTtlOptionProblems(args));
    problems.push(...preflightOptionProblems(args));
    problems.push(
        ...replicatorProblems(replicatorName, hostArgsToCheck(args, stagingOk && targetOk)),
    );
    return problems;
}

function stagingSchemaProblems(args: FailbackArgs, problems: string[]): boolean {
    const staging = args.stagingSchema as unknown;
    if (typeof staging !== "string" || staging === "") {
        problems.push(
            "stagingSchema is required: the staging schema forward replication used, as db.schema " +
                "(e.g. defaultdb._replicator) or a one-part db meaning db.public",
        );
        return false;
    }
    if (!parseStagingSchema(staging)) {
        problems.push(
            `stagingSchema "${staging}" must be db.schema (e.g. defaultdb._replicator) or a ` +
                "one-part db meaning db.public, without quotes or spaces",
        );
        return false;
    }
    return true;
}

/** Checks of the target's plain fields; true when dialect/database/schema are usable. */
function targetProblems(target: FailbackArgs["target"], problems: string[]): boolean {
    let ok = true;
    const dialect = targetDialect(target.dialect);
    if (!dialect) {
        problems.push(`target.dialect must be ${oneOf(DIALECT_NAMES.map((n) => `"${n}"`))}`);
        ok = false;
    }
    for (const key of ["adminConnection", "replicatorConnection", "grantee", "tables"] as const) {
        if (target[key] === undefined || target[key] === null) {
            problems.push(`target.${key} is required`);
        }
    }
    const schema = target.schema as unknown;
    if (typeof schema !== "string" || schema === "") {
        problems.push(
            "target.schema is required: the PostgreSQL schema, the MySQL database or the Oracle owning schema",
        );
        ok = false;
    }
    const database = target.database as string | undefined;
    if (database !== undefined && (typeof database !== "string" || database === "")) {
        problems.push("target.database must be a non-empty name when given");
        ok = false;
    } else if (dialect) {
        const problem = databaseProblem(dialect, database, schema);
        if (problem) {
            problems.push(problem);
            ok = false;
        }
    }
    if (target.granteeHost !== undefined && dialect && !dialect.accountHost) {
        const withHost = TARGET_DIALECTS.filter((d) => d.accountHost);
        problems.push(
            `target.granteeHost is only for ${oneOf(withHost.map((d) => FAILBACK_DIALECT_FACTS[d.name].aTarget))} ` +
                "(the host part of 'user'@'host')",
        );
    }
    return ok;
}

/** `target.database` against the dialect's rule (required, the schema itself, or unused). */
function databaseProblem(
    dialect: TargetDialect,
    database: string | undefined,
    schema: unknown,
): string | undefined {
    const facts = FAILBACK_DIALECT_FACTS[dialect.name];
    switch (dialect.failback.database) {
        case "required":
            return database === undefined
                ? `target.database is required for ${facts.aTarget}: the database of ` +
                      `target.replicatorConnection, the first segment of the webhook path ${facts.webhookPath}`
                : undefined;
        case "isSchema":
            return database !== undefined && database !== schema
                ? `target.database ("${database}") must equal target.schema ("${String(schema)}") ` +
                      `for ${facts.aTarget}, whose database is the schema; leave target.database out`
                : undefined;
        case "unused":
            return database !== undefined
                ? `target.database is not used for ${facts.aTarget} (the webhook path is ` +
                      `${facts.webhookPath}); leave it out`
                : undefined;
    }
}

/** `a`, `a or b`, `a, b or c`. */
function oneOf(items: readonly string[]): string {
    return items.length <= 1
        ? (items[0] ?? "")
        : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]!}`;
}

/**
 * The ReplicatorHost arguments to check. When the staging schema or the target is invalid
 * (already reported), valid stand-ins take their place so the replicator's own options are
 * still checked in the same run.
 */
function hostArgsToCheck(args: FailbackArgs, namesValid: boolean): ReplicatorHostArgs {
    if (namesValid) return replicatorHostArgs(args);
    // A dialect whose target schema is the one part given.
    const standIn = TARGET_DIALECTS.find(
        (d) => d.failback.targetSchemaParts(undefined, "placeholder").length === 1,
    )!;
    return {
        ...replicatorHostArgs(
            { ...args, target: { ...args.target, dialect: standIn.name, schema: "placeholder" } },
            ["placeholder"],
        ),
        stagingSchema: "placeholder",
    };
}

/**
 * Values that may be Outputs, as far as they are known (undefined = not known yet). The
 * changefeed tables are the resolved default when the argument was not given.
 */
export interface FailbackValues {
    cockroachConnection?: string;
    stagingConnection?: string;
    adminConnection?: string;
    replicatorConnection?: string;
    grantee?: string;
    tables?: string[];
    changefeedTables?: string[];
}

/** Problems (errors) and warnings found in {@link FailbackValues}. */
export interface ValueFindings {
    problems: string[];
    warnings: string[];
}

/** Checks the connections, grantee and tables that are known; never echoes a URL. */
export function valueProblems(args: FailbackArgs, values: FailbackValues): ValueFindings {
    const target = args.target;
    const stagingGiven = args.stagingConnection !== undefined;
    const problems: string[] = [];
    const warnings: string[] = [];
    const dialect = targetDialect(target.dialect);
    if (values.cockroachConnection !== undefined) {
        const p = connectionProblem(values.cockroachConnection);
        if (p) problems.push(`cockroachConnection ${p}`);
    }
    if (stagingGiven && values.stagingConnection !== undefined) {
        const p = connectionProblem(values.stagingConnection);
        if (p) problems.push(`stagingConnection ${p}`);
    }
    const admin =
        values.adminConnection === undefined || !dialect
            ? undefined
            : checkTargetUrl(
                  "target.adminConnection",
                  values.adminConnection,
                  dialect.schemes,
                  dialect,
                  problems,
              );
    const replicator =
        values.replicatorConnection === undefined || !dialect
            ? undefined
            : checkTargetUrl(
                  "target.replicatorConnection",
                  values.replicatorConnection,
                  dialect.failback.replicatorSchemes,
                  dialect,
                  problems,
              );
    if (dialect?.failback.database === "required" && target.database !== undefined) {
        const db = target.database;
        const name = FAILBACK_DIALECT_FACTS[dialect.name].name;
        if (admin && admin.database !== db) {
            problems.push(
                `target.adminConnection must name database "${db}" (target.database): ${name} ` +
                    `grants are made per database (it names ${describeDatabase(admin.database)})`,
            );
        }
        if (replicator && replicator.database !== db) {
            problems.push(
                `target.replicatorConnection must name database "${db}" (target.database): the ` +
                    `replicator writes "${db}".<schema>.<table> through it and ${name} rejects ` +
                    `cross-database names (it names ${describeDatabase(replicator.database)})`,
            );
        }
    }
    if (values.grantee !== undefined) {
        if (values.grantee === "") {
            problems.push("target.grantee must be a non-empty role or user name");
        } else if (
            dialect &&
            replicator &&
            replicator.user !== "" &&
            !sameUser(dialect, replicator.user, values.grantee)
        ) {
            warnings.push(
                `target.grantee "${values.grantee}" is not the user target.replicatorConnection ` +
                    "connects as: that user must hold the privileges through membership in " +
                    `"${values.grantee}", or the replicator's writes will be refused`,
            );
        }
    }
    const tables = values.tables;
    if (tables !== undefined) {
        if (tables.length === 0) problems.push("target.tables must list at least one table");
        else if (tables.some((t) => typeof t !== "string" || t.trim() === "")) {
            problems.push("target.tables entries must be non-empty table names");
        }
    }
    const feedTables = values.changefeedTables;
    if (feedTables !== undefined) {
        if (feedTables.length === 0) problems.push("changefeedTables must list at least one table");
        else if (feedTables.some((t) => typeof t !== "string" || t.trim() === "")) {
            problems.push("changefeedTables entries must be non-empty table names");
        } else if (tables !== undefined && tables.length > 0) {
            const missing = uncoveredTables(feedTables, tables);
            if (missing.length > 0) {
                const one = missing.length === 1;
                const them = one ? "it" : "them";
                problems.push(
                    `changefeedTables ${missing.map((t) => JSON.stringify(t)).join(", ")} ` +
                        `${one ? "is" : "are"} not in target.tables, so the replicator is granted ` +
                        `nothing on ${them}: add ${them} to target.tables or remove ${them} from ` +
                        "changefeedTables",
                );
            }
        }
    }
    if (args.gcTtl !== undefined && feedTables !== undefined && problems.length === 0) {
        problems.push(...gcTtlDatabaseProblems(values.cockroachConnection, feedTables));
    }
    return { problems, warnings };
}

/** GcTtl raises one database's TTL: the changefeed tables must be in one database. */
function gcTtlDatabaseProblems(cockroachConnection: string | undefined, feedTables: string[]) {
    if (cockroachConnection === undefined) return [];
    const databases = gcTtlDatabases(cockroachConnection, feedTables);
    if (databases.length <= 1) return [];
    return [
        `gcTtl raises the GC TTL of one database, but changefeedTables are in ` +
            `${databases.map((d) => JSON.stringify(d)).join(", ")}: fail back one database per ` +
            "Failback, or leave gcTtl out and use a GcTtl resource per database",
    ];
}

/** The CockroachDB databases of the changefeed tables (the connection's for unqualified ones). */
export function gcTtlDatabases(
    cockroachConnection: string,
    feedTables: readonly string[],
): string[] {
    return changefeedDatabases(
        connectionTarget(cockroachConnection)?.database ?? "defaultdb",
        feedTables,
    );
}

/** Warnings that depend on plain arguments only. */
export function structuralWarnings(args: FailbackArgs): string[] {
    const warnings: string[] = [];
    const dialect = targetDialect(args.target.dialect);
    if (dialect?.nameCase === "upper" && /[a-z]/.test(args.target.schema)) {
        const facts = FAILBACK_DIALECT_FACTS[dialect.name];
        warnings.push(
            `target.schema "${args.target.schema}" has lower-case letters: ${facts.name} stores ` +
                "unquoted names upper case and the MOLT docs write the webhook path as " +
                `${facts.webhookPath}; give the schema in its stored case`,
        );
    }
    if (args.forwardReplication === undefined && args.changefeed?.cursor === undefined) {
        warnings.push(
            "no forwardReplication given: the changefeed's cursor is taken when it is created; if " +
                "forward replication (source → CockroachDB) has not drained by then, writes it " +
                "applies later are missed by failback. Give forwardReplication: { metricsUrl } to " +
                "wait for the drain, or { drained: true } once it has stopped",
        );
    }
    return warnings;
}

/** The message of the one error listing every problem. */
export function formatProblems(componentName: string, problems: readonly string[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return (
        `Failback "${componentName}": ${count} with the arguments (nothing was created):\n` +
        problems.map((p) => `  - ${p}`).join("\n")
    );
}

function describeDatabase(database: string): string {
    return database === "" ? "no database" : `"${database}"`;
}
