/**
 * The children's own pure validators, run on the arguments `Failback` passes them and reported
 * under `Failback`'s property names. Values the component wires itself (connections, tables,
 * certificates, the webhook URL) are passed as unknown, so each child reports only what comes
 * from the user's options. Pure.
 */
import * as pulumi from "@pulumi/pulumi";

import { changefeedProblems } from "../../providers/changefeed/check";
import { clusterSettingsProblems } from "../../providers/clusterSettings/check";
import { forwardDrainGateProblems } from "../../providers/forwardDrainGate/check";
import { gcTtlProblems } from "../../providers/gcTtl/check";
import { targetGrantsProblems } from "../../providers/targetGrants/check";
import { targetDialect } from "../../providers/targets";
import { UNKNOWN } from "../../providers/kernel/unknown";
import type { ReplicatorHostArgs } from "../replicatorHost/args";
import { checkTlsMaterial, requiredServerNames } from "../replicatorHost/check";
import { planOrProblems, type ReplicatorHostPlan } from "../replicatorHost/plan";
import type { FailbackArgs } from "./args";

/** A child's failure under the component's property path: `<prefix>.<property> <reason>`. */
export function childProblem(prefix: string, failure: pulumi.dynamic.CheckFailure): string {
    return failure.property
        ? `${prefix}.${failure.property} ${failure.reason}`
        : `${prefix}.${failure.reason}`;
}

/**
 * The value with every Output or promise inside it replaced by the engine's unknown marker, so
 * a child's validator checks what is plain and skips what resolves later.
 */
export function plainOrUnknown(value: unknown): unknown {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) return UNKNOWN;
    if (Array.isArray(value)) return value.map(plainOrUnknown);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value as Record<string, unknown>).map(([k, v]) => [
                k,
                plainOrUnknown(v),
            ]),
        );
    }
    return value;
}

function plainRecord(value: object): Record<string, unknown> {
    return plainOrUnknown(value) as Record<string, unknown>;
}

/**
 * Failback's wording for a child's failure where its messages predate the child's validator
 * (they are part of the component's documented errors): one message per property.
 */
function reworded(
    prefix: string,
    failures: readonly pulumi.dynamic.CheckFailure[],
    wording: Readonly<Record<string, string>>,
): string[] {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const failure of failures) {
        const own = wording[failure.property];
        if (own === undefined) {
            problems.push(childProblem(prefix, failure));
        } else if (!seen.has(failure.property)) {
            seen.add(failure.property);
            problems.push(`${prefix}.${failure.property} ${own}`);
        }
    }
    return problems;
}

/** `clusterSettings`: the option's shape, then ClusterSettings' own checks of the settings. */
export function clusterSettingsOptionProblems(args: FailbackArgs): string[] {
    const settings = args.clusterSettings as unknown;
    if (settings === undefined || settings === false) return [];
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
        return ["clusterSettings must be an object of ClusterSettings arguments, or false"];
    }
    if ("connection" in settings) {
        return [
            "clusterSettings.connection is not accepted: the component uses cockroachConnection",
        ];
    }
    return clusterSettingsProblems({ ...plainRecord(settings), connection: UNKNOWN }).map((f) =>
        childProblem("clusterSettings", f),
    );
}

const WAIT_KEYS = ["schema", "quietPeriodSeconds", "timeoutSeconds", "pollIntervalSeconds"];

const DRAIN_WORDING: Readonly<Record<string, string>> = {
    metricsUrl: "must be the forward replicator's metrics URL, http(s)://host:port/_/varz",
    schema: "must be a non-empty schema label when given",
    quietPeriodSeconds: "must be a positive whole number of seconds",
    timeoutSeconds: "must be a positive whole number of seconds",
    pollIntervalSeconds: "must be a positive whole number of seconds",
};

/**
 * `forwardReplication`: the choice between waiting and `{ drained: true }` is the component's
 * (it decides whether a gate exists); the values are ForwardDrainGate's.
 */
export function forwardReplicationProblems(args: FailbackArgs): string[] {
    const forward = args.forwardReplication as Record<string, unknown> | undefined;
    if (forward === undefined) return [];
    if (typeof forward !== "object" || forward === null) {
        return ["forwardReplication must be { metricsUrl, … } or { drained: true }"];
    }
    const problems: string[] = [];
    const drained = "drained" in forward;
    if (drained && forward.drained !== true) {
        problems.push(
            "forwardReplication.drained must be true (or leave it out and give forwardReplication.metricsUrl)",
        );
    }
    const gateInputs = plainRecord(forward);
    if (drained) {
        for (const key of WAIT_KEYS) {
            if (forward[key] === undefined) continue;
            problems.push(
                `forwardReplication.${key} is only used when waiting for the drain (without drained: true)`,
            );
            delete gateInputs[key];
        }
        // Without a URL no gate is created: nothing of the gate's to check.
        if (forward.metricsUrl === undefined) return problems;
        gateInputs.drained = true;
    } else {
        // Whole seconds: the component's documented contract, stricter than the gate's.
        for (const key of WAIT_KEYS.slice(1)) {
            const value = forward[key];
            if (typeof value === "number" && !Number.isInteger(value)) gateInputs[key] = 0;
        }
    }
    problems.push(
        ...reworded("forwardReplication", forwardDrainGateProblems(gateInputs), DRAIN_WORDING),
    );
    return problems;
}

/** `changefeed`: Changefeed's own checks of the options the user gives. */
export function changefeedOptionProblems(args: FailbackArgs): string[] {
    const { verifyDeliverySeconds: _bound, ...options } = args.changefeed ?? {};
    return changefeedProblems({
        ...plainRecord(options),
        connection: UNKNOWN,
        tables: UNKNOWN,
        webhookUrl: UNKNOWN,
        caCertPem: UNKNOWN,
        clientCertPem: UNKNOWN,
        clientKeyPem: UNKNOWN,
        authToken: UNKNOWN,
    }).map((f) => childProblem("changefeed", f));
}

/** `gcTtl`: GcTtl's own checks of the TTL and tables (the connection and database are wired). */
export function gcTtlOptionProblems(args: FailbackArgs): string[] {
    const gcTtl = args.gcTtl as unknown;
    if (gcTtl === undefined) return [];
    if (typeof gcTtl !== "object" || gcTtl === null || Array.isArray(gcTtl)) {
        return ['gcTtl must be { ttl, tables? }, e.g. { ttl: "25h" }'];
    }
    return gcTtlProblems({ ...plainRecord(gcTtl), connection: UNKNOWN, database: UNKNOWN }).map(
        (f) => childProblem("gcTtl", f),
    );
}

/**
 * ReplicatorHost's plan checks (prefixed `replicator: `) and its check of brought-in TLS
 * (`replicator.tls…`), on the arguments the component derives. `targetConnection` is the
 * component's `target.replicatorConnection`, reported by the component.
 */
export function replicatorProblems(replicatorName: string, hostArgs: ReplicatorHostArgs): string[] {
    const planned = planOrProblems(replicatorName, hostArgs);
    if ("problems" in planned) {
        return planned.problems
            .filter((p) => !p.startsWith("targetConnection is required"))
            .map((p) => `replicator: ${p}`);
    }
    return replicatorTlsProblems(hostArgs, planned.plan).map((p) => `replicator.${p}`);
}

function plain(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** Brought-in TLS material, when every PEM (and the namespace) is a plain string. */
function replicatorTlsProblems(args: ReplicatorHostArgs, plan: ReplicatorHostPlan): string[] {
    const tls = args.tls;
    if (!tls) return [];
    const namespace = plain(args.namespace ?? "default");
    const caCertPem = plain(tls.caCertPem);
    const certPem = plain(tls.certPem);
    const keyPem = plain(tls.keyPem);
    const clientCertPem = plain(tls.clientCertPem);
    const clientKeyPem = plain(tls.clientKeyPem);
    if (
        caCertPem === undefined ||
        certPem === undefined ||
        keyPem === undefined ||
        (tls.clientCertPem !== undefined && clientCertPem === undefined) ||
        (tls.clientKeyPem !== undefined && clientKeyPem === undefined) ||
        (plan.external === undefined && namespace === undefined)
    ) {
        return [];
    }
    return checkTlsMaterial(
        { caCertPem, certPem, keyPem, clientCertPem, clientKeyPem },
        requiredServerNames(plan, namespace ?? ""),
        plan.tlsEarlyRenewalHours,
    ).problems;
}

/** `preflight`: `false` or its options (the rest of the pre-flight's inputs are wired). */
export function preflightOptionProblems(args: FailbackArgs): string[] {
    const preflight = args.preflight as unknown;
    if (preflight === undefined || preflight === false) return [];
    if (typeof preflight !== "object" || preflight === null || Array.isArray(preflight)) {
        return ["preflight must be false or { failOnWarnings?, gcMarginSeconds? }"];
    }
    const options = plainRecord(preflight);
    const problems: string[] = [];
    const margin = options.gcMarginSeconds;
    if (
        margin !== undefined &&
        margin !== UNKNOWN &&
        !(typeof margin === "number" && Number.isInteger(margin) && margin >= 0)
    ) {
        problems.push("preflight.gcMarginSeconds must be a whole number of seconds, 0 or more");
    }
    const fail = options.failOnWarnings;
    if (fail !== undefined && fail !== UNKNOWN && typeof fail !== "boolean") {
        problems.push("preflight.failOnWarnings must be true or false");
    }
    return problems;
}

/**
 * `target.privileges` and `target.defaultPrivileges`: TargetGrants' own checks. The grantee,
 * schema and tables are the component's (checked against the other children too).
 */
export function grantOptionProblems(target: FailbackArgs["target"]): string[] {
    if (!targetDialect(target.dialect)) return [];
    if (target.privileges === undefined && target.defaultPrivileges === undefined) return [];
    const inputs = plainRecord({
        dialect: target.dialect,
        schema: target.schema,
        privileges: target.privileges,
        defaultPrivileges: target.defaultPrivileges,
    });
    return targetGrantsProblems({
        ...inputs,
        connection: UNKNOWN,
        grantee: UNKNOWN,
        tables: UNKNOWN,
    })
        .filter((f) => f.property === "privileges" || f.property === "defaultPrivileges")
        .map((f) => childProblem("target", f));
}
