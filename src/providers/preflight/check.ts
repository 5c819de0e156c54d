/**
 * Preflight `check`: offline. Parses the inputs once into {@link PreflightConfig}, or lists every
 * problem with the property and the fix. {@link preflightProblems} is the pure validator a
 * component calls.
 */
import type * as pulumi from "@pulumi/pulumi";
import { connectionProblem, parseHlc, parseStagingSchema, connectionTarget } from "../cockroach";
import { resolveTables } from "../changefeed/tables";
import { CheckFailures } from "../kernel/checkFailures";
import { containsUnknown } from "../kernel/unknown";
import { COLUMN_DIALECTS } from "../targets/columns";
import { parameterProblems, parseConnection, targetIdentity } from "../targets/connection";
import type { PreflightConfig, PreflightInputs } from "./types";

/** Default GC TTL headroom beyond the cursor's age. */
export const DEFAULT_GC_MARGIN_SECONDS = 3600;

type Parsed = { ok: true; config: PreflightConfig } | { ok: false; failures: CheckFailures };

/** Parses the inputs; every problem is reported at once. */
export function parsePreflight(inputs: PreflightInputs): Parsed {
    const failures = new CheckFailures();
    const cockroachProblem = connectionProblem(inputs.cockroachConnection);
    if (cockroachProblem) failures.addSecret("cockroachConnection", cockroachProblem);
    if (inputs.stagingConnection !== undefined) {
        const stagingProblem = connectionProblem(inputs.stagingConnection);
        if (stagingProblem) failures.addSecret("stagingConnection", stagingProblem);
    }
    const target =
        typeof inputs.targetConnection === "string"
            ? parseConnection(inputs.targetConnection)
            : undefined;
    if (!target) {
        failures.addSecret(
            "targetConnection",
            "is required: the URL of the database failed back to",
        );
    } else if (!target.ok) {
        for (const problem of target.problems) failures.addSecret("targetConnection", problem);
    } else {
        for (const problem of parameterProblems(target.value))
            failures.addSecret("targetConnection", problem);
    }
    if (typeof inputs.targetSchema !== "string" || inputs.targetSchema === "") {
        failures.add(
            "targetSchema",
            "is required: the PostgreSQL schema, MySQL database or Oracle owning schema",
        );
    }
    if (typeof inputs.grantee !== "string" || inputs.grantee === "") {
        failures.add(
            "grantee",
            "is required: the user/role the replicator writes to the target as",
        );
    }
    const tableTexts = Array.isArray(inputs.tables) ? inputs.tables : [];
    if (tableTexts.length === 0)
        failures.add("tables", "needs at least one CockroachDB table of the changefeed");
    const database = connectionTarget(String(inputs.cockroachConnection))?.database ?? "defaultdb";
    const tables = resolveTables(tableTexts, database);
    for (const text of tableTexts) {
        if (!resolveTables([text], database).length) {
            failures.add(
                "tables",
                `${JSON.stringify(text)} is not a table name (t, schema.t or db.schema.t)`,
            );
        }
    }
    const staging = parseStagingSchema(String(inputs.stagingSchema ?? ""));
    if (!staging) {
        failures.add(
            "stagingSchema",
            "must be the staging schema forward replication used, e.g. defaultdb._replicator",
        );
    }
    const ignoreColumns = new Map<string, Set<string>>();
    for (const [table, columns] of Object.entries(inputs.ignoreColumns ?? {})) {
        if (!Array.isArray(columns) || !columns.every((c) => typeof c === "string")) {
            failures.add(`ignoreColumns.${table}`, "must be a list of column names");
            continue;
        }
        const name = table.split(".").pop()!.toLowerCase();
        if (!tables.some((t) => t.table.toLowerCase() === name)) {
            failures.add(
                `ignoreColumns.${table}`,
                `names no table in tables (${tableTexts.join(", ")})`,
            );
        }
        ignoreColumns.set(name, new Set(columns.map((c) => c.toLowerCase())));
    }
    let cursorWallNanos: bigint | undefined;
    if (inputs.cursor !== undefined && inputs.cursor !== "") {
        const hlc = parseHlc(String(inputs.cursor));
        if (!hlc)
            failures.add(
                "cursor",
                "must be an HLC timestamp such as 1759246920563173000.0000000000",
            );
        else cursorWallNanos = hlc.wallNanos;
    }
    const margin = inputs.gcMarginSeconds ?? DEFAULT_GC_MARGIN_SECONDS;
    if (!Number.isInteger(margin) || margin < 0) {
        failures.add("gcMarginSeconds", "must be a whole number of seconds, 0 or more");
    }
    if (!failures.isEmpty || !target?.ok || !staging) return { ok: false, failures };
    const endpoint = target.value;
    const cockroachUser =
        decodeURIComponent(new URL(inputs.cockroachConnection).username) || "root";
    return {
        ok: true,
        config: {
            cockroachUrl: inputs.cockroachConnection,
            cockroachUser: cockroachUser.toLowerCase(),
            stagingUrl: inputs.stagingConnection ?? inputs.cockroachConnection,
            target: {
                dialect: COLUMN_DIALECTS[endpoint.dialect.name],
                endpoint,
                label: targetIdentity(endpoint),
                schema: inputs.targetSchema,
                grantee: inputs.grantee,
                ...(inputs.granteeHost ? { granteeHost: inputs.granteeHost } : {}),
            },
            tables,
            ignoreColumns,
            grantsManaged: inputs.grantsManaged ?? false,
            staging,
            stagingCreateSchema: inputs.stagingCreateSchema ?? false,
            rangefeedManaged: inputs.rangefeedManaged ?? false,
            changefeedOptions: { ...(inputs.changefeedOptions ?? {}) },
            ...(cursorWallNanos !== undefined ? { cursorWallNanos } : {}),
            gcMarginSeconds: margin,
            exclusive: inputs.exclusive ?? true,
            failOnWarnings: inputs.failOnWarnings ?? false,
            secrets: [
                inputs.cockroachConnection,
                inputs.targetConnection,
                inputs.stagingConnection ?? "",
                endpoint.password,
            ].filter((s) => s !== ""),
        },
    };
}

/** The pure validator for components: the problems `check` would report, as text. */
export function preflightProblems(inputs: PreflightInputs): string[] {
    const parsed = parsePreflight(inputs);
    return parsed.ok
        ? []
        : parsed.failures.list.map((f) => (f.property ? `${f.property} ${f.reason}` : f.reason));
}

/** The provider's `check`: inputs with unknown values (preview) pass as they are. */
export function checkPreflight(news: PreflightInputs): pulumi.dynamic.CheckResult<PreflightInputs> {
    if (containsUnknown(news)) return { inputs: news };
    const parsed = parsePreflight(news);
    return parsed.ok ? { inputs: news } : { inputs: news, failures: parsed.failures.list };
}
