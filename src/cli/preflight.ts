/**
 * The pre-flight as a command: reads the stack configuration the config-driven program
 * (`deploy/`) reads, builds the same Preflight inputs `Failback` would, runs the read-only
 * pre-flight and returns the report. Nothing is created or changed.
 */
import { execFileSync } from "node:child_process";
import { parsePreflight } from "../providers/preflight/check";
import { runPreflight, type TargetOpener } from "../providers/preflight/apply/run";
import { fails, formatReport } from "../providers/preflight/report";
import type { PreflightInputs } from "../providers/preflight/types";

/** `pulumi config --json --show-secrets` output: `{ "<project>:<key>": { value, secret } }`. */
export type StackConfig = Record<string, { value?: string } | string>;

/** The stack's value of `key` (any project prefix), or undefined when unset or empty. */
function valueOf(config: StackConfig, key: string): string | undefined {
    for (const [full, entry] of Object.entries(config)) {
        if (full !== key && !full.endsWith(`:${key}`)) continue;
        const value = typeof entry === "string" ? entry : entry.value;
        if (value !== undefined && value.trim() !== "") return value;
    }
    return undefined;
}

/** A list as deploy/ reads it: a JSON array of strings, or comma-separated names. */
function listOf(config: StackConfig, key: string): string[] | undefined {
    const raw = valueOf(config, key)?.trim();
    if (raw === undefined) return undefined;
    if (raw.startsWith("[")) {
        const parsed: unknown = JSON.parse(raw);
        if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string")) {
            throw new Error(
                `config ${key} must be a JSON array of strings or comma-separated names`,
            );
        }
        return parsed;
    }
    return raw
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
}

function required(config: StackConfig, key: string): string {
    const value = valueOf(config, key);
    if (value === undefined)
        throw new Error(`config ${key} is required (pulumi config set ${key} …)`);
    return value;
}

/**
 * The Preflight inputs of the config-driven stack. The target is read through the admin URL
 * (`targetAdminConnection`); TargetGrants manages the grantee's privileges and, unless
 * `manageClusterSettings` is false, ClusterSettings turns rangefeeds on. The optional
 * `ignoreColumns` key is a JSON object `{ "<CockroachDB table>": ["column", …] }`.
 */
export function inputsFromStackConfig(config: StackConfig): PreflightInputs {
    const dialect = required(config, "dialect");
    const targetTables = listOf(config, "tables") ?? [];
    const tables =
        listOf(config, "changefeedTables") ??
        (dialect === "oracle" ? targetTables.map((t) => t.toLowerCase()) : targetTables);
    const ignore = valueOf(config, "ignoreColumns");
    const optional = <K extends keyof PreflightInputs>(
        key: K,
        value: PreflightInputs[K] | undefined,
    ) => (value === undefined ? {} : { [key]: value });
    return {
        cockroachConnection: required(config, "cockroachConnection"),
        targetConnection: required(config, "targetAdminConnection"),
        targetSchema: required(config, "schema"),
        tables,
        grantee: required(config, "grantee"),
        ...optional("granteeHost", valueOf(config, "granteeHost")),
        ...optional(
            "ignoreColumns",
            ignore === undefined ? undefined : (JSON.parse(ignore) as Record<string, string[]>),
        ),
        grantsManaged: true,
        stagingSchema: required(config, "stagingSchema"),
        ...optional("stagingConnection", valueOf(config, "stagingConnection")),
        stagingCreateSchema: valueOf(config, "stagingCreateSchema") === "true",
        rangefeedManaged: valueOf(config, "manageClusterSettings") !== "false",
        ...optional("cursor", valueOf(config, "cursor")),
    };
}

/** Reads the stack configuration with the Pulumi CLI (secrets decrypted, never printed). */
export function readStackConfig(stack: string | undefined, cwd: string | undefined): StackConfig {
    const args = ["config", "--json", "--show-secrets", ...(stack ? ["--stack", stack] : [])];
    const out = execFileSync("pulumi", args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out) as StackConfig;
}

/** Runs the pre-flight for `inputs`: exit code 0 (passed) or 1 (problems), and the report. */
export async function preflightReport(
    inputs: PreflightInputs,
    openTarget?: TargetOpener,
): Promise<{ code: number; report: string }> {
    const parsed = parsePreflight(inputs);
    if (!parsed.ok) {
        const lines = parsed.failures.list.map(
            (f) => `  ERROR [config] ${`${f.property} ${f.reason}`.trim()}`,
        );
        return {
            code: 1,
            report: ["Pre-flight could not run: the configuration has problems.", ...lines].join(
                "\n",
            ),
        };
    }
    const { config } = parsed;
    const findings = await runPreflight(config, openTarget);
    const subject = `${config.tables.map((t) => t.key).join(", ")} → ${config.target.label}`;
    return {
        code: fails(findings, config.failOnWarnings) ? 1 : 0,
        report: formatReport(findings, subject),
    };
}
