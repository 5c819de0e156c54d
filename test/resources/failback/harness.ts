/**
 * Mocks for Failback tests: the shared recording harness (test/support/mocks/harness.ts) with
 * outputs shaped like the real providers' for every resource a Failback creates. Dynamic
 * providers are never called.
 */
import type * as pulumi from "@pulumi/pulumi";

import * as harness from "../../support/mocks/harness";

export {
    type Construction,
    expectProgramError,
    forgetPendingPromises,
    isSecretEnvelope,
    plain,
    type Registration,
    registrations,
    valueOf,
    visible,
} from "../../support/mocks/harness";

export const TYPES = {
    failback: "crdb-failback:index:Failback",
    settings: "pulumi-nodejs:dynamic/crdb-failback:ClusterSettings",
    grants: "pulumi-nodejs:dynamic/crdb-failback:TargetGrants",
    host: "crdb-failback:index:ReplicatorHost",
    authKey: "pulumi-nodejs:dynamic/crdb-failback:ReplicatorAuthKey",
    gate: "pulumi-nodejs:dynamic/crdb-failback:ForwardDrainGate",
    changefeed: "pulumi-nodejs:dynamic/crdb-failback:Changefeed",
} as const;

export const MOCK_CURSOR = "1759246920563173000.0000000000";
export const MOCK_JOB_ID = "1101234051444375553";
export const MOCK_PREVIOUS = {
    "kv.rangefeed.enabled": { value: "false", origin: "default", type: "b" },
};
export const MOCK_GRANTED = [
    { kind: "table", object: "orders", privilege: "INSERT", grantee: "replicator" },
];

/** How long `construct` waits for the registrations that wait on outputs (dynamic resources). */
const SETTLE_MS = 50;

function mockOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    switch (args.type) {
        case TYPES.settings:
            return { previous: MOCK_PREVIOUS, values: { "kv.rangefeed.enabled": true } };
        case TYPES.grants:
            return { granted: MOCK_GRANTED, preexisting: [] };
        case TYPES.gate:
            return { drainedAt: "2026-01-01T00:00:00.000Z", lastCounters: {} };
        case TYPES.changefeed:
            return {
                jobId: MOCK_JOB_ID,
                cursor: MOCK_CURSOR,
                status: "running",
                sinkUri: `webhook-${String(args.inputs.webhookUrl)}?ca_cert=x`,
            };
        default:
            return harness.replicatorHostMockOutputs(args);
    }
}

export function installMocks(): Promise<void> {
    return harness.installMocks(mockOutputs);
}

/** `construct` of the shared harness, waiting for the Failback's dynamic resources too. */
export function construct<T extends pulumi.ComponentResource>(
    build: (opts: pulumi.ComponentResourceOptions) => T,
): ReturnType<typeof harness.construct<T>> {
    return harness.construct(build, SETTLE_MS);
}
