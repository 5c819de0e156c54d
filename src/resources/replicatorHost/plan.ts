/**
 * Validation of ReplicatorHost arguments and the plain plan derived from them. Pure: the
 * component turns the plan into resources, tests call these functions directly.
 */
import { connectionProblem } from "../../providers/cockroach";
import { parseStagingSchema, type StagingSchema } from "../../providers/cockroach";
import { MAX_WAIT_FOR_TABLE_SECONDS } from "../../providers/replicatorAuthKey/types";
import type { ReplicatorHostArgs, ReplicatorServiceType, TargetDialect } from "./args";
import { HOST_DIALECTS, type HostDialect, hostDialect } from "./dialects";
import { startArgs, tuningProblems } from "./flags";
import {
    defaultServiceName,
    type ExternalEndpoint,
    isDnsLabel,
    parseExternalUrl,
    webhookPathFor,
} from "./names";
import {
    type PlannedUserscript,
    planUserscript,
    USERSCRIPT_PATH,
    userscriptConfigMapName,
    userscriptProblems,
} from "./userscript";
import { safeDecode } from "../../providers/kernel/redact";

export const DEFAULT_PORT = 30004;
export const DEFAULT_METRICS_PORT = 30005;
export const DEFAULT_TLS_VALIDITY_HOURS = 8760;
export const DEFAULT_TLS_CA_VALIDITY_HOURS = 87600;
export const DEFAULT_TLS_EARLY_RENEWAL_HOURS = 720;
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

const SERVICE_TYPES: readonly ReplicatorServiceType[] = ["ClusterIP", "LoadBalancer", "NodePort"];

/** Everything the component needs that does not depend on an Output. */
export interface ReplicatorHostPlan {
    serviceName: string;
    secretName: string;
    port: number;
    metricsPort: number;
    replicas: number;
    serviceType: ReplicatorServiceType;
    clusterDomain: string;
    staging: StagingSchema;
    targetDialect: TargetDialect;
    /** The facts about `targetDialect` the component and its checks use. */
    dialect: HostDialect;
    targetSchema: string[];
    webhookPath: string;
    authMode: "jwt" | "disabled";
    tlsValidityHours: number;
    tlsCaValidityHours: number;
    tlsEarlyRenewalHours: number;
    hostnames: string[];
    /** The container args (no connection string in them). */
    args: string[];
    /** Set in `external` mode. */
    external?: ExternalEndpoint & { metricsUrl?: string };
    /** The userscript and its ConfigMap's name, when `userscript` is set. */
    userscript?: PlannedUserscript & { configMapName: string };
}

/**
 * Validates the plain arguments and derives the plan. Throws one Error listing every problem.
 */
export function planReplicatorHost(
    componentName: string,
    args: ReplicatorHostArgs,
): ReplicatorHostPlan {
    const result = planOrProblems(componentName, args);
    if ("problems" in result) throw new Error(result.problems.join("; "));
    return result.plan;
}

/** The plan, or every problem with the plain arguments (pure validator for components). */
export function planOrProblems(
    componentName: string,
    args: ReplicatorHostArgs,
): { plan: ReplicatorHostPlan } | { problems: string[] } {
    const problems: string[] = [];
    const port = args.port ?? DEFAULT_PORT;
    const metricsPort = args.metricsPort ?? DEFAULT_METRICS_PORT;
    const serviceName = args.serviceName ?? defaultServiceName(componentName);
    const authMode = args.auth?.mode ?? "jwt";

    const dialect = hostDialect(args.targetDialect);
    if (!dialect) problems.push('targetDialect must be "postgres", "mysql" or "oracle"');
    const staging =
        typeof args.stagingSchema === "string" ? parseStagingSchema(args.stagingSchema) : undefined;
    if (!staging) {
        problems.push(
            "stagingSchema is required: the staging schema forward replication used, as `db.schema` " +
                "(e.g. defaultdb._replicator) or a one-part `db` meaning `db.public`",
        );
    }
    const targetSchema = Array.isArray(args.targetSchema) ? [...args.targetSchema] : [];
    if (
        dialect &&
        (targetSchema.length !== dialect.schemaParts.length ||
            targetSchema.some((p) => typeof p !== "string" || p === ""))
    ) {
        const shape = dialect.schemaParts.map((part) => `"${part}"`).join(", ");
        problems.push(`targetSchema must be [${shape}] for a ${dialect.label} target`);
    }
    for (const [label, value] of [
        ["port", port],
        ["metricsPort", metricsPort],
    ] as const) {
        if (!(Number.isInteger(value) && value >= 1 && value <= 65535)) {
            problems.push(`${label} must be a TCP port (1-65535)`);
        }
    }
    if (port === metricsPort) problems.push("port and metricsPort must differ");
    const replicas = args.replicas ?? 1;
    if (!(Number.isInteger(replicas) && replicas >= 0))
        problems.push("replicas must be a whole number ≥ 0");
    const serviceType = args.serviceType ?? "ClusterIP";
    if (!SERVICE_TYPES.includes(serviceType)) {
        problems.push('serviceType must be "ClusterIP", "LoadBalancer" or "NodePort"');
    }
    if (!isDnsLabel(serviceName)) {
        problems.push(
            `serviceName "${serviceName}" must be a DNS label: lower-case letters, digits and '-', ` +
                "starting with a letter, at most 63 characters",
        );
    }
    if (authMode !== "jwt" && authMode !== "disabled")
        problems.push('auth.mode must be "jwt" or "disabled"');
    if (authMode === "disabled" && args.auth?.privateKeyPem !== undefined) {
        problems.push('auth.privateKeyPem is only used with auth.mode "jwt"');
    }
    const wait = args.auth?.waitForTableSeconds;
    if (
        wait !== undefined &&
        !(Number.isInteger(wait) && wait >= 0 && wait <= MAX_WAIT_FOR_TABLE_SECONDS)
    ) {
        problems.push(
            `auth.waitForTableSeconds must be a whole number from 0 to ${MAX_WAIT_FOR_TABLE_SECONDS}`,
        );
    }
    const tlsValidityHours = args.tlsValidityHours ?? DEFAULT_TLS_VALIDITY_HOURS;
    const tlsCaValidityHours = args.tlsCaValidityHours ?? DEFAULT_TLS_CA_VALIDITY_HOURS;
    const tlsEarlyRenewalHours = args.tlsEarlyRenewalHours ?? DEFAULT_TLS_EARLY_RENEWAL_HOURS;
    for (const [label, value] of [
        ["tlsValidityHours", tlsValidityHours],
        ["tlsCaValidityHours", tlsCaValidityHours],
    ] as const) {
        if (!(Number.isInteger(value) && value > 0))
            problems.push(`${label} must be a positive whole number of hours`);
    }
    if (!(
        Number.isInteger(tlsEarlyRenewalHours) &&
        tlsEarlyRenewalHours >= 0 &&
        tlsEarlyRenewalHours < tlsValidityHours
    )) {
        problems.push(
            "tlsEarlyRenewalHours must be a whole number of hours below tlsValidityHours",
        );
    }
    const hostnames = [...(args.hostnames ?? [])];
    for (const host of hostnames) {
        if (typeof host !== "string" || !/^(\*\.)?[A-Za-z0-9.:-]+$/.test(host)) {
            problems.push(`hostnames entry "${String(host)}" is not a DNS name or IP address`);
        }
    }
    problems.push(...tuningProblems(args));

    let external: ReplicatorHostPlan["external"];
    if (args.external !== undefined) {
        const parsed = parseExternalUrl(args.external.url);
        if (typeof parsed === "string") problems.push(parsed);
        else external = { ...parsed, metricsUrl: args.external.metricsUrl };
    } else if (args.targetConnection === undefined) {
        problems.push("targetConnection is required unless external is set");
    }

    problems.push(...userscriptProblems(args.userscript, args.external !== undefined));

    if (problems.length > 0) return { problems };
    const userscript = planUserscript(args.userscript);

    const plan: ReplicatorHostPlan = {
        serviceName,
        secretName: `${serviceName}-secret`,
        port,
        metricsPort,
        replicas,
        serviceType,
        clusterDomain: args.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
        staging: staging!,
        targetDialect: args.targetDialect,
        dialect: dialect!,
        targetSchema,
        webhookPath: webhookPathFor(targetSchema),
        authMode,
        tlsValidityHours,
        tlsCaValidityHours,
        tlsEarlyRenewalHours,
        hostnames,
        args: startArgs({
            port,
            metricsPort,
            stagingSchema: args.stagingSchema,
            stagingCreateSchema: args.stagingCreateSchema ?? false,
            disableAuthentication: authMode === "disabled",
            ...(userscript ? { userscriptPath: USERSCRIPT_PATH } : {}),
            tuning: args,
            extraArgs: args.extraArgs ?? [],
        }),
        external,
        ...(userscript
            ? { userscript: { ...userscript, configMapName: userscriptConfigMapName(serviceName) } }
            : {}),
    };
    return { plan };
}

/**
 * Problems with the connection strings; never echoes them. For PostgreSQL the database in the
 * webhook path must be the one `targetConnection` names (the replicator writes "db"."schema"."t").
 */
export function connectionProblems(
    plan: Pick<ReplicatorHostPlan, "targetDialect" | "targetSchema">,
    targetConnection: string | undefined,
    stagingConnection: string,
): string[] {
    const problems: string[] = [];
    const staging = connectionProblem(stagingConnection);
    if (staging) problems.push(`stagingConnection ${staging}`);
    if (targetConnection === undefined) return problems;
    let parsed: URL | undefined;
    try {
        parsed = new URL(targetConnection);
    } catch {
        parsed = undefined;
    }
    const dialect = HOST_DIALECTS[plan.targetDialect];
    const schemes = dialect.targetSchemes;
    if (!parsed || !schemes.includes(parsed.protocol)) {
        problems.push(
            `targetConnection must be a ${schemes.map((s) => `${s}//`).join(" or ")} URL for a ${plan.targetDialect} target`,
        );
        return problems;
    }
    if (dialect.connectionNamesDatabase) {
        const database = safeDecode(parsed.pathname.replace(/^\//, ""));
        const expected = plan.targetSchema[0];
        if (database !== expected) {
            problems.push(
                `targetConnection must name database "${expected}" (targetSchema[0]): the replicator ` +
                    `writes "${expected}"."${plan.targetSchema[1] ?? ""}".<table> through it, and PostgreSQL ` +
                    `rejects cross-database names (it names ${database === "" ? "no database" : `"${database}"`})`,
            );
        }
    }
    return problems;
}
