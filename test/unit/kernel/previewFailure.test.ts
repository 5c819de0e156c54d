import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { logPlanSafely, previewLoggers } from "../../../src/providers/kernel/previewSql";
import { redactUrlsIn, safeDecode } from "../../../src/providers/kernel/redact";

describe("a preview that cannot be rendered", () => {
    it("logs no SQL but warns, naming the resource and the error without secrets", () => {
        const logged: string[] = [];
        const warned: string[] = [];
        logPlanSafely(
            () => {
                throw new Error("bad render of postgresql://root:hunter22@db:26257/x?sslkey=abc");
            },
            (t) => logged.push(t),
            undefined,
            { resource: "Example db:26257/x", warn: (t) => warned.push(t) },
        );
        assert.deepEqual(logged, []);
        assert.equal(warned.length, 1);
        assert.match(warned[0]!, /Example db:26257\/x/);
        assert.match(warned[0]!, /bad render of postgresql:\/\/root:redacted@db:26257\/x/);
        assert.doesNotMatch(warned[0]!, /hunter22|abc/);
    });

    it("warns through pulumi.log.warn from the preview hooks, with the resource's label", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const warned: string[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as { warn: (m: string) => Promise<void> }).warn = async (m: string) => {
            warned.push(m);
        };
        try {
            const loggers = previewLoggers<{ x: string }, { x: string }>({
                label: () => "Example host:26257/db",
                create: () => {
                    throw new TypeError("cannot read properties of undefined");
                },
                update: () => [],
                replacement: () => [],
                secrets: () => [],
            });
            const logged: string[] = [];
            loggers.logCreatePreview({}, { x: "1" }, (t) => logged.push(t));
            assert.deepEqual(logged, []);
            assert.equal(warned.length, 1);
            assert.match(warned[0]!, /Example host:26257\/db.*cannot read properties of undefined/);
        } finally {
            (pulumi.log as { warn: typeof original }).warn = original;
        }
    });
});

describe("redact helpers", () => {
    it("safeDecode keeps text that is not valid percent-encoding", () => {
        assert.equal(safeDecode("a%20b"), "a b");
        assert.equal(safeDecode("100%"), "100%");
    });

    it("redactUrlsIn leaves text without URLs alone", () => {
        assert.equal(redactUrlsIn("no url here"), "no url here");
    });
});
