/**
 * Checks of ReplicatorHost arguments, each run once: the plan (plain arguments) at construction,
 * and the connection strings and brought-in TLS material at construction when they are plain
 * strings, otherwise when they resolve. Pure.
 */
import { validateTlsMaterial, type TlsMaterial } from "../../tls/material";
import { hoursUntilExpiry, parseCertificate } from "../../tls/pem";
import type { ReplicatorHostArgs } from "./args";
import { serviceDnsNames } from "./names";
import { connectionProblems, planOrProblems, type ReplicatorHostPlan } from "./plan";

/** The outcome of the construction-time checks. */
export interface CheckedHost {
    plan: ReplicatorHostPlan;
    /** True when both connection strings were plain strings and passed: not checked again. */
    connectionsChecked: boolean;
    /** Set when the brought-in TLS material was plain strings and passed: not checked again. */
    tlsChecked?: { expiryWarning?: string };
}

/** A plain string input (not an Output or a promise), else undefined. */
function known(input: unknown): string | undefined {
    return typeof input === "string" ? input : undefined;
}

/** The names the server certificate must cover, for a namespace. */
export function requiredServerNames(plan: ReplicatorHostPlan, namespace: string): string[] {
    const names = plan.external
        ? [plan.external.host]
        : serviceDnsNames(plan.serviceName, namespace, plan.clusterDomain);
    return [...new Set([...names, ...plan.hostnames])];
}

/**
 * Brought-in TLS material against the names it must cover: the problems (prefixed
 * `invalid tls:` by the caller) and, when it is valid but close to expiry, a warning.
 */
export function checkTlsMaterial(
    material: TlsMaterial,
    names: readonly string[],
    earlyRenewalHours: number,
    now: Date = new Date(),
): { problems: string[]; expiryWarning?: string } {
    const problems = validateTlsMaterial(material, names, now);
    if (problems.length > 0) return { problems };
    const cert = parseCertificate(material.certPem);
    if (cert && hoursUntilExpiry(cert, now) < earlyRenewalHours) {
        return {
            problems,
            expiryWarning:
                `tls.certPem expires on ${new Date(cert.validTo).toISOString()}; ` +
                "renew it (the pods restart when it changes)",
        };
    }
    return { problems };
}

/** The brought-in TLS material when every part of it is a plain string. */
function knownMaterial(tls: NonNullable<ReplicatorHostArgs["tls"]>): TlsMaterial | undefined {
    const caCertPem = known(tls.caCertPem);
    const certPem = known(tls.certPem);
    const keyPem = known(tls.keyPem);
    const clientCertPem = known(tls.clientCertPem);
    const clientKeyPem = known(tls.clientKeyPem);
    const clientKnown =
        (tls.clientCertPem === undefined || clientCertPem !== undefined) &&
        (tls.clientKeyPem === undefined || clientKeyPem !== undefined);
    if (caCertPem === undefined || certPem === undefined || keyPem === undefined || !clientKnown) {
        return undefined;
    }
    return { caCertPem, certPem, keyPem, clientCertPem, clientKeyPem };
}

/**
 * The checks whose inputs are plain strings, on top of a valid plan: the problems and what they
 * settled.
 */
function earlyChecks(
    args: ReplicatorHostArgs,
    plan: ReplicatorHostPlan,
): { problems: string[]; checked: Omit<CheckedHost, "plan"> } {
    const problems: string[] = [];
    const checked: Omit<CheckedHost, "plan"> = { connectionsChecked: false };
    const staging = known(args.stagingConnection);
    const target = known(args.targetConnection);
    if (staging !== undefined && (plan.external || target !== undefined)) {
        const found = connectionProblems(plan, plan.external ? undefined : target, staging);
        problems.push(...found);
        checked.connectionsChecked = found.length === 0;
    }
    const namespace = known(args.namespace ?? "default");
    const material = args.tls && knownMaterial(args.tls);
    if (material && (plan.external || namespace !== undefined)) {
        const names = requiredServerNames(plan, namespace ?? "");
        const result = checkTlsMaterial(material, names, plan.tlsEarlyRenewalHours);
        if (result.problems.length > 0) {
            problems.push(`invalid tls: ${result.problems.join("; ")}`);
        } else {
            checked.tlsChecked = { expiryWarning: result.expiryWarning };
        }
    }
    return { problems, checked };
}

/**
 * Validates the arguments once and returns the plan with what is already checked. Throws one
 * Error listing the problems of the first stage that has any (the plan, then the plain strings).
 */
export function checkReplicatorHost(componentName: string, args: ReplicatorHostArgs): CheckedHost {
    const planned = planOrProblems(componentName, args);
    if ("problems" in planned) throw new Error(planned.problems.join("; "));
    const { problems, checked } = earlyChecks(args, planned.plan);
    if (problems.length > 0) throw new Error(problems.join("; "));
    return { plan: planned.plan, ...checked };
}

/**
 * Every problem the construction-time checks find, as a list (empty when the component would
 * construct): for components that build a ReplicatorHost and report their own problems.
 */
export function replicatorHostProblems(componentName: string, args: ReplicatorHostArgs): string[] {
    const planned = planOrProblems(componentName, args);
    if ("problems" in planned) return planned.problems;
    return earlyChecks(args, planned.plan).problems;
}
