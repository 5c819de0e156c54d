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

describe("lazyProvider: what reaches the engine", () => {
    // A stand-in implementation module, resolved under the package name as a shipped one is.
    const request = "pulumi-crdb-failback/dist/providers/__standIn/provider.js";
    const Module = require("node:module") as {
        _resolveFilename: (request: string, ...rest: unknown[]) => string;
    };
    const standIn = {
        async create() {
            throw Object.assign(new Error("half done"), {
                id: "x",
                properties: { kept: 1, dropped: undefined, nested: { gone: undefined } },
            });
        },
        async update() {
            return { outs: { kept: 2, dropped: undefined } };
        },
    };

    it("cleans the properties of a partial-state error thrown by create, and update's outputs", async () => {
        const original = Module._resolveFilename;
        Module._resolveFilename = (req, ...rest) =>
            req === request ? "/standIn/provider.js" : original(req, ...rest);
        require.cache["/standIn/provider.js"] = {
            exports: { provider: standIn },
        } as unknown as NodeJS.Module;
        try {
            const provider = lazyProvider("dist/providers/__standIn/provider");
            await assert.rejects(provider.create!({}), (err: { properties: unknown }) => {
                assert.deepEqual(err.properties, { kept: 1, nested: {} });
                return true;
            });
            assert.deepEqual(await provider.update!("x", {}, {}), { outs: { kept: 2 } });
        } finally {
            Module._resolveFilename = original;
            delete require.cache["/standIn/provider.js"];
        }
    });
});
