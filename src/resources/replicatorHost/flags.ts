/**
 * `replicator start` arguments: the fixed part this component always passes, the typed tuning
 * flags (each only when set — an unknown flag makes the replicator exit), and `extraArgs`. Pure.
 */
import type { ReplicatorTuningArgs } from "./args";

/** Where the Secret's certificate files are mounted, and the emptyDir for `--dataDir`. */
export const TLS_MOUNT_PATH = "/tls";
export const DATA_MOUNT_PATH = "/data";

/** Environment variables holding the connection strings (from the Secret). */
export const TARGET_CONN_ENV = "TARGET_CONN";
export const STAGING_CONN_ENV = "STAGING_CONN";

type FlagKind = "count" | "duration" | "bool";

/** Typed tuning argument → flag name and value kind. Order here is the order in `args`. */
const TUNING_FLAGS: ReadonlyArray<readonly [keyof ReplicatorTuningArgs, string, FlagKind]> = [
    ["parallelism", "parallelism", "count"],
    ["flushSize", "flushSize", "count"],
    ["flushPeriod", "flushPeriod", "duration"],
    ["quiescentPeriod", "quiescentPeriod", "duration"],
    ["scanSize", "scanSize", "count"],
    ["targetMaxPoolSize", "targetMaxPoolSize", "count"],
    ["stagingMaxPoolSize", "stagingMaxPoolSize", "count"],
    ["applyTimeout", "applyTimeout", "duration"],
    ["bestEffortWindow", "bestEffortWindow", "duration"],
    ["bestEffortOnly", "bestEffortOnly", "bool"],
    ["immediate", "immediate", "bool"],
    ["retireOffset", "retireOffset", "duration"],
    ["timestampLimit", "timestampLimit", "count"],
    ["httpResponseTimeout", "httpResponseTimeout", "duration"],
    ["ndjsonBufferSize", "ndjsonBufferSize", "count"],
    ["assumeIdempotent", "assumeIdempotent", "bool"],
];

/** Flags the component manages itself; `extraArgs` may not set them. */
const MANAGED_FLAGS: readonly string[] = [
    "bindAddr",
    "metricsAddr",
    "stagingSchema",
    "stagingCreateSchema",
    "tlsCertificate",
    "tlsPrivateKey",
    "tlsSelfSigned",
    "targetConn",
    "stagingConn",
    "dataDir",
    "disableAuthentication",
    "logFormat",
    "verbose",
    "userscript",
    ...TUNING_FLAGS.map(([, flag]) => flag),
];

/** A Go `time.ParseDuration` string: `0`, or number+unit groups (`1h30m`, `250ms`, `1.5s`). */
const GO_DURATION = /^(?:0|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;

/** The flags for the tuning arguments that are set, in a fixed order. */
export function tuningFlags(args: ReplicatorTuningArgs): string[] {
    const flags: string[] = [];
    for (const [key, flag] of TUNING_FLAGS) {
        const value = args[key];
        if (value === undefined) continue;
        flags.push(`--${flag}=${String(value)}`);
    }
    if (args.logFormat !== undefined) flags.push(`--logFormat=${args.logFormat}`);
    if (args.verbosity === 1) flags.push("-v");
    if (args.verbosity === 2) flags.push("-vv");
    return flags;
}

/** Every problem with the tuning arguments and `extraArgs`. */
export function tuningProblems(
    args: ReplicatorTuningArgs & { extraArgs?: readonly string[] },
): string[] {
    const problems: string[] = [];
    for (const [key, , kind] of TUNING_FLAGS) {
        const value: unknown = args[key];
        if (value === undefined) continue;
        if (kind === "count" && !(Number.isInteger(value) && (value as number) > 0)) {
            problems.push(`${key} must be a positive whole number`);
        } else if (kind === "duration" && !(typeof value === "string" && GO_DURATION.test(value))) {
            problems.push(`${key} must be a Go duration such as "500ms", "10s" or "1h"`);
        } else if (kind === "bool" && typeof value !== "boolean") {
            problems.push(`${key} must be true or false`);
        }
    }
    if (args.logFormat !== undefined && args.logFormat !== "text" && args.logFormat !== "fluent") {
        problems.push('logFormat must be "text" or "fluent"');
    }
    if (args.verbosity !== undefined && ![0, 1, 2].includes(args.verbosity)) {
        problems.push("verbosity must be 0, 1 (-v, debug) or 2 (-vv, trace)");
    }
    if (
        args.parallelism !== undefined &&
        args.targetMaxPoolSize !== undefined &&
        args.parallelism >= args.targetMaxPoolSize
    ) {
        problems.push("parallelism must be below targetMaxPoolSize");
    }
    for (const arg of args.extraArgs ?? []) {
        const match = /^(--?)([A-Za-z][A-Za-z0-9]*)/.exec(arg);
        const flag = match?.[2];
        if (flag !== undefined && (MANAGED_FLAGS.includes(flag) || /^v+$/.test(flag))) {
            problems.push(
                `extraArgs must not set ${match?.[1] ?? "--"}${flag}: the component sets it (use the typed argument)`,
            );
        }
    }
    return problems;
}

/** Everything the fixed part of the arguments depends on. */
export interface StartArgsSpec {
    port: number;
    metricsPort: number;
    stagingSchema: string;
    stagingCreateSchema: boolean;
    disableAuthentication: boolean;
    /** `--userscript`: the mounted script's path, when there is one. */
    userscriptPath?: string;
    tuning: ReplicatorTuningArgs;
    extraArgs: readonly string[];
}

/**
 * The container `args` (the image's entrypoint is the binary, so they start with `start`).
 * Connection strings appear only as `$(VAR)` references to Secret-backed environment variables.
 */
export function startArgs(spec: StartArgsSpec): string[] {
    return [
        "start",
        `--bindAddr=:${spec.port}`,
        `--metricsAddr=:${spec.metricsPort}`,
        `--stagingSchema=${spec.stagingSchema}`,
        `--tlsCertificate=${TLS_MOUNT_PATH}/tls.crt`,
        `--tlsPrivateKey=${TLS_MOUNT_PATH}/tls.key`,
        `--targetConn=$(${TARGET_CONN_ENV})`,
        `--stagingConn=$(${STAGING_CONN_ENV})`,
        `--dataDir=${DATA_MOUNT_PATH}`,
        ...(spec.stagingCreateSchema ? ["--stagingCreateSchema"] : []),
        ...(spec.disableAuthentication ? ["--disableAuthentication"] : []),
        ...(spec.userscriptPath !== undefined ? [`--userscript=${spec.userscriptPath}`] : []),
        ...tuningFlags(spec.tuning),
        ...spec.extraArgs,
    ];
}
