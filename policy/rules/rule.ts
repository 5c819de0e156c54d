/** What a rule of this pack is, and small helpers shared by the rules. Pure. */

/** One check of the pack; it becomes a mandatory and an advisory policy (see ../policies.ts). */
export interface Rule {
    /** Name of the mandatory policy; the advisory one is `<name>-dev-stacks`. */
    name: string;
    /** One sentence: what the rule forbids. */
    description: string;
    /** Resource type tokens whose inputs the rule inspects. */
    types: readonly string[];
    /** How to fix a finding (shown with the policy's metadata). */
    remediation: string;
    severity: "low" | "medium" | "high" | "critical";
    /**
     * The findings in one resource's inputs; each is a complete message that says what is wrong
     * and how to fix it. Must never quote a value that could hold a secret. `resourceName` is
     * the resource's logical name (for messages).
     */
    check(props: Record<string, unknown>, resourceName?: string): string[];
}

/** The literals Go's `strconv.ParseBool` reads as false (flags and sink parameters use it). */
const GO_FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** True when `value` (a flag or parameter value after `=`) turns the setting off. */
export function isGoFalse(value: string): boolean {
    return GO_FALSE.has(value.trim());
}

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
