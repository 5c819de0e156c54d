import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { buildPolicies } from "../../../policy/policies";
import { DEFAULT_DEV_STACKS } from "../../../policy/stacks";

const EXAMPLE = path.join(__dirname, "../../../policy/policy-config.example.json");

describe("policy/policy-config.example.json", () => {
    it("sets devStacks (the defaults) for exactly every policy of the pack", () => {
        const config = JSON.parse(fs.readFileSync(EXAMPLE, "utf8")) as Record<string, unknown>;
        assert.deepEqual(
            Object.keys(config).sort(),
            buildPolicies()
                .map((p) => p.name)
                .sort(),
        );
        for (const [policy, value] of Object.entries(config)) {
            assert.deepEqual(value, { devStacks: DEFAULT_DEV_STACKS }, policy);
        }
    });
});
