/**
 * The pack's policies: every rule becomes two policies with the same check, because CrossGuard
 * fixes the enforcement level per policy:
 * - `<rule>` (mandatory) reports only on stacks that do not match `devStacks`;
 * - `<rule>-dev-stacks` (advisory) reports only on stacks that match `devStacks`.
 * The stack name comes from the resource URN. Exactly one of the two reports a finding.
 */
import type {
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
} from "@pulumi/policy";

import { RULES, type Rule } from "./rules";
import {
    DEV_STACKS_SCHEMA,
    devStacksFrom,
    isDevStack,
    stackNameFromUrn,
    type DevStacksConfig,
} from "./stacks";

export type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";

/** Suffix of the advisory (dev-stack) variant of a rule's policy. */
export const DEV_VARIANT_SUFFIX = "-dev-stacks";

/** A policy of this pack: one validation function, one enforcement level. */
export interface RulePolicy extends ResourceValidationPolicy {
    enforcementLevel: EnforcementLevel;
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => void;
}

type Variant = "mandatory" | "advisory";

function policyFor(rule: Rule, variant: Variant): RulePolicy {
    const onDevStacks = variant === "advisory";
    return {
        name: onDevStacks ? `${rule.name}${DEV_VARIANT_SUFFIX}` : rule.name,
        description: onDevStacks
            ? `${rule.description} Advisory on stacks matching devStacks.`
            : `${rule.description} Mandatory on stacks not matching devStacks.`,
        enforcementLevel: variant,
        severity: rule.severity,
        remediationSteps: rule.remediation,
        configSchema: DEV_STACKS_SCHEMA,
        validateResource: (args, report) => {
            if (!rule.types.includes(args.type)) return;
            const patterns = devStacksFrom(args.getConfig<DevStacksConfig>());
            const stack = stackNameFromUrn(args.urn);
            // A URN without a stack name is treated as a non-dev stack: fail closed.
            const dev = stack !== undefined && isDevStack(stack, patterns);
            if (dev !== onDevStacks) return;
            const scope = scopeNote(variant, stack, patterns);
            for (const problem of rule.check(args.props, args.name)) report(`${problem} ${scope}`);
        },
    };
}

/** Why the finding has the level it has, so a reader knows how dev stacks are told apart. */
function scopeNote(
    variant: Variant,
    stack: string | undefined,
    patterns: readonly string[],
): string {
    const list = JSON.stringify(patterns);
    return variant === "advisory"
        ? `[advisory: stack "${stack}" matches devStacks ${list}; mandatory on every other stack]`
        : `[mandatory: stack "${stack ?? "?"}" does not match devStacks ${list}]`;
}

/** Both variants of every rule: mandatory first, then advisory. */
export function buildPolicies(rules: readonly Rule[] = RULES): RulePolicy[] {
    return rules.flatMap((rule) => [policyFor(rule, "mandatory"), policyFor(rule, "advisory")]);
}
