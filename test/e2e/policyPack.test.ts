/**
 * Engine tests of the CrossGuard pack in policy/: `pulumi preview --policy-pack policy` with the
 * real CLI and our Node.js language host. A program with every finding fails on a non-dev stack
 * (mandatory) and passes with advisories on a dev stack; the clean program passes. Preview only:
 * check and diff are offline, so the connection string is a placeholder and nothing is touched.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import { createEngineStack, findLeaks, type EngineStack } from "../support/engine/engine";
import { REPO_ROOT } from "../support/engine/packageInstall";
import { TestPki } from "../support/tls/openssl";

const POLICY_DIR = path.join(REPO_ROOT, "policy");
const PROGRAMS = path.join(__dirname, "programs");
const CONNECTION = "postgresql://failback:policy-test-pw-4711@127.0.0.1:26257/defaultdb";
const HTTPS_WEBHOOK = "https://replicator.failback.svc:30004/molt/public";

/**
 * The findings the violating program produces (rule name → a phrase of its message).
 * `changefeed-tls-verify-skipped` is not among them: the Changefeed's own `check` already refuses
 * `insecure_tls_skip_verify` in `options` and any query string in `webhookUrl`, so a program
 * carrying it fails preview before policies matter; the rule is covered by test/unit/policy.
 */
const VIOLATING_FINDINGS: ReadonlyArray<readonly [string, RegExp]> = [
    ["cluster-settings-retained-on-delete", /ClusterSettings sets onDelete: "retain"/],
    ["changefeed-not-exclusive", /Changefeed sets exclusive: false/],
    ["changefeed-without-auth-token", /Changefeed has no authToken/],
    // Last: the runs with an https webhook (every stack but the first) check the ones before it.
    ["changefeed-webhook-not-https", /Changefeed webhookUrl uses http:\/\/ instead of https:\/\//],
];

/** `npm ci` in policy/ when its dependencies are missing (CI normally installs them first). */
function ensurePolicyDependencies(): void {
    if (fs.existsSync(path.join(POLICY_DIR, "node_modules", "@pulumi", "policy"))) return;
    execFileSync(
        "npm",
        ["ci", "--prefix", "policy", "--no-audit", "--no-fund", "--prefer-offline"],
        { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] },
    );
}

interface PolicyPreview {
    ok: boolean;
    output: string;
}

/** `pulumi preview --policy-pack policy` (plus pack config files); never throws on failure. */
async function previewWithPolicy(
    engine: EngineStack,
    policyPackConfigs: string[] = [],
): Promise<PolicyPreview> {
    let output = "";
    try {
        const result = await engine.stack.preview({
            policyPacks: [POLICY_DIR],
            policyPackConfigs,
            onOutput: (s: string) => {
                output += s;
            },
        });
        return { ok: true, output: `${output}\n${result.stdout}\n${result.stderr}` };
    } catch (err) {
        return { ok: false, output: `${output}\n${(err as Error).message}` };
    }
}

/** Asserts a violation line `- [level] [severity: …]  <policy>` in the CLI's policy summary. */
function assertViolation(output: string, level: string, policy: string): void {
    const line = new RegExp(`\\[${level}\\](?: \\[severity: \\w+\\])?\\s+${policy}(?=\\s)`);
    assert.match(output, line, `expected a ${level} ${policy} violation in:\n${output}`);
}

describe("policy pack with the real engine", () => {
    let pki: TestPki | undefined;
    let caCertPem = "";
    let configDir = "";
    const engines: EngineStack[] = [];

    const stackFor = async (program: string, stackName: string, config = {}) => {
        const engine = await createEngineStack({
            programDir: path.join(PROGRAMS, program),
            stackName,
            config: { caCertPem, ...config },
            secrets: { cockroachConnection: CONNECTION, authToken: "policy-test-token-4711" },
        });
        engines.push(engine);
        return engine;
    };

    before(() => {
        // The programs use the package's root exports, as users do.
        const root = require(path.join(REPO_ROOT, "dist", "index.js")) as Record<string, unknown>;
        assert.ok(
            typeof root.ClusterSettings === "function" && typeof root.Changefeed === "function",
            "pulumi-crdb-failback must export ClusterSettings and Changefeed (src/index.ts, then npm run build)",
        );
        ensurePolicyDependencies();
        pki = new TestPki();
        caCertPem = pki.selfSigned({
            commonName: "policy-test-ca",
            isCaCertificate: true,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        }).certPem;
        configDir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
    });

    after(async () => {
        for (const engine of engines) await engine.dispose();
        pki?.dispose();
        if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
    });

    it("fails preview on a non-dev stack with every finding as mandatory", async () => {
        const engine = await stackFor("policy-violating", "prod");
        const { ok, output } = await previewWithPolicy(engine);
        assert.equal(ok, false, output);
        for (const [policy, message] of VIOLATING_FINDINGS) {
            assertViolation(output, "mandatory", policy);
            assert.match(output, message);
        }
        assert.match(
            output,
            /\[mandatory: stack "prod" does not match devStacks \["dev","\*-dev"\]\]/,
        );
        assert.doesNotMatch(output, /\[advisory\]/);
        assert.deepEqual(findLeaks(output, ["policy-test-pw-4711"]), []);
    });

    it("still fails on a non-dev stack once the webhook is https (the other rules hold)", async () => {
        const engine = await stackFor("policy-violating", "prod", { webhookUrl: HTTPS_WEBHOOK });
        const { ok, output } = await previewWithPolicy(engine);
        assert.equal(ok, false, output);
        assertViolation(output, "mandatory", "changefeed-not-exclusive");
        assertViolation(output, "mandatory", "cluster-settings-retained-on-delete");
        assert.doesNotMatch(output, /changefeed-webhook-not-https/);
        // The failure is the policies', not the provider's check.
        assert.doesNotMatch(output, /webhookUrl.*must be https/);
    });

    it("passes on a dev stack and reports the same findings as advisories", async () => {
        // http:// is also refused by the Changefeed's own check, so the dev run uses https.
        const engine = await stackFor("policy-violating", "failback-dev", {
            webhookUrl: HTTPS_WEBHOOK,
        });
        const { ok, output } = await previewWithPolicy(engine);
        assert.equal(ok, true, output);
        for (const [policy, message] of VIOLATING_FINDINGS.slice(0, 3)) {
            assertViolation(output, "advisory", `${policy}-dev-stacks`);
            assert.match(output, message);
        }
        assert.match(output, /\[advisory: stack "failback-dev" matches devStacks/);
        assert.doesNotMatch(output, /\[mandatory\]/);
    });

    it("reads devStacks from the pack config (--policy-pack-config)", async () => {
        const configFile = path.join(configDir, "staging-is-dev.json");
        const devStacks = { devStacks: ["staging"] };
        const policies = VIOLATING_FINDINGS.flatMap(([p]) => [p, `${p}-dev-stacks`]);
        fs.writeFileSync(
            configFile,
            JSON.stringify(Object.fromEntries(policies.map((p) => [p, devStacks]))),
        );
        const engine = await stackFor("policy-violating", "staging", { webhookUrl: HTTPS_WEBHOOK });
        const { ok, output } = await previewWithPolicy(engine, [configFile]);
        assert.equal(ok, true, output);
        assertViolation(output, "advisory", "changefeed-not-exclusive-dev-stacks");
        assert.match(output, /stack "staging" matches devStacks \["staging"\]/);
    });

    it("flags authMode disabled on the deploy program with externalUrl (no Deployment to read)", async () => {
        // The replicator runs outside Kubernetes: no container args exist in the stack, so the
        // ReplicatorHost and the Changefeed themselves must show that nothing authenticates.
        const ca = pki!.selfSigned({
            commonName: "policy-external-ca",
            isCaCertificate: true,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        });
        const server = pki!.signed(
            {
                commonName: "replicator.example.com",
                dnsNames: ["replicator.example.com"],
                allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
            },
            ca,
        );
        const engine = await createEngineStack({
            programDir: REPO_ROOT,
            stackName: "prod",
            config: {
                dialect: "postgres",
                stagingSchema: "defaultdb._replicator",
                grantee: "replicator",
                database: "molt",
                schema: "public",
                tables: "orders",
                externalUrl: "https://replicator.example.com:30004",
                authMode: "disabled",
                tlsCaCertPem: ca.certPem,
                tlsCertPem: server.certPem,
            },
            secrets: {
                cockroachConnection: CONNECTION,
                targetAdminConnection: "postgres://admin:policy-test-pw-4711@127.0.0.1:5432/molt",
                targetReplicatorConnection:
                    "postgres://replicator:policy-test-pw-4711@127.0.0.1:5432/molt",
                tlsKeyPem: server.keyPem,
            },
        });
        engines.push(engine);
        const { ok, output } = await previewWithPolicy(engine);
        assert.equal(ok, false, output);
        assertViolation(output, "mandatory", "replicator-auth-disabled");
        // The engine stops at the first mandatory finding (the component, registered before the
        // Changefeed); changefeed-without-auth-token is covered by the violating program.
        assert.match(output, /ReplicatorHost "failback-replicator" has auth\.mode "disabled"/);
        assert.deepEqual(findLeaks(output, ["policy-test-pw-4711", server.keyPem]), []);
    });

    it("passes the clean program on a non-dev stack with no finding", async () => {
        const engine = await stackFor("policy-clean", "prod");
        const { ok, output } = await previewWithPolicy(engine);
        assert.equal(ok, true, output);
        assert.doesNotMatch(output, /\[(mandatory|advisory)\]/);
    });
});
