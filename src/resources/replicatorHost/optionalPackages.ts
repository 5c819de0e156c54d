/**
 * `@pulumi/kubernetes` and `@pulumi/tls` are optional peer dependencies: a program that runs the
 * replicator elsewhere (`external`) with its own TLS material and JWT key needs neither. They are
 * loaded here, only on the code paths that create their resources; a missing one is reported by
 * name with the command that installs it.
 */
import type * as k8sTypes from "@pulumi/kubernetes";
import type * as tlsTypes from "@pulumi/tls";

/** The optional packages and what each is needed for. */
export const OPTIONAL_PACKAGES = {
    kubernetes: "@pulumi/kubernetes",
    tls: "@pulumi/tls",
} as const;

/** Thrown when an optional package a requested feature needs is not installed. */
export class MissingPackageError extends Error {
    constructor(
        readonly packageName: string,
        neededFor: string,
        avoidWith: string,
    ) {
        super(
            `${neededFor} needs the optional package ${packageName}, which is not installed. ` +
                `Install it with: npm install ${packageName} (or yarn add / pnpm add ${packageName}), ` +
                `or ${avoidWith}.`,
        );
        this.name = "MissingPackageError";
    }
}

/** True when `err` says that `packageName` itself (not something it requires) cannot be found. */
function isMissing(err: unknown, packageName: string): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    const message = err instanceof Error ? err.message : "";
    return code === "MODULE_NOT_FOUND" && message.startsWith(`Cannot find module '${packageName}'`);
}

function loadOptional<T>(packageName: string, neededFor: string, avoidWith: string): T {
    try {
        return require(packageName) as T;
    } catch (err) {
        if (isMissing(err, packageName)) {
            throw new MissingPackageError(packageName, neededFor, avoidWith);
        }
        throw err;
    }
}

/** `@pulumi/kubernetes`, for the Secret, ConfigMap, Deployment and Service. */
export function loadKubernetes(): typeof k8sTypes {
    return loadOptional(
        OPTIONAL_PACKAGES.kubernetes,
        "running the replicator in Kubernetes",
        "run the replicator yourself (external: { url })",
    );
}

/** `@pulumi/tls`, for generated certificates or a generated JWT key; `neededFor` names which. */
export function loadTls(neededFor: string, avoidWith: string): typeof tlsTypes {
    return loadOptional(OPTIONAL_PACKAGES.tls, neededFor, avoidWith);
}
