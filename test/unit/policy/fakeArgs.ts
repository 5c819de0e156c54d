/**
 * ResourceValidationArgs as the engine would hand them to a policy, fabricated for unit tests
 * (no engine, no gRPC), and a recorder for reportViolation.
 */
import type { ResourceValidationArgs, RulePolicy } from "../../../policy/policies";

export interface FakeResource {
    type: string;
    props: Record<string, unknown>;
    /** Stack name put into the URN. Default `prod`. */
    stack?: string;
    /** The policy's configuration as `args.getConfig()` returns it. Default `{}`. */
    config?: Record<string, unknown>;
    /** Overrides the URN built from `stack`, `type` and a fixed name. */
    urn?: string;
}

export function fakeArgs(resource: FakeResource): ResourceValidationArgs {
    const name = "res";
    const urn =
        resource.urn ??
        `urn:pulumi:${resource.stack ?? "prod"}::failback::${resource.type}::${name}`;
    return {
        type: resource.type,
        props: resource.props,
        urn,
        name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map<string, string>(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (resource.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`notApplicable: ${reason ?? ""}`);
        },
    };
}

/** Runs one policy on a fabricated resource; returns the messages it reported. */
export function violations(policy: RulePolicy, resource: FakeResource): string[] {
    const reported: string[] = [];
    policy.validateResource(fakeArgs(resource), (message) => {
        reported.push(message);
    });
    return reported;
}
