/**
 * `pulumi.runtime.setMocks` wiring shared by the component-resource tests: records every
 * registration (type, name, inputs, provider reference) and, through a legacy transformation on
 * the component (inherited by every descendant), each resource's parent, explicit provider and
 * `dependsOn`. Dynamic providers are never called: each suite passes the outputs its mocked
 * resources return (`installMocks(mockOutputs)`), so the component's outputs resolve.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    provider?: string;
}

export interface Construction {
    resource: pulumi.Resource;
    type: string;
    name: string;
    parent?: pulumi.Resource;
    provider?: pulumi.ProviderResource;
    dependsOn: pulumi.Resource[];
    props: pulumi.Inputs;
}

/** The outputs a mocked resource returns on top of its inputs. */
export type MockOutputs = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;

/** Every registration the mock monitor has seen in this process, in order. */
export const registrations: Registration[] = [];

/** The signature key of a secret value as the mock monitor passes it in `inputs`. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** True when `value` is a secret envelope (a secret input, as the engine would see it). */
export function isSecretEnvelope(value: unknown): boolean {
    return typeof value === "object" && value !== null && SECRET_SIG in value;
}

/** `value` with every secret envelope replaced by `"[secret]"`: what a preview could print. */
export function visible(value: unknown): unknown {
    if (isSecretEnvelope(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(visible);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visible(v)]));
    }
    return value;
}

/** `value` with every secret envelope replaced by its plaintext. */
export function plain(value: unknown): unknown {
    if (isSecretEnvelope(value)) return plain((value as { value: unknown }).value);
    if (Array.isArray(value)) return value.map(plain);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

/** The value of an Output (mocks run as an update, so every value is known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/**
 * Outputs shaped like the real ones for the resources every ReplicatorHost creates (the tls
 * keys and certificates, the ReplicatorAuthKey); `{}` for any other type.
 */
export function replicatorHostMockOutputs(
    args: pulumi.runtime.MockResourceArgs,
): Record<string, unknown> {
    switch (args.type) {
        case "tls:index/privateKey:PrivateKey":
            return {
                privateKeyPem: `mock-private-key(${args.name})`,
                publicKeyPem: `mock-public-key(${args.name})`,
            };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { certPem: `mock-cert(${args.name})` };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: `mock-csr(${args.name})` };
        case "pulumi-nodejs:dynamic/crdb-failback:ReplicatorAuthKey":
            return { token: `mock-token(${args.name})`, tokenId: "jti" };
        default:
            return {};
    }
}

/**
 * Installs the mock monitor: each registration is recorded in `registrations` and answered with
 * its inputs plus `mockOutputs(args)`. No provider function may be called.
 */
export async function installMocks(mockOutputs: MockOutputs): Promise<void> {
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                registrations.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs as Record<string, unknown>,
                    provider: args.provider,
                });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...mockOutputs(args) } };
            },
            call() {
                throw new Error("no provider functions are expected");
            },
        },
        "project",
        "stack",
        false,
    );
}

/**
 * Runs `build` with a transformation that records each resource it creates (the component and
 * every descendant), then waits until every one of them is registered, and then `settleMs` more
 * (default 0) so registrations that wait on outputs (dynamic resources) reach the mock monitor.
 */
export async function construct<T extends pulumi.ComponentResource>(
    build: (opts: pulumi.ComponentResourceOptions) => T,
    settleMs = 0,
): Promise<{ component: T; children: Construction[]; registered: Registration[] }> {
    const children: Construction[] = [];
    const start = registrations.length;
    const component = build({
        transformations: [
            (args) => {
                const dependsOn = args.opts.dependsOn;
                children.push({
                    resource: args.resource,
                    type: args.type,
                    name: args.name,
                    parent: args.opts.parent,
                    provider: args.opts.provider as pulumi.ProviderResource | undefined,
                    dependsOn: (Array.isArray(dependsOn)
                        ? dependsOn
                        : dependsOn
                          ? [dependsOn]
                          : []) as pulumi.Resource[],
                    props: args.props,
                });
                return undefined;
            },
        ],
    });
    await Promise.all([component, ...children.map((c) => c.resource)].map((r) => valueOf(r.urn)));
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    return {
        component,
        children: children.filter((c) => c.resource !== component),
        registered: registrations.slice(start),
    };
}

/**
 * Runs `build` and waits (at most `timeoutMs`) for an unhandled rejection whose message matches
 * `pattern`: how an error thrown inside an apply reaches a Pulumi program. The test runner's own
 * listeners are set aside meanwhile and put back afterwards.
 */
export async function expectProgramError(
    build: () => void,
    pattern: RegExp,
    timeoutMs = 5000,
): Promise<Error[]> {
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const seen: Error[] = [];
    try {
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`no error matching ${pattern} within ${timeoutMs} ms`)),
                timeoutMs,
            );
            process.on("unhandledRejection", (reason) => {
                const err = reason instanceof Error ? reason : new Error(String(reason));
                seen.push(err);
                if (pattern.test(err.message)) {
                    clearTimeout(timer);
                    resolve();
                }
            });
            build();
        });
        // Let sibling rejections from the same failure arrive before the listeners go back.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return seen;
    } finally {
        process.removeAllListeners("unhandledRejection");
        for (const listener of saved) process.on("unhandledRejection", listener);
    }
}

/**
 * Clears the Pulumi runtime's list of unfinished promises (checked at process exit). Only for
 * tests whose program is meant to fail part-way.
 */
export function forgetPendingPromises(): void {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
        leakedPromises(): unknown;
    };
    debuggable.leakedPromises();
}
