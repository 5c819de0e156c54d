/**
 * How `Failback` derives its children's arguments from its own, and the checks it runs on the
 * plain values at construction. Pure.
 */
import type * as pulumi from "@pulumi/pulumi";

import type { ForwardDrainGateArgs } from "../forwardDrainGate";
import type { PreflightArgs } from "../preflight";
import type { FailbackArgs, FailbackForwardDrainArgs, FailbackForwardDrainedArgs } from "./args";
import { defaultChangefeedTables, foldsUpper } from "./tables";
import {
    plainString,
    plainStrings,
    structuralProblems,
    valueProblems,
    type FailbackValues,
} from "./validate";

/** The plain values of the Output-capable arguments (undefined where not plain). */
function plainValues(args: FailbackArgs): FailbackValues {
    const target = args.target;
    const tables = plainStrings(target.tables);
    const feedTables =
        args.changefeedTables === undefined
            ? tables && defaultChangefeedTables(foldsUpper(target.dialect), tables)
            : plainStrings(args.changefeedTables);
    return {
        cockroachConnection: plainString(args.cockroachConnection),
        stagingConnection: plainString(args.stagingConnection ?? args.cockroachConnection),
        adminConnection: plainString(target.adminConnection),
        replicatorConnection: plainString(target.replicatorConnection),
        grantee: plainString(target.grantee),
        tables,
        changefeedTables: feedTables,
    };
}

/** Structural problems plus the value problems of the values already plain. */
export function earlyProblems(args: FailbackArgs, replicatorName: string): string[] {
    const problems = structuralProblems(args, replicatorName);
    const target = args.target as FailbackArgs["target"] | undefined;
    if (!target || typeof target !== "object") return problems;
    return [...problems, ...valueProblems(args, plainValues(args)).problems];
}

/** Value warnings known at construction (plain values only). */
export function earlyWarnings(args: FailbackArgs): string[] {
    return valueProblems(args, plainValues(args)).warnings;
}

/** The ForwardDrainGate arguments, or undefined when no gate is needed. */
export function drainGateArgs(
    forward: FailbackForwardDrainArgs | FailbackForwardDrainedArgs,
): ForwardDrainGateArgs | undefined {
    if ("drained" in forward) {
        return forward.metricsUrl === undefined
            ? undefined
            : { metricsUrl: forward.metricsUrl, drained: true };
    }
    return {
        metricsUrl: forward.metricsUrl,
        ...(forward.schema !== undefined ? { schema: forward.schema } : {}),
        ...(forward.quietPeriodSeconds !== undefined
            ? { quietPeriodSeconds: forward.quietPeriodSeconds }
            : {}),
        ...(forward.timeoutSeconds !== undefined ? { timeoutSeconds: forward.timeoutSeconds } : {}),
        ...(forward.pollIntervalSeconds !== undefined
            ? { pollIntervalSeconds: forward.pollIntervalSeconds }
            : {}),
    };
}

/** The connections and tables the component has already checked (gated Outputs). */
export interface CheckedInputs {
    cockroachConnection: pulumi.Output<string>;
    stagingConnection: pulumi.Output<string>;
    adminConnection: pulumi.Output<string>;
    grantee: pulumi.Output<string>;
    changefeedTables: pulumi.Output<string[]>;
}

/**
 * The pre-flight's arguments: the changefeed's tables against the target the grants cover, with
 * what the other children will settle (grants, rangefeed setting) counted as settled.
 */
export function preflightArgs(args: FailbackArgs, checked: CheckedInputs): PreflightArgs {
    const options = args.preflight === false ? {} : (args.preflight ?? {});
    const feed = args.changefeed ?? {};
    return {
        cockroachConnection: checked.cockroachConnection,
        targetConnection: checked.adminConnection,
        targetSchema: args.target.schema,
        tables: checked.changefeedTables,
        grantee: checked.grantee,
        ...(args.target.granteeHost !== undefined ? { granteeHost: args.target.granteeHost } : {}),
        ...(args.ignoreColumns !== undefined ? { ignoreColumns: args.ignoreColumns } : {}),
        grantsManaged: true,
        stagingSchema: args.stagingSchema,
        stagingConnection: checked.stagingConnection,
        ...(args.stagingCreateSchema !== undefined
            ? { stagingCreateSchema: args.stagingCreateSchema }
            : {}),
        rangefeedManaged: args.clusterSettings !== false,
        ...(feed.options !== undefined ? { changefeedOptions: feed.options } : {}),
        ...(feed.cursor !== undefined ? { cursor: feed.cursor } : {}),
        ...(feed.exclusive !== undefined ? { exclusive: feed.exclusive } : {}),
        ...(options.failOnWarnings !== undefined ? { failOnWarnings: options.failOnWarnings } : {}),
        ...(options.gcMarginSeconds !== undefined
            ? { gcMarginSeconds: options.gcMarginSeconds }
            : {}),
    };
}
