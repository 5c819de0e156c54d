/**
 * Every rule × dev/non-dev stack: exactly one of a rule's two policies reports a finding — the
 * mandatory one outside dev stacks, the advisory one inside them — and clean inputs report
 * nothing. validateResource is called directly with fabricated args (no engine).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { buildPolicies, DEV_VARIANT_SUFFIX, type RulePolicy } from "../../../policy/policies";
import { CHANGEFEED_TYPE } from "../../../policy/rules/changefeed";
import { CLUSTER_SETTINGS_TYPE } from "../../../policy/rules/clusterSettings";
import { DEPLOYMENT_TYPE } from "../../../policy/rules/replicator";
import { violations, type FakeResource } from "./fakeArgs";

const POLICIES = buildPolicies();

function policy(name: string): RulePolicy {
    const found = POLICIES.find((p) => p.name === name);
    assert.ok(found, `policy ${name} exists`);
    return found;
}

function replicatorDeployment(args: string[]): Record<string, unknown> {
    return {
        metadata: { name: "failback", namespace: "molt" },
        spec: {
            template: {
                spec: {
                    containers: [
                        { name: "replicator", image: "cockroachdb/replicator:v1.3.0", args },
                    ],
                },
            },
        },
    };
}

const WEBHOOK = "https://failback.molt.svc.cluster.local:30004/molt/public";

/** Per rule: a resource with the finding, the same resource without it, a phrase of the message. */
const CASES: ReadonlyArray<{
    rule: string;
    type: string;
    bad: Record<string, unknown>;
    good: Record<string, unknown>;
    phrase: RegExp;
}> = [
    {
        rule: "replicator-auth-disabled",
        type: DEPLOYMENT_TYPE,
        bad: replicatorDeployment(["start", "--bindAddr=:30004", "--disableAuthentication"]),
        good: replicatorDeployment(["start", "--bindAddr=:30004"]),
        phrase: /runs with --disableAuthentication.*Fix: remove auth: \{ mode: "disabled" \}/,
    },
    {
        rule: "replicator-tls-self-signed",
        type: DEPLOYMENT_TYPE,
        bad: replicatorDeployment(["start", "--tlsSelfSigned"]),
        good: replicatorDeployment(["start", "--tlsCertificate=/tls/tls.crt"]),
        phrase: /runs with --tlsSelfSigned.*Fix: drop --tlsSelfSigned/,
    },
    {
        rule: "changefeed-tls-verify-skipped",
        type: CHANGEFEED_TYPE,
        bad: { webhookUrl: WEBHOOK, options: { insecure_tls_skip_verify: true } },
        good: { webhookUrl: WEBHOOK, options: { diff: true } },
        phrase: /options\.insecure_tls_skip_verify turns on.*Fix: remove insecure_tls_skip_verify/,
    },
    {
        rule: "changefeed-webhook-not-https",
        type: CHANGEFEED_TYPE,
        bad: { webhookUrl: "http://failback.molt.svc:30004/molt/public" },
        good: { webhookUrl: WEBHOOK },
        phrase: /webhookUrl uses http:\/\/ instead of https:\/\/.*Fix: set webhookUrl/,
    },
    {
        rule: "changefeed-not-exclusive",
        type: CHANGEFEED_TYPE,
        bad: { webhookUrl: WEBHOOK, exclusive: false },
        good: { webhookUrl: WEBHOOK, exclusive: true },
        phrase: /sets exclusive: false.*Fix: remove exclusive/,
    },
    {
        rule: "changefeed-without-auth-token",
        type: CHANGEFEED_TYPE,
        bad: { webhookUrl: WEBHOOK },
        good: { webhookUrl: WEBHOOK, authToken: "token" },
        phrase: /has no authToken.*Fix: run the replicator with JWT auth/,
    },
    {
        rule: "cluster-settings-retained-on-delete",
        type: CLUSTER_SETTINGS_TYPE,
        bad: { onDelete: "retain", rangefeedEnabled: true },
        good: { onDelete: "restore", rangefeedEnabled: true },
        phrase: /sets onDelete: "retain".*Fix: remove onDelete/,
    },
];

describe("policy pack: mandatory outside dev stacks, advisory inside", () => {
    it("has a mandatory and an advisory policy for every rule, and nothing else", () => {
        const expected = CASES.flatMap((c) => [
            [c.rule, "mandatory"],
            [`${c.rule}${DEV_VARIANT_SUFFIX}`, "advisory"],
        ]);
        assert.deepEqual(
            POLICIES.map((p) => [p.name, p.enforcementLevel]),
            expected,
        );
        for (const p of POLICIES) {
            assert.ok(p.configSchema?.properties.devStacks, `${p.name} accepts devStacks`);
            assert.ok(p.remediationSteps, `${p.name} says how to fix it`);
        }
    });

    for (const c of CASES) {
        const mandatory = () => policy(c.rule);
        const advisory = () => policy(`${c.rule}${DEV_VARIANT_SUFFIX}`);

        describe(c.rule, () => {
            for (const stack of ["prod", "staging", "production-dev-copy"]) {
                it(`is mandatory on non-dev stack "${stack}"`, () => {
                    const resource: FakeResource = { type: c.type, props: c.bad, stack };
                    const found = violations(mandatory(), resource);
                    assert.equal(found.length, 1, found.join("\n"));
                    assert.match(found[0]!, c.phrase);
                    assert.match(
                        found[0]!,
                        new RegExp(`\\[mandatory: stack "${stack}" does not match devStacks`),
                    );
                    assert.deepEqual(violations(advisory(), resource), []);
                });
            }

            for (const stack of ["dev", "failback-dev"]) {
                it(`is advisory on dev stack "${stack}"`, () => {
                    const resource: FakeResource = { type: c.type, props: c.bad, stack };
                    const found = violations(advisory(), resource);
                    assert.equal(found.length, 1, found.join("\n"));
                    assert.match(found[0]!, c.phrase);
                    assert.match(
                        found[0]!,
                        new RegExp(`\\[advisory: stack "${stack}" matches devStacks`),
                    );
                    assert.deepEqual(violations(mandatory(), resource), []);
                });
            }

            it("reports nothing for clean inputs on any stack", () => {
                for (const stack of ["prod", "dev"]) {
                    const resource: FakeResource = { type: c.type, props: c.good, stack };
                    assert.deepEqual(violations(mandatory(), resource), []);
                    assert.deepEqual(violations(advisory(), resource), []);
                }
            });

            it("ignores other resource types with the same inputs", () => {
                const resource: FakeResource = { type: "aws:s3/bucket:Bucket", props: c.bad };
                assert.deepEqual(violations(mandatory(), resource), []);
                assert.deepEqual(violations(advisory(), resource), []);
            });

            it("follows devStacks from the policy configuration", () => {
                const config = { devStacks: ["staging", "qa-*"] };
                for (const stack of ["staging", "qa-7"]) {
                    const resource: FakeResource = { type: c.type, props: c.bad, stack, config };
                    assert.equal(violations(advisory(), resource).length, 1);
                    assert.deepEqual(violations(mandatory(), resource), []);
                }
                // "dev" is no longer a dev stack once the configuration names others.
                const dev: FakeResource = { type: c.type, props: c.bad, stack: "dev", config };
                assert.equal(violations(mandatory(), dev).length, 1);
                assert.deepEqual(violations(advisory(), dev), []);
            });
        });
    }

    it("treats a URN without a stack name as a non-dev stack (mandatory)", () => {
        const resource: FakeResource = {
            type: CLUSTER_SETTINGS_TYPE,
            props: { onDelete: "retain" },
            urn: "not-a-urn",
        };
        const found = violations(policy("cluster-settings-retained-on-delete"), resource);
        assert.equal(found.length, 1);
        assert.match(found[0]!, /\[mandatory: stack "\?"/);
    });

    it("an empty devStacks list makes every stack mandatory", () => {
        const resource: FakeResource = {
            type: CHANGEFEED_TYPE,
            props: { webhookUrl: WEBHOOK, exclusive: false },
            stack: "dev",
            config: { devStacks: [] },
        };
        assert.equal(violations(policy("changefeed-not-exclusive"), resource).length, 1);
    });
});
