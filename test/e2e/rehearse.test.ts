/**
 * `npm run rehearse -- --short` end to end, as CI runs it: the whole failback on the local
 * services with the real CLI, within a bounded time, ending with the databases as found.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";

import { REPO_ROOT } from "../support/engine/packageInstall";

const BOUND_MS = 12 * 60_000;

function rehearse(extra: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("npm", ["run", "--silent", "rehearse", "--", "--short", ...extra], {
            cwd: REPO_ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        const timer = setTimeout(() => {
            child.kill("SIGTERM");
            reject(new Error(`rehearsal did not finish within ${BOUND_MS / 1000} s:\n${output}`));
        }, BOUND_MS);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, output });
        });
    });
}

describe("npm run rehearse -- --short", () => {
    it("stands the failback up, moves rows, prints the destroy plan and restores everything", async () => {
        const { code, output } = await rehearse([]);
        assert.equal(code, 0, output);
        assert.match(output, /EMULATOR that follows\s+CockroachDB's/);
        assert.match(output, /pulumi preview --diff[\s\S]*CREATE CHANGEFEED FOR TABLE/);
        assert.match(output, /target holds \d+ rows after \d+ ms/);
        assert.match(output, /crdb-failback-destroy-plan/);
        assert.match(output, /CANCEL JOB \d+;/);
        assert.match(output, /REVOKE [A-Z, ]+ ON /);
        assert.match(output, /(SET|RESET) CLUSTER SETTING kv\.rangefeed\.enabled/);
        assert.match(output, /target privileges .*: IDENTICAL before and after/);
        assert.match(output, /CockroachDB cluster settings: IDENTICAL before and after/);
        assert.match(output, /secrets: none of the passwords or keys/);
        assert.match(output, /Pointing the same program at a real cluster/);
        assert.match(output, /REHEARSAL PASSED/);
    });
});
