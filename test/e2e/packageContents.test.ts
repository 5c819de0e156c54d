/**
 * What `npm pack` puts into the tarball users install: the license package.json names, and
 * source maps whose every source is a file of the same tarball.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { REPO_ROOT } from "../support/engine/packageInstall";

function packedFiles(): string[] {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
    });
    const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
    return pack!.files.map((f) => f.path);
}

describe("npm pack contents", () => {
    const files = packedFiles();
    const shipped = new Set(files);

    it("ships an Apache-2.0 LICENSE, as package.json declares", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        assert.equal(manifest.license, "Apache-2.0");
        assert.ok(shipped.has("LICENSE"), files.join("\n"));
        assert.match(
            fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8"),
            /Apache License\s+Version 2\.0, January 2004/,
        );
    });

    it("ships every source a source map points at", () => {
        const maps = files.filter((f) => f.endsWith(".js.map"));
        assert.ok(maps.length > 0, "dist/ has source maps (npm run build)");
        const missing: string[] = [];
        for (const map of maps) {
            const { sources } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, map), "utf8")) as {
                sources: string[];
            };
            for (const source of sources) {
                const resolved = path.posix.normalize(
                    path.posix.join(path.posix.dirname(map), source),
                );
                if (!shipped.has(resolved)) missing.push(`${map} → ${resolved}`);
            }
        }
        assert.deepEqual(missing, []);
    });

    it("ships no tests, tools or local state", () => {
        const unexpected = files.filter(
            (f) =>
                !/^(dist|src)\//.test(f) && !["LICENSE", "README.md", "package.json"].includes(f),
        );
        assert.deepEqual(unexpected, []);
    });
});
