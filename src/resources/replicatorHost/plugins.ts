/**
 * Whether the resource plugin behind `@pulumi/tls` / `@pulumi/kubernetes` is installed. When it
 * is not and the engine may not download it (`PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION`), the
 * engine's error names only the missing binary; this finds that case beforehand so a warning can
 * name the install command. Pure apart from reading the file system and the environment.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The plugin a Pulumi SDK package drives: its name and version from the package's manifest. */
export function pluginOf(sdkPackage: string): { name: string; version: string } | undefined {
    try {
        const manifest = require(`${sdkPackage}/package.json`) as {
            version?: string;
            pulumi?: { name?: string; version?: string };
        };
        const name = manifest.pulumi?.name;
        const version = manifest.pulumi?.version ?? manifest.version;
        return name && version ? { name, version } : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Installed in `$PULUMI_HOME/plugins` (default ~/.pulumi), or a `pulumi-resource-<name>` on PATH
 * (which the engine ignores with `PULUMI_IGNORE_AMBIENT_PLUGINS`).
 */
export function pluginInstalled(
    plugin: { name: string; version: string },
    env: NodeJS.ProcessEnv = process.env,
): boolean {
    const home = env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
    if (fs.existsSync(path.join(home, "plugins", `resource-${plugin.name}-v${plugin.version}`))) {
        return true;
    }
    // The engine also looks on PATH, unless told to ignore ambient plugins.
    if (/^(1|true)$/i.test(env.PULUMI_IGNORE_AMBIENT_PLUGINS ?? "")) return false;
    const binary = `pulumi-resource-${plugin.name}`;
    return (env.PATH ?? "")
        .split(path.delimiter)
        .some((dir) => dir !== "" && fs.existsSync(path.join(dir, binary)));
}

/**
 * The warning for a plugin that is missing while automatic download is off, naming the command
 * and what avoids the plugin altogether; undefined when nothing is wrong (or cannot be told).
 */
export function missingPluginWarning(
    sdkPackage: string,
    neededFor: string,
    avoidWith: string,
    env: NodeJS.ProcessEnv = process.env,
): string | undefined {
    const disabled = /^(1|true)$/i.test(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION ?? "");
    if (!disabled) return undefined;
    const plugin = pluginOf(sdkPackage);
    if (!plugin || pluginInstalled(plugin, env)) return undefined;
    return (
        `${neededFor} needs the "${plugin.name}" resource plugin v${plugin.version}, which is not installed, ` +
        "and PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION forbids downloading it. Install it with: " +
        `pulumi plugin install resource ${plugin.name} v${plugin.version} ` +
        `(offline: add --file <pulumi-resource-${plugin.name}-v${plugin.version}-<os>-<arch>.tar.gz>), ` +
        `or ${avoidWith}.`
    );
}
