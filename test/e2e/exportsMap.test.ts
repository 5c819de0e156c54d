/**
 * The `exports` map of the installed package opens the package root, `./providers` and exactly
 * the files that stored provider closures load — nothing else under `dist/`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";

import { installPackedPackage } from "../support/engine/packageInstall";

describe("exports map of the installed package", () => {
    let resolveFrom: (specifier: string) => string;

    before(async () => {
        const installDir = await installPackedPackage();
        resolveFrom = (specifier) =>
            require.resolve(specifier, { paths: [path.join(installDir, "node_modules")] });
    });

    it("opens the root and ./providers", () => {
        assert.ok(fs.existsSync(resolveFrom("pulumi-crdb-failback")));
        assert.ok(fs.existsSync(resolveFrom("pulumi-crdb-failback/providers")));
    });

    it("opens every provider module a stored closure requires, and the lazy-provider kernel", () => {
        const providers = fs
            .readdirSync(path.join(__dirname, "../../src/providers"), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => e.name)
            .filter((name) =>
                fs.existsSync(path.join(__dirname, "../../src/providers", name, "provider.ts")),
            );
        assert.ok(providers.includes("targetGrants"), providers.join(", "));
        for (const name of providers) {
            const file = resolveFrom(`pulumi-crdb-failback/dist/providers/${name}/provider.js`);
            assert.equal(typeof require(file).provider, "object", name);
        }
        const kernel = resolveFrom("pulumi-crdb-failback/dist/providers/kernel/lazyProvider.js");
        assert.equal(typeof require(kernel).withoutUndefined, "function");
    });

    it("still resolves the lazy-provider path that closures stored by version 0.1.0 load", () => {
        assert.equal(
            resolveFrom("pulumi-crdb-failback/dist/providers/common/lazyProvider.js"),
            resolveFrom("pulumi-crdb-failback/dist/providers/kernel/lazyProvider.js"),
        );
    });

    it("keeps every other dist/ file internal", () => {
        for (const internal of [
            "pulumi-crdb-failback/dist/providers/targetGrants/index.js",
            "pulumi-crdb-failback/dist/providers/kernel/redact.js",
            "pulumi-crdb-failback/dist/resources/failback.js",
            "pulumi-crdb-failback/dist/tls/jwt.js",
        ]) {
            assert.throws(
                () => resolveFrom(internal),
                { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" },
                internal,
            );
        }
    });
});
