/**
 * `@pulumi/kubernetes` and `@pulumi/tls` are optional peers: a host that needs neither never loads
 * them, and a missing one is named with its install command. Runs a separate process
 * (fixtures/optionalPackagesProgram.ts) so the module cache starts empty and resolution can
 * pretend a package is not installed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { before, describe, it } from "node:test";

import { MissingPackageError } from "../../../src/resources/replicatorHost/optionalPackages";

interface Outcome {
    error?: string;
    loaded: string[];
    types?: string[];
}

const PROGRAM = path.join(__dirname, "fixtures", "optionalPackagesProgram.ts");

describe("ReplicatorHost optional packages", () => {
    let results: Record<string, Outcome>;

    before(() => {
        const stdout = execFileSync(process.execPath, ["--import", "tsx", PROGRAM], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 120_000,
        });
        results = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, Outcome>;
    });

    it("an external host with its own TLS and JWT key loads neither package", () => {
        const outcome = results.externalBringYourOwn!;
        assert.equal(outcome.error, undefined);
        assert.deepEqual(outcome.loaded, []);
        assert.ok(!outcome.types!.some((t) => t.startsWith("tls:") || t.startsWith("kubernetes:")));
    });

    it("names @pulumi/tls and its install command when certificates must be generated", () => {
        assert.equal(
            results.noTlsForCertificates!.error,
            'ReplicatorHost "gen": generating TLS material needs the optional package @pulumi/tls, ' +
                "which is not installed. Install it with: npm install @pulumi/tls " +
                "(or yarn add / pnpm add @pulumi/tls), or bring your own TLS (tls: { caCertPem, certPem, keyPem }).",
        );
    });

    it("names @pulumi/tls when the JWT key must be generated", () => {
        assert.equal(
            results.noTlsForJwtKey!.error,
            'ReplicatorHost "jwt": generating the JWT signing key needs the optional package @pulumi/tls, ' +
                "which is not installed. Install it with: npm install @pulumi/tls " +
                "(or yarn add / pnpm add @pulumi/tls), or bring your own key (auth.privateKeyPem).",
        );
    });

    it("names @pulumi/kubernetes when the replicator runs in Kubernetes", () => {
        const outcome = results.noKubernetes!;
        assert.equal(
            outcome.error,
            'ReplicatorHost "k8s": running the replicator in Kubernetes needs the optional package ' +
                "@pulumi/kubernetes, which is not installed. Install it with: npm install @pulumi/kubernetes " +
                "(or yarn add / pnpm add @pulumi/kubernetes), or run the replicator yourself (external: { url }).",
        );
        assert.deepEqual(outcome.loaded, []);
    });

    it("reports a missing package with an error that carries its name", () => {
        const err = new MissingPackageError("@pulumi/tls", "x", "y");
        assert.equal(err.packageName, "@pulumi/tls");
        assert.equal(err.name, "MissingPackageError");
    });
});
