import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { withoutUndefined } from "../../../src/providers/kernel/lazyProvider";

// The compiled module, as it ships: what users' programs serialize into state.
const { lazyProvider } =
    require("../../../dist/providers/kernel/lazyProvider") as typeof import("../../../src/providers/kernel/lazyProvider");

describe("lazyProvider", () => {
    it("serializes to a small closure (~2.4 KB) that requires the implementation by package name", async () => {
        const provider = lazyProvider("dist/providers/targetGrants/provider");
        const text = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        assert.ok(text.text.length < 3072, `serialized provider is ${text.text.length} bytes`);
        assert.match(
            text.text,
            /pulumi-crdb-failback\/dist\/providers\/targetGrants\/provider\.js/,
        );
    });
});

describe("withoutUndefined", () => {
    it("drops undefined properties deeply and keeps everything else", () => {
        assert.deepEqual(
            withoutUndefined({
                a: 1,
                b: undefined,
                c: { d: undefined, e: [1, undefined, { f: undefined }] },
                g: null,
            }),
            { a: 1, c: { e: [1, null, {}] }, g: null },
        );
    });
});

describe("toWire", () => {
    it("cleans results and the properties of a partial-state error", async () => {
        const { toWire } = await import("../../../src/providers/kernel/lazyProvider");
        assert.deepEqual(await toWire(async () => ({ outs: { a: undefined, b: 1 } })), {
            outs: { b: 1 },
        });
        const failure = Object.assign(new Error("half done"), {
            id: "x",
            properties: { a: undefined, b: 2 },
        });
        await assert.rejects(
            toWire(async () => {
                throw failure;
            }),
            (err: { properties: unknown }) => {
                assert.deepEqual(err.properties, { b: 2 });
                return true;
            },
        );
    });
});
