/**
 * Which stacks count as development stacks: the stack name taken from a resource URN, matched
 * against the `devStacks` globs of the pack configuration. Pure.
 */

/** Stacks treated as development stacks when the pack configuration names none. */
export const DEFAULT_DEV_STACKS: readonly string[] = ["dev", "*-dev"];

/** The per-policy configuration every policy of this pack accepts. */
export interface DevStacksConfig {
    /**
     * Glob patterns (`*` = any run of characters, `?` = one character; whole name, case
     * sensitive) of the stack names on which findings are advisory. Default
     * {@link DEFAULT_DEV_STACKS}.
     */
    devStacks?: string[];
}

/** JSON schema of {@link DevStacksConfig} (the engine validates pack config against it). */
export const DEV_STACKS_SCHEMA = {
    properties: {
        devStacks: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            default: [...DEFAULT_DEV_STACKS],
            description:
                "Glob patterns (* and ?) of stack names on which this pack's findings are advisory; " +
                "on every other stack they are mandatory.",
        },
    },
};

/**
 * The stack name in `urn:pulumi:<stack>::<project>::<type>::<name>`, or undefined when the URN
 * does not have that shape.
 */
export function stackNameFromUrn(urn: string): string | undefined {
    const match = /^urn:pulumi:([^:]+)::/.exec(urn);
    return match?.[1];
}

/** Anchored regular expression for one glob pattern. */
export function globToRegExp(pattern: string): RegExp {
    let source = "";
    for (const char of pattern) {
        if (char === "*") source += ".*";
        else if (char === "?") source += ".";
        else source += char.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
    }
    return new RegExp(`^${source}$`);
}

/** True when `stack` matches one of `patterns`. */
export function isDevStack(stack: string, patterns: readonly string[]): boolean {
    return patterns.some((pattern) => globToRegExp(pattern).test(stack));
}

/** The `devStacks` patterns of a policy's configuration, with the default applied. */
export function devStacksFrom(config: DevStacksConfig): readonly string[] {
    const patterns = config.devStacks;
    if (!Array.isArray(patterns)) return DEFAULT_DEV_STACKS;
    return patterns.filter((p): p is string => typeof p === "string" && p !== "");
}
