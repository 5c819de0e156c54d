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
import { connectionProblem } from "../../providers/cockroach";
import { parseStagingSchema } from "../../providers/cockroach";
import { validateTlsMaterial } from "../../tls/material";
import type { ReplicatorHostArgs, TargetDialect } from "../replicatorHost/args";
import { serviceDnsNames } from "../replicatorHost/names";
import { planReplicatorHost, type ReplicatorHostPlan } from "../replicatorHost/plan";
import type { FailbackArgs } from "./args";
import { uncoveredTables } from "./tables";
import { failbackTargetSchema } from "./webhook";

const DIALECTS: readonly TargetDialect[] = ["postgres", "mysql", "oracle"];

const DIALECT_NAMES: Readonly<Record<TargetDialect, string>> = {
    postgres: "PostgreSQL",
    mysql: "MySQL",
    oracle: "Oracle",
};

/** URL schemes TargetGrants accepts for the admin connection, per dialect. */
const ADMIN_SCHEMES: Readonly<Record<TargetDialect, readonly string[]>> = {
    postgres: ["postgres:", "postgresql:"],
    mysql: ["mysql:"],
    oracle: ["oracle:"],
};

/** URL schemes the replicator's `--targetConn` accepts, per dialect (replicator.md §1). */
const REPLICATOR_SCHEMES: Readonly<Record<TargetDialect, readonly string[]>> = {
    postgres: ["postgres:", "postgresql:", "pg:", "pgx:"],
    mysql: ["mysql:"],
    oracle: ["oracle:", "ora:"],
};

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
export function replicatorHostArgs(args: FailbackArgs): ReplicatorHostArgs {
    return {
        ...(args.replicator ?? {}),
        targetConnection: args.target.replicatorConnection,
        stagingConnection: args.stagingConnection ?? args.cockroachConnection,
        stagingSchema: args.stagingSchema,
        stagingCreateSchema: args.stagingCreateSchema,
        targetDialect: args.target.dialect,
        targetSchema: failbackTargetSchema(
            args.target.dialect,
            args.target.database,
            args.target.schema,
        ),
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
    clusterSettingsProblems(args, problems);
    forwardReplicationProblems(args, problems);
    problems.push(...replicatorProblems(args, replicatorName, stagingOk && targetOk));
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
    if (!DIALECTS.includes(target.dialect)) {
        problems.push('target.dialect must be "postgres", "mysql" or "oracle"');
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
    const database = target.database as unknown;
    if (database !== undefined && (typeof database !== "string" || database === "")) {
        problems.push("target.database must be a non-empty name when given");
        ok = false;
    } else if (target.dialect === "postgres" && database === undefined) {
        problems.push(
            "target.database is required for a PostgreSQL target: the database of " +
                "target.replicatorConnection, the first segment of the webhook path /<database>/<schema>",
        );
        ok = false;
    } else if (target.dialect === "mysql" && database !== undefined && database !== schema) {
        problems.push(
            `target.database ("${String(database)}") must equal target.schema ("${String(schema)}") ` +
                "for a MySQL target, whose database is the schema; leave target.database out",
        );
        ok = false;
    } else if (target.dialect === "oracle" && database !== undefined) {
        problems.push(
            "target.database is not used for an Oracle target (the webhook path is /<SCHEMA>); leave it out",
        );
        ok = false;
    }
    if (target.granteeHost !== undefined && target.dialect !== "mysql") {
        problems.push(
            "target.granteeHost is only for a MySQL target (the host part of 'user'@'host')",
        );
    }
    return ok;
}

function clusterSettingsProblems(args: FailbackArgs, problems: string[]): void {
    const settings = args.clusterSettings as unknown;
    if (settings === undefined || settings === false) return;
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
        problems.push("clusterSettings must be an object of ClusterSettings arguments, or false");
    } else if ("connection" in settings) {
        problems.push(
            "clusterSettings.connection is not accepted: the component uses cockroachConnection",
        );
    }
}

function forwardReplicationProblems(args: FailbackArgs, problems: string[]): void {
    const forward = args.forwardReplication as Record<string, unknown> | undefined;
    if (forward === undefined) return;
    if (typeof forward !== "object" || forward === null) {
        problems.push("forwardReplication must be { metricsUrl, … } or { drained: true }");
        return;
    }
    const drained = "drained" in forward;
    if (drained && forward.drained !== true) {
        problems.push(
            "forwardReplication.drained must be true (or leave it out and give forwardReplication.metricsUrl)",
        );
    }
    if (!drained || forward.metricsUrl !== undefined) {
        const url = forward.metricsUrl;
        let parsed: URL | undefined;
        try {
            parsed = typeof url === "string" ? new URL(url) : undefined;
        } catch {
            parsed = undefined;
        }
        if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
            problems.push(
                "forwardReplication.metricsUrl must be the forward replicator's metrics URL, " +
                    "http(s)://host:port/_/varz",
            );
        } else if (parsed.username || parsed.password) {
            problems.push("forwardReplication.metricsUrl must not contain a user name or password");
        }
    }
    if (drained) {
        for (const key of [
            "schema",
            "quietPeriodSeconds",
            "timeoutSeconds",
            "pollIntervalSeconds",
        ]) {
            if (forward[key] !== undefined) {
                problems.push(
                    `forwardReplication.${key} is only used when waiting for the drain (without drained: true)`,
                );
            }
        }
        return;
    }
    if (
        forward.schema !== undefined &&
        (typeof forward.schema !== "string" || forward.schema === "")
    ) {
        problems.push("forwardReplication.schema must be a non-empty schema label when given");
    }
    for (const key of ["quietPeriodSeconds", "timeoutSeconds", "pollIntervalSeconds"] as const) {
        const value = forward[key];
        if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
            problems.push(`forwardReplication.${key} must be a positive whole number of seconds`);
        }
    }
}

/**
 * ReplicatorHost's own plan checks plus brought-in TLS, prefixed with `replicator`. When the
 * staging schema or the target is invalid (already reported), valid stand-ins take their place
 * so the replicator's own options are still checked in the same run.
 */
function replicatorProblems(
    args: FailbackArgs,
    replicatorName: string,
    namesValid: boolean,
): string[] {
    const hostArgs: ReplicatorHostArgs = namesValid
        ? replicatorHostArgs(args)
        : {
              ...replicatorHostArgs({
                  ...args,
                  target: { ...args.target, dialect: "mysql", schema: "placeholder" },
              }),
              stagingSchema: "placeholder",
              targetSchema: ["placeholder"],
          };
    let plan: ReplicatorHostPlan;
    try {
        plan = planReplicatorHost(replicatorName, hostArgs);
    } catch (err) {
        return (err as Error).message
            .split("; ")
            .filter((p) => !p.startsWith("targetConnection is required")) // target.* reports it
            .map((p) => `replicator: ${p}`);
    }
    return replicatorTlsProblems(hostArgs, plan).map((p) => `replicator.${p}`);
}

/** Brought-in TLS material, when every PEM (and the namespace) is a plain string. */
function replicatorTlsProblems(args: ReplicatorHostArgs, plan: ReplicatorHostPlan): string[] {
    const tls = args.tls;
    if (!tls) return [];
    const namespace = plainString(args.namespace ?? "default");
    const material = {
        caCertPem: plainString(tls.caCertPem),
        certPem: plainString(tls.certPem),
        keyPem: plainString(tls.keyPem),
        clientCertPem: plainString(tls.clientCertPem),
        clientKeyPem: plainString(tls.clientKeyPem),
    };
    const allPlain =
        material.caCertPem !== undefined &&
        material.certPem !== undefined &&
        material.keyPem !== undefined &&
        (tls.clientCertPem === undefined || material.clientCertPem !== undefined) &&
        (tls.clientKeyPem === undefined || material.clientKeyPem !== undefined) &&
        (plan.external !== undefined || namespace !== undefined);
    if (!allPlain) return [];
    const names = plan.external
        ? [plan.external.host]
        : serviceDnsNames(plan.serviceName, namespace!, plan.clusterDomain);
    return validateTlsMaterial(
        {
            caCertPem: material.caCertPem!,
            certPem: material.certPem!,
            keyPem: material.keyPem!,
            clientCertPem: material.clientCertPem,
            clientKeyPem: material.clientKeyPem,
        },
        [...new Set([...names, ...plan.hostnames])],
    );
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
export function valueProblems(
    target: Pick<FailbackArgs["target"], "dialect" | "database">,
    values: FailbackValues,
    stagingGiven: boolean,
): ValueFindings {
    const problems: string[] = [];
    const warnings: string[] = [];
    const dialect = target.dialect;
    const dialectKnown = DIALECTS.includes(dialect);
    if (values.cockroachConnection !== undefined) {
        const p = connectionProblem(values.cockroachConnection);
        if (p) problems.push(`cockroachConnection ${p}`);
    }
    if (stagingGiven && values.stagingConnection !== undefined) {
        const p = connectionProblem(values.stagingConnection);
        if (p) problems.push(`stagingConnection ${p}`);
    }
    const admin =
        values.adminConnection === undefined || !dialectKnown
            ? undefined
            : checkTargetUrl(
                  "target.adminConnection",
                  values.adminConnection,
                  ADMIN_SCHEMES[dialect],
                  dialect,
                  problems,
              );
    const replicator =
        values.replicatorConnection === undefined || !dialectKnown
            ? undefined
            : checkTargetUrl(
                  "target.replicatorConnection",
                  values.replicatorConnection,
                  REPLICATOR_SCHEMES[dialect],
                  dialect,
                  problems,
              );
    if (dialect === "postgres" && target.database !== undefined) {
        const db = target.database;
        if (admin && admin.database !== db) {
            problems.push(
                `target.adminConnection must name database "${db}" (target.database): PostgreSQL ` +
                    `grants are made per database (it names ${describeDatabase(admin.database)})`,
            );
        }
        if (replicator && replicator.database !== db) {
            problems.push(
                `target.replicatorConnection must name database "${db}" (target.database): the ` +
                    `replicator writes "${db}".<schema>.<table> through it and PostgreSQL rejects ` +
                    `cross-database names (it names ${describeDatabase(replicator.database)})`,
            );
        }
    }
    if (values.grantee !== undefined) {
        if (values.grantee === "") {
            problems.push("target.grantee must be a non-empty role or user name");
        } else if (
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
    return { problems, warnings };
}

/** Warnings that depend on plain arguments only. */
export function structuralWarnings(args: FailbackArgs): string[] {
    const warnings: string[] = [];
    if (args.target.dialect === "oracle" && /[a-z]/.test(args.target.schema)) {
        warnings.push(
            `target.schema "${args.target.schema}" has lower-case letters: Oracle stores unquoted ` +
                "names upper case and the MOLT docs write the webhook path as /<SCHEMA>; give the " +
                "schema in its stored case",
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

interface ParsedTargetUrl {
    database: string;
    user: string;
}

function checkTargetUrl(
    label: string,
    url: string,
    schemes: readonly string[],
    dialect: TargetDialect,
    problems: string[],
): ParsedTargetUrl | undefined {
    let parsed: URL | undefined;
    try {
        parsed = new URL(url.trim());
    } catch {
        parsed = undefined;
    }
    if (!parsed || !schemes.includes(parsed.protocol.toLowerCase())) {
        problems.push(
            `${label} must start with ${listSchemes(schemes)}: target.dialect is "${dialect}" ` +
                `(${DIALECT_NAMES[dialect]})`,
        );
        return undefined;
    }
    return {
        database: safeDecode(parsed.pathname.replace(/^\//, "")),
        user: safeDecode(parsed.username),
    };
}

/** `a://`, `a:// or b://`, `a://, b:// or c://`. */
function listSchemes(schemes: readonly string[]): string {
    const forms = schemes.map((s) => `${s}//`);
    return forms.length === 1
        ? forms[0]!
        : `${forms.slice(0, -1).join(", ")} or ${forms[forms.length - 1]!}`;
}

function sameUser(dialect: TargetDialect, user: string, grantee: string): boolean {
    // Oracle folds unquoted names to upper case; the URL user is unquoted.
    return dialect === "oracle" ? user.toUpperCase() === grantee.toUpperCase() : user === grantee;
}

function describeDatabase(database: string): string {
    return database === "" ? "no database" : `"${database}"`;
}

function safeDecode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}
