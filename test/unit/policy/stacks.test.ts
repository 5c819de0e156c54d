import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    DEFAULT_DEV_STACKS,
    devStacksFrom,
    globToRegExp,
    isDevStack,
    stackNameFromUrn,
} from "../../../policy/stacks";

describe("dev stack matching", () => {
    it("takes the stack name from a resource URN", () => {
        const type = "pulumi-nodejs:dynamic/crdb-failback:Changefeed";
        assert.equal(stackNameFromUrn(`urn:pulumi:prod::failback::${type}::feed`), "prod");
        assert.equal(
            stackNameFromUrn(`urn:pulumi:eu-dev::p::crdb-failback:index:Failback$${type}::f`),
            "eu-dev",
        );
        assert.equal(stackNameFromUrn("urn:pulumi:::p::t::n"), undefined);
        assert.equal(stackNameFromUrn("prod"), undefined);
    });

    it("matches whole names with * and ?, everything else literally", () => {
        assert.ok(isDevStack("dev", DEFAULT_DEV_STACKS));
        assert.ok(isDevStack("failback-dev", DEFAULT_DEV_STACKS));
        assert.ok(isDevStack("-dev", DEFAULT_DEV_STACKS));
        for (const stack of ["prod", "devops", "dev-eu", "Dev", "my_dev"]) {
            assert.ok(!isDevStack(stack, DEFAULT_DEV_STACKS), stack);
        }
        assert.ok(isDevStack("qa1", ["qa?"]));
        assert.ok(!isDevStack("qa12", ["qa?"]));
        assert.ok(isDevStack("a.b", ["a.b"]));
        assert.ok(!isDevStack("axb", ["a.b"]), ". is literal");
        assert.ok(isDevStack("x(1)+", ["x(1)+"]));
        assert.equal(globToRegExp("*-dev").source, "^.*\\-dev$");
    });

    it("uses the default list unless the configuration gives one", () => {
        assert.deepEqual(devStacksFrom({}), DEFAULT_DEV_STACKS);
        assert.deepEqual(devStacksFrom({ devStacks: ["sandbox"] }), ["sandbox"]);
        assert.deepEqual(devStacksFrom({ devStacks: [] }), []);
    });
});
