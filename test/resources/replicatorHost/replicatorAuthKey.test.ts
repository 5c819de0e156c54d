import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import { ReplicatorAuthKey } from "../../../src/resources/replicatorAuthKey";
import { installMocks, isSecretEnvelope, plain, registrations, valueOf } from "./harness";

describe("ReplicatorAuthKey (setMocks)", () => {
    before(installMocks);

    it("registers the dynamic type with secret inputs and a small lazy provider", async () => {
        const key = new ReplicatorAuthKey("jwt", {
            stagingConnection: "postgresql://root:pw-123@crdb:26257/defaultdb",
            stagingSchema: "defaultdb._replicator",
            privateKeyPem: "-----BEGIN EC PRIVATE KEY-----\nX\n-----END EC PRIVATE KEY-----\n",
            schemas: [["molt", "public"]],
        });
        await valueOf(key.urn);
        const registered = registrations.find((r) => r.name === "jwt")!;
        assert.equal(registered.type, "pulumi-nodejs:dynamic/crdb-failback:ReplicatorAuthKey");
        assert.ok(isSecretEnvelope(registered.inputs.stagingConnection));
        assert.ok(isSecretEnvelope(registered.inputs.privateKeyPem));
        assert.equal(registered.inputs.stagingSchema, "defaultdb._replicator");
        assert.deepEqual(registered.inputs.schemas, [["molt", "public"]]);
        const providerText = plain(registered.inputs.__provider) as string;
        assert.ok(
            providerText.includes("pulumi-crdb-failback/dist/providers/replicatorAuthKey/provider"),
        );
        assert.ok(
            providerText.length < 4096,
            `serialized provider is ${providerText.length} bytes`,
        );
        assert.ok(!providerText.includes("pw-123"));
        assert.equal(await valueOf(key.token), "mock-token(jwt)");
        assert.equal(await pulumi.isSecret(key.urn), false);
    });
});
