/**
 * Rules on the MOLT Replicator: the Kubernetes Deployment that ReplicatorHost creates (or any
 * Deployment running a `cockroachdb/replicator*` image), and the ReplicatorHost component itself,
 * whose only registered input is its `authMode` (it keeps no other args: they hold secrets). In
 * external mode there is no Deployment, so the component's `authMode` is what shows that
 * authentication is off.
 */
import { isGoFalse, isRecord, type Rule } from "./rule";

export const DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment";
export const REPLICATOR_HOST_TYPE = "crdb-failback:index:ReplicatorHost";

/** `cockroachdb/replicator`, `cockroachdb/replicator-…`, with any registry, tag or digest. */
const REPLICATOR_IMAGE = /(?:^|\/)cockroachdb\/replicator[^/]*$/;

/** True when `image` is a MOLT Replicator image. */
export function isReplicatorImage(image: string): boolean {
    return REPLICATOR_IMAGE.test(image);
}

/** A replicator container: its name, image and everything it is started with. */
export interface ReplicatorContainer {
    name: string;
    image: string;
    argv: string[];
}

/** The containers (and init containers) of a Deployment's inputs that run a replicator image. */
export function replicatorContainers(props: Record<string, unknown>): ReplicatorContainer[] {
    const spec = props.spec;
    const template = isRecord(spec) ? spec.template : undefined;
    const podSpec = isRecord(template) ? template.spec : undefined;
    if (!isRecord(podSpec)) return [];
    const found: ReplicatorContainer[] = [];
    for (const list of [podSpec.initContainers, podSpec.containers]) {
        if (!Array.isArray(list)) continue;
        for (const container of list as unknown[]) {
            if (!isRecord(container) || typeof container.image !== "string") continue;
            if (!isReplicatorImage(container.image)) continue;
            found.push({
                name: typeof container.name === "string" ? container.name : "(unnamed)",
                image: container.image,
                argv: [...strings(container.command), ...strings(container.args)],
            });
        }
    }
    return found;
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * Whether boolean flag `--<flag>` is on in `argv`: `--flag`, `-flag`, `--flag=<bool>`; the last
 * occurrence wins, as in the replicator's flag parser.
 */
export function boolFlagSet(argv: readonly string[], flag: string): boolean {
    const pattern = new RegExp(`^--?${flag}(?:=(.*))?$`);
    let on = false;
    for (const arg of argv) {
        const match = pattern.exec(arg);
        if (match) on = match[1] === undefined || !isGoFalse(match[1]);
    }
    return on;
}

function flagRule(
    fields: Omit<Rule, "types" | "check">,
    flag: string,
    problem: (container: ReplicatorContainer) => string,
): Rule {
    return {
        ...fields,
        types: [DEPLOYMENT_TYPE],
        check: (props) =>
            replicatorContainers(props)
                .filter((c) => boolFlagSet(c.argv, flag))
                .map(problem),
    };
}

const authDisabledFlag: Rule = flagRule(
    {
        name: "replicator-auth-disabled",
        description:
            'MOLT Replicator must not run with --disableAuthentication (ReplicatorHost auth.mode "disabled").',
        remediation:
            'Remove auth: { mode: "disabled" } from the ReplicatorHost (JWT auth is the default) and pass ' +
            "its authToken output to the Changefeed, or drop --disableAuthentication from the container args.",
        severity: "high",
    },
    "disableAuthentication",
    (c) =>
        `The replicator container "${c.name}" (${c.image}) runs with --disableAuthentication: any caller ` +
        'that reaches the webhook can write to every target schema. Fix: remove auth: { mode: "disabled" } ' +
        "from the ReplicatorHost (JWT is the default: a key is registered in the staging schema and the " +
        "token is the authToken output, which goes to the Changefeed), or drop the flag from the container args.",
);

export const replicatorTlsSelfSigned: Rule = flagRule(
    {
        name: "replicator-tls-self-signed",
        description: "MOLT Replicator must not serve a --tlsSelfSigned certificate.",
        remediation:
            "Drop --tlsSelfSigned and serve a certificate the changefeed can verify: ReplicatorHost generates a " +
            "CA and server certificate by default, or bring your own with tls: { caCertPem, certPem, keyPem }.",
        severity: "high",
    },
    "tlsSelfSigned",
    (c) =>
        `The replicator container "${c.name}" (${c.image}) runs with --tlsSelfSigned: its certificate is ` +
        "made up at start and valid only for localhost, so a remote changefeed can connect only by skipping " +
        "certificate verification. Fix: drop --tlsSelfSigned and serve a certificate the changefeed can " +
        "verify (ReplicatorHost generates a CA and server certificate by default, or bring your own with " +
        "tls: { caCertPem, certPem, keyPem }) and give that CA to the Changefeed as caCertPem.",
);

/** The ReplicatorHost component's registered `authMode` input. */
function componentAuthDisabled(props: Record<string, unknown>, resourceName?: string): string[] {
    if (props.authMode !== "disabled") return [];
    return [
        `ReplicatorHost "${resourceName ?? "?"}" has auth.mode "disabled": the replicator runs with ` +
            "--disableAuthentication (in Kubernetes or, with external, wherever you run it), so any caller " +
            'that reaches the webhook can write to every target schema. Fix: remove auth: { mode: "disabled" } ' +
            "(deploy/: remove the authMode config key) — JWT is the default: a key is registered in the " +
            "staging schema and the token is the authToken output, which goes to the Changefeed.",
    ];
}

export const replicatorAuthDisabled: Rule = {
    ...authDisabledFlag,
    types: [DEPLOYMENT_TYPE, REPLICATOR_HOST_TYPE],
    check: (props, resourceName) =>
        "authMode" in props
            ? componentAuthDisabled(props, resourceName)
            : authDisabledFlag.check(props, resourceName),
};
