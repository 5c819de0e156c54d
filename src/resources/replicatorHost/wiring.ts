/**
 * The parts of a ReplicatorHost between its checked arguments and its resources: the names the
 * server certificate covers, the connection strings (checked when they resolve, unless already
 * checked), the JWT auth key and the URL outputs.
 */
import * as pulumi from "@pulumi/pulumi";

import { ReplicatorAuthKey } from "../replicatorAuthKey";
import type { ReplicatorHostArgs } from "./args";
import { type CheckedHost, requiredServerNames } from "./check";
import type { HostContext } from "./context";
import { METRICS_PATH } from "./manifests";
import { connectionProblems } from "./plan";
import { jwtPrivateKey } from "./tls";
import type { Connections } from "./workload";

/** The names the server certificate must cover (the Service's or the external host). */
export function serverNamesOf(
    ctx: HostContext,
    namespace: pulumi.Output<string>,
): pulumi.Output<string[]> {
    return namespace.apply((ns) => requiredServerNames(ctx.plan, ns));
}

/** Both connection strings as one secret Output, checked once. */
export function checkedConnections(
    ctx: HostContext,
    args: ReplicatorHostArgs,
    checked: CheckedHost["connectionsChecked"],
): pulumi.Output<Connections> {
    const external = ctx.plan.external !== undefined;
    return pulumi
        .all([pulumi.secret(args.targetConnection), pulumi.secret(args.stagingConnection)])
        .apply(([target, staging]) => {
            if (!checked) {
                const problems = connectionProblems(
                    ctx.plan,
                    external ? undefined : target,
                    staging,
                );
                if (problems.length > 0) throw ctx.error(problems.join("; "));
            }
            return { target: target ?? "", staging };
        });
}

/**
 * The bearer token: a key registered in the staging schema after the workload (the replicator
 * creates `jwt_public_keys` when it starts), or undefined with a warning when auth is disabled.
 */
export function authTokenOf(
    ctx: HostContext,
    args: ReplicatorHostArgs,
    stagingConnection: pulumi.Output<string>,
    deployment: pulumi.Resource | undefined,
): pulumi.Output<string | undefined> {
    if (ctx.plan.authMode !== "jwt") {
        ctx.warn(
            "authentication is disabled (--disableAuthentication): " +
                "any caller that reaches the webhook can write to any target schema",
        );
        return pulumi.output(undefined);
    }
    const authKey = new ReplicatorAuthKey(
        `${ctx.name}-auth-key`,
        {
            stagingConnection,
            stagingSchema: args.stagingSchema,
            privateKeyPem: jwtPrivateKey(ctx, args),
            schemas: [ctx.plan.targetSchema],
            waitForTableSeconds: args.auth?.waitForTableSeconds,
        },
        ctx.child(deployment ? { dependsOn: [deployment] } : {}),
    );
    return pulumi.secret(authKey.token);
}

/** `https://<host>:<port>` of the webhook and the metrics URL. */
export function endpointsOf(
    ctx: HostContext,
    namespace: pulumi.Output<string>,
): { webhookBaseUrl: pulumi.Output<string>; metricsUrl: pulumi.Output<string | undefined> } {
    const { plan } = ctx;
    if (plan.external) {
        return {
            webhookBaseUrl: pulumi.output(plan.external.origin),
            metricsUrl: pulumi.output(plan.external.metricsUrl),
        };
    }
    const host = (ns: string) => `${plan.serviceName}.${ns}.svc.${plan.clusterDomain}`;
    return {
        webhookBaseUrl: namespace.apply((ns) => `https://${host(ns)}:${plan.port}`),
        metricsUrl: namespace.apply(
            (ns) => `http://${host(ns)}:${plan.metricsPort}${METRICS_PATH}`,
        ),
    };
}
