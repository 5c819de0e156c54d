/**
 * Runs a Pulumi project folder with the real CLI from .tools/bin (and its Node.js language
 * host and dynamic-provider launcher) through the Automation API: a `file://` backend in a
 * temporary folder, passphrase secrets, no network (automatic plugin acquisition and update
 * checks off). The folder (Pulumi.yaml + index.ts) is copied next to the packed-package install
 * so `pulumi-crdb-failback` resolves from node_modules exactly as it does for users.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { installPackedPackage, REPO_ROOT } from "./packageInstall";

type Automation = typeof import("@pulumi/pulumi/automation");
type Stack = import("@pulumi/pulumi/automation").Stack;

export const PASSPHRASE = "engine-test-passphrase";

export interface EngineStackOptions {
    /** Folder holding Pulumi.yaml and index.ts (copied, never modified). */
    programDir: string;
    /** Plain config values (`<project>:key` or `key`). */
    config?: Record<string, string>;
    /** Secret config values. */
    secrets?: Record<string, string>;
    /** Extra environment for the CLI and provider processes. */
    env?: Record<string, string>;
    /** Stack name. Default `test`. */
    stackName?: string;
}

export interface EngineStack {
    stack: Stack;
    workDir: string;
    stateDir: string;
    /** Everything the CLI printed so far (all operations), for secret-leak assertions. */
    log(): string;
    /** Each operation's `stdout` is everything the CLI printed: stdout, then stderr. */
    preview(): Promise<{ changeSummary: Record<string, number>; stdout: string }>;
    up(): Promise<{ outputs: Record<string, { value: unknown; secret: boolean }>; stdout: string }>;
    refresh(): Promise<{ changeSummary: Record<string, number>; stdout: string }>;
    destroy(): Promise<{ stdout: string }>;
    /** The raw state file (secrets stay encrypted). */
    exportState(): Promise<string>;
    setConfig(key: string, value: string, secret?: boolean): Promise<void>;
    /** Removes the stack and its temporary folders. */
    dispose(): Promise<void>;
}

export async function createEngineStack(options: EngineStackOptions): Promise<EngineStack> {
    const installDir = await installPackedPackage();
    const programsRoot = path.join(installDir, "programs");
    fs.mkdirSync(programsRoot, { recursive: true });
    const workDir = fs.mkdtempSync(
        path.join(programsRoot, `${path.basename(options.programDir)}-`),
    );
    // A project whose Pulumi.yaml names `main: <folder>/` (the repository root does) is copied
    // as one folder: the program's files, and the project file without that line.
    const projectFile = fs.readFileSync(path.join(options.programDir, "Pulumi.yaml"), "utf8");
    const main = /^main:\s*(\S+)\s*$/m.exec(projectFile)?.[1];
    const sourceDir = main ? path.join(options.programDir, main) : options.programDir;
    for (const file of fs.readdirSync(sourceDir)) {
        if (file === "node_modules" || file.startsWith("Pulumi.")) continue;
        const from = path.join(sourceDir, file);
        if (fs.statSync(from).isFile()) fs.copyFileSync(from, path.join(workDir, file));
    }
    fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), projectFile.replace(/^main:.*\n/m, ""));
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-state-"));
    const pulumiHome = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-home-"));
    const stackName = options.stackName ?? "test";

    const auto: Automation = require(
        path.join(installDir, "node_modules/@pulumi/pulumi/automation"),
    );
    const pulumiCommand = await auto.PulumiCommand.get({ root: path.join(REPO_ROOT, ".tools") });
    const stack = await auto.LocalWorkspace.createOrSelectStack(
        { stackName, workDir },
        {
            workDir,
            pulumiCommand,
            pulumiHome,
            envVars: {
                PULUMI_BACKEND_URL: `file://${stateDir}`,
                PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                ...options.env,
            },
        },
    );
    for (const [key, value] of Object.entries(options.config ?? {})) {
        await stack.setConfig(key, { value, secret: false });
    }
    for (const [key, value] of Object.entries(options.secrets ?? {})) {
        await stack.setConfig(key, { value, secret: true });
    }

    // Everything the CLI prints: the engine's display on stdout, and on stderr the diagnostics
    // that provider processes log (e.g. the planned SQL in a preview).
    let transcript = "";
    const onOutput = (s: string) => {
        transcript += s;
    };
    const onError = onOutput;
    const printed = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;
    return {
        stack,
        workDir,
        stateDir,
        log: () => transcript,
        async preview() {
            const r = await stack.preview({ onOutput, onError, diff: true });
            return { changeSummary: r.changeSummary as Record<string, number>, stdout: printed(r) };
        },
        async up() {
            const r = await stack.up({ onOutput, onError });
            return { outputs: r.outputs, stdout: printed(r) };
        },
        async refresh() {
            const r = await stack.refresh({ onOutput, onError });
            return {
                changeSummary: (r.summary.resourceChanges ?? {}) as Record<string, number>,
                stdout: printed(r),
            };
        },
        async destroy() {
            const r = await stack.destroy({ onOutput, onError });
            return { stdout: printed(r) };
        },
        async exportState() {
            // The state file exactly as the backend stores it. (The Automation API's
            // exportStack() runs `stack export --show-secrets`, which decrypts secrets.)
            return fs.readFileSync(findStateFile(stateDir, stackName), "utf8");
        },
        async setConfig(key, value, secret = false) {
            await stack.setConfig(key, { value, secret });
        },
        async dispose() {
            try {
                await stack.workspace.removeStack(stackName, { force: true });
            } finally {
                fs.rmSync(workDir, { recursive: true, force: true });
                fs.rmSync(stateDir, { recursive: true, force: true });
                fs.rmSync(pulumiHome, { recursive: true, force: true });
            }
        },
    };
}

function findStateFile(stateDir: string, stackName: string): string {
    const stacks = path.join(stateDir, ".pulumi", "stacks");
    for (const project of fs.readdirSync(stacks)) {
        for (const file of [`${stackName}.json`, `${stackName}.json.gz`]) {
            const candidate = path.join(stacks, project, file);
            if (fs.existsSync(candidate)) return candidate;
        }
    }
    throw new Error(`no state file under ${stacks}`);
}

/**
 * The state's resources without the default `pulumi-nodejs` provider, into which the engine
 * copies the whole stack configuration (so plain — non-secret — config values appear there in
 * plaintext whatever the program does with them).
 */
export function resourcesExceptDynamicProvider(state: string): string {
    const resources = (JSON.parse(state).checkpoint?.latest?.resources ?? []) as Array<{
        type: string;
    }>;
    return JSON.stringify(resources.filter((r) => r.type !== "pulumi:providers:pulumi-nodejs"));
}

/**
 * Fails with the offending fragment when any secret, its base64 form or its URL-encoded form
 * appears in `text`.
 */
export function findLeaks(text: string, secrets: ReadonlyArray<string>): string[] {
    const leaks: string[] = [];
    for (const secret of secrets) {
        if (!secret || secret.length < 4) continue;
        const forms = [
            secret,
            Buffer.from(secret).toString("base64"),
            encodeURIComponent(secret),
            JSON.stringify(secret).slice(1, -1),
        ];
        for (const form of forms) {
            const at = text.indexOf(form);
            if (at >= 0) leaks.push(`${form.slice(0, 12)}… at offset ${at}`);
        }
    }
    return leaks;
}

/**
 * Every file the `file://` backend in `stateDir` holds — the stack's state, its `.bak` backups,
 * the update history and its checkpoints — as text (`.gz` files unpacked), by relative path.
 */
export function backendFiles(stateDir: string): Array<{ file: string; text: string }> {
    const files: Array<{ file: string; text: string }> = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile()) {
                const raw = fs.readFileSync(full);
                const text = (entry.name.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
                files.push({ file: path.relative(stateDir, full), text });
            }
        }
    };
    walk(stateDir);
    return files;
}

/** `findLeaks` over every file of the backend, each leak prefixed with the file it is in. */
export function findBackendLeaks(stateDir: string, secrets: ReadonlyArray<string>): string[] {
    return backendFiles(stateDir).flatMap(({ file, text }) =>
        findLeaks(text, secrets).map((leak) => `${file}: ${leak}`),
    );
}
