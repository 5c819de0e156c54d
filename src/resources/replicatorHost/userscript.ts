/**
 * The userscript (`replicator start --userscript`): its checks, the ConfigMap that carries it and
 * where it is mounted in the pod. Pure. How the replicator loads the file is described in
 * docs/replicator-host.md ("Userscript").
 */
import { dataChecksum, type ObjectMeta } from "./manifestTypes";

/** Directory the ConfigMap is mounted at (read-only). */
export const USERSCRIPT_MOUNT_PATH = "/userscript";
/**
 * File name of the script in the ConfigMap and the mount. The `.ts` extension lets the
 * replicator resolve extension-less relative imports the way it does for TypeScript; plain
 * JavaScript is valid TypeScript for its transpiler.
 */
export const USERSCRIPT_FILE = "userscript.ts";
/** The path passed as `--userscript`. */
export const USERSCRIPT_PATH = `${USERSCRIPT_MOUNT_PATH}/${USERSCRIPT_FILE}`;
/** Pod-template annotation holding the script's checksum: a new script rolls the pods. */
export const USERSCRIPT_CHECKSUM_ANNOTATION = "checksum/userscript";
/**
 * Largest script accepted, in UTF-8 bytes: a ConfigMap (data and metadata together) may not
 * exceed 1 MiB.
 */
export const MAX_USERSCRIPT_BYTES = 1_000_000;

/** The userscript as the plan carries it: checked, with its checksum computed once. */
export interface PlannedUserscript {
    source: string;
    /** sha256 (hex) of the ConfigMap's data. */
    checksum: string;
}

export interface ConfigMapManifest {
    apiVersion: "v1";
    kind: "ConfigMap";
    metadata: ObjectMeta;
    data: Record<string, string>;
}

/** The ConfigMap's name for a Service name. */
export function userscriptConfigMapName(serviceName: string): string {
    return `${serviceName}-userscript`;
}

/** The ConfigMap's `data`: one file. */
export function userscriptData(source: string): Record<string, string> {
    return { [USERSCRIPT_FILE]: source };
}

/** The pod-template annotation value: {@link dataChecksum} of the ConfigMap's data. */
export function userscriptChecksum(source: string): string {
    return dataChecksum(userscriptData(source));
}

/**
 * Problems with the `userscript` argument. An `external` replicator runs elsewhere, so the
 * component cannot ship a script to it: asking for one is an error rather than a silent no-op
 * (rows the script should filter would reach the target unfiltered).
 */
export function userscriptProblems(userscript: unknown, external: boolean): string[] {
    if (userscript === undefined) return [];
    if (typeof userscript !== "string" || userscript.trim() === "") {
        return [
            "userscript must be the script's source text (TypeScript or JavaScript), not empty: " +
                'read a file with fs.readFileSync(path, "utf8")',
        ];
    }
    const problems: string[] = [];
    const bytes = Buffer.byteLength(userscript, "utf8");
    if (bytes > MAX_USERSCRIPT_BYTES) {
        problems.push(
            `userscript is ${bytes} bytes; at most ${MAX_USERSCRIPT_BYTES} fit in a ConfigMap`,
        );
    }
    if (external) {
        problems.push(
            "userscript is shipped only to a replicator this component runs: with external, " +
                "remove userscript and start that replicator with --userscript yourself",
        );
    }
    return problems;
}

/** The plan's view of a valid `userscript` argument (call after {@link userscriptProblems}). */
export function planUserscript(userscript: string | undefined): PlannedUserscript | undefined {
    if (userscript === undefined) return undefined;
    return { source: userscript, checksum: userscriptChecksum(userscript) };
}

export function buildUserscriptConfigMap(
    spec: { serviceName: string; namespace: string; labels: Record<string, string> },
    source: string,
): ConfigMapManifest {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: userscriptConfigMapName(spec.serviceName),
            namespace: spec.namespace,
            labels: spec.labels,
        },
        data: userscriptData(source),
    };
}
