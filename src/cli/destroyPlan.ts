/**
 * The SQL `pulumi destroy` would run, read from a `pulumi stack export` (no secrets needed: only
 * the non-secret outputs `granted`, `previous`, `jobId`, … are read). The engine does not call a
 * dynamic provider while previewing a destroy, so `pulumi destroy --preview-only` lists the
 * resources but not their statements; this fills that gap offline, with the package's own
 * statement renderers. Nothing connects to a database.
 */
import { publicKeyFingerprint } from "../providers/replicatorAuthKey/preview";
import { parseStagingSchema, publicKeyStatements } from "../providers/cockroach";
import { cancelJob } from "../providers/changefeed/sql";
import { settingLiteral } from "../providers/clusterSettings/plan";
import { resetClusterSetting, setClusterSetting } from "../providers/clusterSettings/sql";
import type { PriorSetting } from "../providers/clusterSettings/types";
import { renderChange } from "../providers/targetGrants/plan";
import { readGrantLists } from "../providers/targetGrants/stateCodec";
import { targetDialect } from "../providers/targets";

/** One resource of a `pulumi stack export` (the fields read here). */
export interface ExportedResource {
    urn: string;
    type: string;
    custom?: boolean;
    outputs?: Record<string, unknown>;
}

/** What destroying one resource does: a heading and its statements (`-- …` lines are notes). */
export interface DestroyStep {
    resource: string;
    what: string;
    statements: string[];
}

const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic/crdb-failback:";

/** A value the export keeps encrypted: `{ "4dabf18193072939515e22adb298388d": …, ciphertext }`. */
function isSecretEnvelope(value: unknown): boolean {
    return (
        typeof value === "object" &&
        value !== null &&
        "4dabf18193072939515e22adb298388d" in (value as Record<string, unknown>)
    );
}

function str(value: unknown, fallback = "<unknown>"): string {
    if (isSecretEnvelope(value)) return "<secret>";
    return typeof value === "string" ? value : fallback;
}

function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function withSemicolon(sql: string): string {
    return /;\s*$/.test(sql) ? sql : `${sql};`;
}

function changefeedStep(name: string, out: Record<string, unknown>): DestroyStep {
    const jobId = str(out.jobId);
    return {
        resource: `Changefeed ${name}`,
        what: `into ${str(out.webhookUrl)} (job ${jobId}, last seen ${str(out.status)})`,
        statements: [
            /^\d+$/.test(jobId)
                ? `${withSemicolon(cancelJob(jobId))}  -- skipped if the job already finished; then waits up to 30 s for canceled`
                : "-- no job id recorded: nothing to cancel",
        ],
    };
}

function clusterSettingsStep(name: string, out: Record<string, unknown>): DestroyStep {
    const mode = str(out.onDelete, "restore");
    const previous = (out.previous ?? {}) as Record<string, PriorSetting>;
    const entries = Object.entries(previous).sort(([a], [b]) => a.localeCompare(b));
    const statements =
        mode === "retain"
            ? ['-- onDelete: "retain": the settings stay as this stack set them']
            : entries.map(([setting, prior]) => {
                  const reset = mode === "reset" || prior.origin === "default";
                  return reset
                      ? `${withSemicolon(resetClusterSetting(setting))}  -- ${mode === "reset" ? 'onDelete: "reset"' : "it was at its default"}; skipped if it is at its default already`
                      : `${withSemicolon(setClusterSetting(setting, settingLiteral(prior.type, prior.value)))}  -- the value found before this stack (origin ${prior.origin}); skipped if it holds that value already`;
              });
    return {
        resource: `ClusterSettings ${name}`,
        what: `cluster ${str(out.clusterId)}, onDelete ${mode}`,
        statements:
            statements.length > 0 ? statements : ["-- no setting recorded: nothing to put back"],
    };
}

function targetGrantsStep(name: string, out: Record<string, unknown>): DestroyStep {
    const dialect = targetDialect(out.dialect);
    // Plain lists, or grouped ones in large state (see the state codec).
    const lists = readGrantLists(out);
    const pairs = [...lists.granted, ...lists.pending];
    const config = {
        grantee: str(out.grantee),
        granteeHost: typeof out.granteeHost === "string" ? out.granteeHost : undefined,
        schema: str(out.schema),
    };
    const statements = !dialect
        ? [`-- unknown dialect ${JSON.stringify(str(out.dialect))}: no statements to show`]
        : pairs.length === 0
          ? ["-- nothing was granted by this stack: nothing to revoke"]
          : renderChange({ ...config, dialect }, { toGrant: [], toRevoke: pairs }).revokes.map(
                (sql) => `${withSemicolon(sql)}  -- skipped if the privilege is already gone`,
            );
    const preexisting = lists.preexisting.length;
    return {
        resource: `TargetGrants ${name}`,
        what:
            `${str(out.server)}, grantee ${config.grantee}` +
            (preexisting > 0
                ? ` (${preexisting} ${preexisting === 1 ? "privilege" : "privileges"} it held before ${preexisting === 1 ? "is" : "are"} kept)`
                : ""),
        statements: [
            "-- re-reads the grantee's privileges first; only what is still held is revoked",
            ...statements,
            ...(dialect?.offlineRevokeNote ? [`-- ${dialect.offlineRevokeNote}`] : []),
        ],
    };
}

function authKeyStep(name: string, out: Record<string, unknown>): DestroyStep {
    const staging = parseStagingSchema(str(out.stagingSchema));
    const inserted = out.keyInserted === true;
    const pem = out.publicKeyPem;
    return {
        resource: `ReplicatorAuthKey ${name}`,
        what: `staging schema ${str(out.stagingSchema)}`,
        statements:
            inserted && staging
                ? [
                      `${withSemicolon(publicKeyStatements(staging).remove)}  -- $1 = ${
                          typeof pem === "string" ? publicKeyFingerprint(pem) : "<the key>"
                      }; the token stops being accepted when the replicator re-reads its keys`,
                  ]
                : ["-- the key row was there before this stack: kept"],
    };
}

/** The destroy steps for the resources of an export, in the order the engine deletes them. */
export function destroyPlan(resources: readonly ExportedResource[]): DestroyStep[] {
    const steps: DestroyStep[] = [];
    // State lists a resource after everything it depends on; destroy goes the other way.
    for (const resource of [...resources].reverse()) {
        const name = nameOf(resource.urn);
        const out = resource.outputs ?? {};
        if (resource.type.startsWith(DYNAMIC_PREFIX)) {
            const kind = resource.type.slice(DYNAMIC_PREFIX.length);
            switch (kind) {
                case "Changefeed":
                    steps.push(changefeedStep(name, out));
                    break;
                case "ClusterSettings":
                    steps.push(clusterSettingsStep(name, out));
                    break;
                case "TargetGrants":
                    steps.push(targetGrantsStep(name, out));
                    break;
                case "ReplicatorAuthKey":
                    steps.push(authKeyStep(name, out));
                    break;
                default:
                    steps.push({
                        resource: `${kind} ${name}`,
                        what: "",
                        statements: ["-- no SQL (removed from state)"],
                    });
            }
        } else if (resource.custom && resource.type.startsWith("kubernetes:")) {
            steps.push({
                resource: `${resource.type} ${name}`,
                what: "",
                statements: ["-- deleted by the Kubernetes provider"],
            });
        }
    }
    return steps;
}

/** The printed plan. */
export function formatDestroyPlan(stack: string, steps: readonly DestroyStep[]): string {
    const lines = [
        `What \`pulumi destroy\` of stack ${stack} will run, in order (read offline from its state):`,
    ];
    steps.forEach((step, i) => {
        lines.push("", `${i + 1}. ${step.resource}${step.what ? ` — ${step.what}` : ""}`);
        for (const statement of step.statements) lines.push(`     ${statement}`);
    });
    if (steps.length === 0)
        lines.push("", "No crdb-failback resource in this state: nothing to run.");
    return lines.join("\n");
}

/** Parses `pulumi stack export` output (version 3). */
export function parseStackExport(text: string): { stack: string; resources: ExportedResource[] } {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new Error(
            "the input is not JSON: pipe `pulumi stack export` (without --show-secrets) into this command",
        );
    }
    const deployment = (parsed as { deployment?: { resources?: unknown } }).deployment;
    if (!deployment || !Array.isArray(deployment.resources ?? [])) {
        throw new Error(
            "the input has no deployment.resources: is it `pulumi stack export` output?",
        );
    }
    const resources = (deployment.resources ?? []) as ExportedResource[];
    const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const stack = /^urn:pulumi:([^:]+)::/.exec(stackUrn)?.[1] ?? "(unknown)";
    return { stack, resources };
}
