/**
 * Every Pulumi program shipped in this repository (examples/* and deploy/) type-checks against
 * the BUILT package, the way a user compiles it: `pulumi-crdb-failback` resolves to
 * dist/index.d.ts (run `npm run build` first), `@pulumi/pulumi` from node_modules, and each
 * program's own tsconfig.json applies.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import ts from "typescript";

import { REPO_ROOT } from "../support/engine/packageInstall";

const TYPES_ENTRY = path.join(REPO_ROOT, "dist", "index.d.ts");

const DEPLOY = path.join(REPO_ROOT, "deploy");

/** Folders holding a Pulumi program (index.ts, package.json, tsconfig.json). */
function programs(): string[] {
    const examples = path.join(REPO_ROOT, "examples");
    const dirs = fs
        .readdirSync(examples)
        .map((name) => path.join(examples, name))
        .filter((dir) => fs.existsSync(path.join(dir, "index.ts")));
    return [...dirs, DEPLOY];
}

/** Type-checks one program; returns its diagnostics, formatted. */
function typeCheck(dir: string): string[] {
    const configPath = path.join(dir, "tsconfig.json");
    const read = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
    if (read.error) return [ts.flattenDiagnosticMessageText(read.error.messageText, "\n")];
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir);
    const options: ts.CompilerOptions = {
        ...parsed.options,
        noEmit: true,
        baseUrl: dir,
        paths: { "pulumi-crdb-failback": [TYPES_ENTRY] },
    };
    const program = ts.createProgram(parsed.fileNames, options);
    return ts.getPreEmitDiagnostics(program).map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
        if (!d.file || d.start === undefined) return text;
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${path.relative(REPO_ROOT, d.file.fileName)}:${line + 1}:${character + 1} ${text}`;
    });
}

describe("shipped Pulumi programs compile against the built package", () => {
    it("has dist/index.d.ts (npm run build)", () => {
        assert.ok(fs.existsSync(TYPES_ENTRY), "run `npm run build` before the e2e tests");
    });

    for (const dir of programs()) {
        const name = path.relative(REPO_ROOT, dir);
        it(`${name} type-checks`, () => {
            assert.deepEqual(typeCheck(dir), [], `${name} has type errors`);
        });

        it(`${name} is a complete project pinned to @pulumi/pulumi 3.248.0`, () => {
            // deploy/ is the program of the repository-root project (`main: deploy/`).
            const projectDir = dir === DEPLOY ? REPO_ROOT : dir;
            const yaml = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
            assert.match(yaml, /^runtime: nodejs$/m);
            if (dir === DEPLOY) assert.match(yaml, /^main: deploy\/$/m);
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
                dependencies?: Record<string, string>;
            };
            assert.equal(pkg.dependencies?.["@pulumi/pulumi"], "3.248.0");
            assert.ok(pkg.dependencies?.["pulumi-crdb-failback"], "depends on the package");
        });
    }
});
