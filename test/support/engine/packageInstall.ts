/**
 * Installs this package into a scratch folder from its `npm pack` tarball, the way users get
 * it, so engine tests exercise the published `exports` map and closure serialization
 * (`require("pulumi-crdb-failback/dist/…")`). The install is keyed by the tarball's hash and
 * reused across test files and runs; a lock folder serializes concurrent installers.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
const WORK_ROOT = path.join(REPO_ROOT, ".test-work", "engine");

/**
 * Returns a folder whose node_modules holds the packed package and its peers (@pulumi/pulumi,
 * @pulumi/kubernetes, @pulumi/tls).
 */
export async function installPackedPackage(): Promise<string> {
    if (!fs.existsSync(path.join(REPO_ROOT, "dist", "index.js"))) {
        throw new Error(
            "dist/ is missing: run `npm run build` (npm test does) before engine tests",
        );
    }
    fs.mkdirSync(WORK_ROOT, { recursive: true });
    const lock = path.join(WORK_ROOT, "install.lock");
    await acquireLock(lock);
    try {
        const packDir = fs.mkdtempSync(path.join(WORK_ROOT, "pack-"));
        const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], {
            cwd: REPO_ROOT,
            encoding: "utf8",
        });
        const tarballName = out.trim().split("\n").pop()!;
        const tarball = path.join(packDir, tarballName);
        // The peers at the versions the repository tests (its dev dependencies), as a program
        // running the replicator with generated certificates installs them.
        const tested = require(path.join(REPO_ROOT, "package.json")).devDependencies as Record<
            string,
            string
        >;
        const dependencies = {
            "@pulumi/kubernetes": tested["@pulumi/kubernetes"],
            "@pulumi/pulumi": tested["@pulumi/pulumi"],
            "@pulumi/tls": tested["@pulumi/tls"],
            "pulumi-crdb-failback": "file:./package.tgz",
        };
        const hash = createHash("sha256")
            .update(fs.readFileSync(tarball))
            .update(JSON.stringify(dependencies))
            .digest("hex")
            .slice(0, 16);
        const installDir = path.join(WORK_ROOT, `pkg-${hash}`);
        const marker = path.join(installDir, ".installed");
        if (!fs.existsSync(marker)) {
            fs.rmSync(installDir, { recursive: true, force: true });
            fs.mkdirSync(installDir, { recursive: true });
            fs.copyFileSync(tarball, path.join(installDir, "package.tgz"));
            fs.writeFileSync(
                path.join(installDir, "package.json"),
                JSON.stringify(
                    {
                        name: "engine-test-programs",
                        private: true,
                        dependencies,
                    },
                    null,
                    2,
                ),
            );
            execFileSync(
                "npm",
                ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"],
                { cwd: installDir, stdio: ["ignore", "ignore", "inherit"] },
            );
            fs.writeFileSync(marker, new Date().toISOString());
        }
        fs.rmSync(packDir, { recursive: true, force: true });
        return installDir;
    } finally {
        fs.rmSync(lock, { recursive: true, force: true });
    }
}

async function acquireLock(lock: string): Promise<void> {
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
        try {
            fs.mkdirSync(lock);
            return;
        } catch {
            const age =
                Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
            if (age > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
            await new Promise((r) => setTimeout(r, 500));
        }
    }
}
