/**
 * `@pulumi/pulumi` is a peer dependency: a program that installs this package (from its `npm
 * pack` tarball, as users do) next to the dependencies its package.json lists ends up with
 * exactly one copy of `@pulumi/pulumi` in its node_modules tree — the program's own. Two copies
 * would give the package's resources another SDK instance than the program's (another resource
 * registry, another `Output` class). Checked once per distinct dependency set of the shipped
 * programs (examples/* and deploy/); the programs without `@pulumi/kubernetes` / `@pulumi/tls`
 * also prove that the package loads without its optional peers.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { REPO_ROOT } from "../support/engine/packageInstall";

const WORK_ROOT = path.join(REPO_ROOT, ".test-work", "single-copy");
const OPTIONAL_PEERS = ["@pulumi/kubernetes", "@pulumi/tls"];

interface Program {
    dir: string;
    dependencies: Record<string, string>;
}

function shippedPrograms(): Program[] {
    const examples = path.join(REPO_ROOT, "examples");
    const dirs = [
        ...fs
            .readdirSync(examples)
            .map((name) => path.join(examples, name))
            .filter((dir) => fs.existsSync(path.join(dir, "package.json"))),
        path.join(REPO_ROOT, "deploy"),
    ];
    return dirs.map((dir) => {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
            dependencies?: Record<string, string>;
        };
        return { dir, dependencies: pkg.dependencies ?? {} };
    });
}

/** Every installed copy of `name` in a node_modules tree (nested copies included). */
function installedCopies(root: string, name: string): string[] {
    const found: string[] = [];
    const walk = (modules: string) => {
        if (!fs.existsSync(modules)) return;
        for (const entry of fs.readdirSync(modules)) {
            if (entry.startsWith(".")) continue;
            const names = entry.startsWith("@")
                ? fs.readdirSync(path.join(modules, entry)).map((sub) => `${entry}/${sub}`)
                : [entry];
            for (const pkgName of names) {
                const dir = path.join(modules, pkgName);
                if (pkgName === name) found.push(dir);
                walk(path.join(dir, "node_modules"));
            }
        }
    };
    walk(path.join(root, "node_modules"));
    return found;
}

function versionAt(dir: string): string {
    return (
        JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }
    ).version;
}

describe("an installed program has one @pulumi/pulumi", () => {
    let tarball = "";
    const installs = new Map<string, { dir: string; programs: string[] }>();

    before(() => {
        assert.ok(
            fs.existsSync(path.join(REPO_ROOT, "dist", "index.js")),
            "run `npm run build` before the e2e tests",
        );
        fs.rmSync(WORK_ROOT, { recursive: true, force: true });
        fs.mkdirSync(WORK_ROOT, { recursive: true });
        const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", WORK_ROOT], {
            cwd: REPO_ROOT,
            encoding: "utf8",
        });
        tarball = path.join(WORK_ROOT, out.trim().split("\n").pop()!);

        for (const program of shippedPrograms()) {
            const { ["pulumi-crdb-failback"]: ours, ...rest } = program.dependencies;
            assert.ok(ours, `${program.dir} depends on pulumi-crdb-failback`);
            const key = JSON.stringify(Object.entries(rest).sort());
            const name = path.relative(REPO_ROOT, program.dir);
            const existing = installs.get(key);
            if (existing) {
                existing.programs.push(name);
                continue;
            }
            const dir = path.join(WORK_ROOT, `install-${installs.size}`);
            fs.mkdirSync(dir);
            fs.writeFileSync(
                path.join(dir, "package.json"),
                JSON.stringify(
                    {
                        name: "single-copy-check",
                        private: true,
                        dependencies: { ...rest, "pulumi-crdb-failback": `file:${tarball}` },
                    },
                    null,
                    2,
                ),
            );
            execFileSync(
                "npm",
                ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"],
                { cwd: dir, stdio: ["ignore", "ignore", "inherit"] },
            );
            installs.set(key, { dir, programs: [name] });
        }
    });

    after(() => {
        fs.rmSync(WORK_ROOT, { recursive: true, force: true });
    });

    it("installs the dependency sets of every shipped program", () => {
        // Without and with the optional peers: examples that only grant, and those that run the
        // replicator in Kubernetes with generated certificates.
        assert.ok(installs.size >= 2, [...installs.values()].map((i) => i.programs).join(" | "));
    });

    it("has exactly one @pulumi/pulumi, the version the program pins", () => {
        for (const { dir, programs } of installs.values()) {
            const copies = installedCopies(dir, "@pulumi/pulumi");
            assert.equal(
                copies.length,
                1,
                `${programs.join(", ")}: ${copies.map((c) => path.relative(dir, c)).join(", ")}`,
            );
            assert.equal(versionAt(copies[0]!), "3.248.0", programs.join(", "));
            assert.equal(
                installedCopies(dir, "pulumi-crdb-failback").length,
                1,
                programs.join(", "),
            );
        }
    });

    it("satisfies every peer dependency (npm ls reports no problem)", () => {
        for (const { dir, programs } of installs.values()) {
            // Exits non-zero on a missing, invalid or extraneous package.
            const out = execFileSync("npm", ["ls", "--all", "--json"], {
                cwd: dir,
                encoding: "utf8",
            });
            const tree = JSON.parse(out) as { problems?: string[] };
            assert.deepEqual(tree.problems ?? [], [], programs.join(", "));
        }
    });

    it("loads the package without its optional peers", () => {
        const without = [...installs.values()].filter(({ dir }) =>
            OPTIONAL_PEERS.every((peer) => installedCopies(dir, peer).length === 0),
        );
        assert.ok(without.length > 0, "a shipped program installs neither optional peer");
        for (const { dir, programs } of without) {
            const out = execFileSync(
                process.execPath,
                [
                    "-e",
                    'console.log(Object.keys(require("pulumi-crdb-failback")).sort().join(","))',
                ],
                { cwd: dir, encoding: "utf8" },
            );
            for (const name of ["ClusterSettings", "Changefeed", "TargetGrants", "Failback"]) {
                assert.ok(out.split(",").includes(name), `${programs.join(", ")}: ${out}`);
            }
        }
    });

    it("installs the optional peers where a program runs the replicator workload", () => {
        const withPeers = [...installs.values()].filter(({ dir }) =>
            OPTIONAL_PEERS.every((peer) => installedCopies(dir, peer).length === 1),
        );
        assert.ok(withPeers.length > 0, "a shipped program installs both optional peers");
    });
});
