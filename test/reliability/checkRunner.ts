/**
 * Runs a bad-input case against its resource's offline validation — the provider's `check`,
 * or for the ReplicatorHost component its constructor (under `pulumi.runtime.setMocks`) — and
 * judges the result: the property is named, the reason matches, secrets are never echoed.
 */
import * as pulumi from "@pulumi/pulumi";

import { provider as changefeedProvider } from "../../src/providers/changefeed/provider";
import { provider as clusterSettingsProvider } from "../../src/providers/clusterSettings/provider";
import { provider as replicatorAuthKeyProvider } from "../../src/providers/replicatorAuthKey/provider";
import { provider as targetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { ReplicatorHost } from "../../src/resources/replicatorHost";
import { findLeaks } from "../support/engine/engine";
import type { BadInputCase, ResourceKind } from "./badInputs";

export interface Failure {
    property: string;
    reason: string;
}

const PROVIDERS: Record<
    Exclude<ResourceKind, "ReplicatorHost">,
    pulumi.dynamic.ResourceProvider
> = {
    TargetGrants: targetGrantsProvider,
    ClusterSettings: clusterSettingsProvider,
    Changefeed: changefeedProvider,
    ReplicatorAuthKey: replicatorAuthKeyProvider,
};

let mocksInstalled = false;

/** Mocks for constructing the ReplicatorHost component without an engine. */
async function installMocks(): Promise<void> {
    if (mocksInstalled) return;
    mocksInstalled = true;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: () => ({}),
        },
        "reliability",
        "test",
        false,
    );
}

/** The failures the resource's offline validation reports for `c.inputs`. */
export async function failuresOf(c: BadInputCase): Promise<Failure[]> {
    if (c.resource === "ReplicatorHost") {
        await installMocks();
        try {
            new ReplicatorHost(c.name, c.inputs as never);
        } catch (err) {
            return [{ property: "", reason: (err as Error).message }];
        }
        return [];
    }
    const result = await PROVIDERS[c.resource].check!({}, c.inputs);
    return (result.failures ?? []).map((f) => ({ property: f.property, reason: f.reason }));
}

/** What is wrong with how `failures` report `c` (empty when all is as expected). */
export function judge(c: BadInputCase, failures: Failure[], secrets: readonly string[]): string[] {
    const problems: string[] = [];
    const shown = JSON.stringify(failures);
    if (failures.length === 0) return [`${c.name}: accepted (no failure)`];
    if (c.resource === "ReplicatorHost") {
        const message = failures[0]?.reason ?? "";
        if (!message.includes(c.property) || !message.includes(c.reason)) {
            problems.push(`${c.name}: expected "${c.property}" and "${c.reason}" in ${shown}`);
        }
    } else if (c.secret) {
        const match = failures.find(
            (f) => f.property === "" && f.reason.startsWith(`${c.property}:`),
        );
        if (!match || !match.reason.includes(c.reason)) {
            problems.push(
                `${c.name}: expected a failure with an empty property and reason "${c.property}: …${c.reason}…", got ${shown}`,
            );
        }
        if (failures.some((f) => f.property === c.property)) {
            problems.push(`${c.name}: secret-bearing ${c.property} named as the property`);
        }
    } else {
        const match = failures.find((f) => f.property === c.property);
        if (!match || !match.reason.includes(c.reason)) {
            problems.push(
                `${c.name}: expected property ${c.property} with "${c.reason}", got ${shown}`,
            );
        }
    }
    const leaks = findLeaks(shown, secrets);
    if (leaks.length > 0) problems.push(`${c.name}: secret echoed (${leaks.join(", ")})`);
    return problems;
}
