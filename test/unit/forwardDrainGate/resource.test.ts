/**
 * The public ForwardDrainGate class under `pulumi.runtime.setMocks`: type token, inputs as
 * given, and a small lazy provider closure. The provider itself is not called here.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import { ForwardDrainGate } from "../../../src/resources/forwardDrainGate";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

describe("ForwardDrainGate resource (setMocks)", () => {
    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    registered.push({
                        type: args.type,
                        name: args.name,
                        inputs: args.inputs as Record<string, unknown>,
                    });
                    return {
                        id: `${args.name}-id`,
                        state: { ...args.inputs, drainedAt: "2025-01-01T00:00:00.000Z" },
                    };
                },
                call: () => ({}),
            },
            "project",
            "stack",
            false,
        );
    });

    it("registers pulumi-nodejs:dynamic/crdb-failback:ForwardDrainGate with a lazy provider", async () => {
        const gate = new ForwardDrainGate("forward-drained", {
            metricsUrl: "http://replicator-forward:30005/_/varz",
            schema: "defaultdb.public",
            quietPeriodSeconds: 30,
        });
        const drainedAt = await new Promise<string>((resolve) => gate.drainedAt.apply(resolve));
        assert.equal(drainedAt, "2025-01-01T00:00:00.000Z");
        const registration = registered.find((r) => r.name === "forward-drained")!;
        assert.equal(registration.type, "pulumi-nodejs:dynamic/crdb-failback:ForwardDrainGate");
        assert.equal(registration.inputs.metricsUrl, "http://replicator-forward:30005/_/varz");
        assert.equal(registration.inputs.schema, "defaultdb.public");
        assert.equal(registration.inputs.quietPeriodSeconds, 30);
        const provider = registration.inputs.__provider as string;
        assert.ok(
            provider.includes("pulumi-crdb-failback/dist/providers/forwardDrainGate/provider"),
        );
        assert.ok(provider.length < 4096, `serialized provider is ${provider.length} bytes`);
    });
});
