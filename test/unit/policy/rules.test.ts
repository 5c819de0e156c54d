/**
 * The rules' checks on the inputs the engine would see, including the Deployment that
 * ReplicatorHost really builds (its pure planning and manifest code from src/).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    changefeedTlsVerifySkipped,
    changefeedWebhookNotHttps,
} from "../../../policy/rules/changefeed";
import {
    changefeedNotExclusive,
    changefeedWithoutAuthToken,
} from "../../../policy/rules/changefeed";
import { clusterSettingsRetained } from "../../../policy/rules/clusterSettings";
import {
    boolFlagSet,
    isReplicatorImage,
    replicatorAuthDisabled,
    replicatorTlsSelfSigned,
} from "../../../policy/rules/replicator";
import { DEFAULT_IMAGE, DEFAULT_ORACLE_IMAGE } from "../../../src/resources/replicatorHost/args";
import { buildDeploymentManifest } from "../../../src/resources/replicatorHost/manifests";
import { planReplicatorHost } from "../../../src/resources/replicatorHost/plan";
import type { ReplicatorHostArgs } from "../../../src/resources/replicatorHost/args";

/** The Deployment inputs ReplicatorHost registers for `args` (as plain JSON, like the engine's). */
function componentDeployment(args: Partial<ReplicatorHostArgs> = {}): Record<string, unknown> {
    const plan = planReplicatorHost("failback", {
        stagingConnection: "postgresql://root@crdb:26257/defaultdb",
        targetConnection: "postgres://replicator@pg:5432/molt",
        stagingSchema: "defaultdb._replicator",
        targetDialect: "postgres",
        targetSchema: ["molt", "public"],
        ...args,
    });
    const manifest = buildDeploymentManifest({
        serviceName: plan.serviceName,
        namespace: "molt",
        secretName: plan.secretName,
        image: typeof args.image === "string" ? args.image : DEFAULT_IMAGE,
        args: plan.args,
        port: plan.port,
        metricsPort: plan.metricsPort,
        replicas: plan.replicas,
        serviceType: plan.serviceType,
        resources: {},
        secretChecksum: "0".repeat(64),
    });
    return JSON.parse(JSON.stringify({ metadata: manifest.metadata, spec: manifest.spec }));
}

function withContainers(containers: unknown[], key = "containers"): Record<string, unknown> {
    return { spec: { template: { spec: { [key]: containers } } } };
}

describe("replicator rules (kubernetes:apps/v1:Deployment)", () => {
    it("flags the Deployment of a ReplicatorHost with auth.mode disabled", () => {
        const found = replicatorAuthDisabled.check(
            componentDeployment({ auth: { mode: "disabled" } }),
        );
        assert.equal(found.length, 1);
        assert.match(found[0]!, /container "replicator" \(cockroachdb\/replicator:v1\.3\.0\)/);
        assert.match(
            found[0]!,
            /any caller that reaches the webhook can write to every target schema/,
        );
    });

    it("accepts the Deployment of a ReplicatorHost with default (JWT) auth and TLS", () => {
        const props = componentDeployment();
        assert.deepEqual(replicatorAuthDisabled.check(props), []);
        assert.deepEqual(replicatorTlsSelfSigned.check(props), []);
    });

    it("recognises the default, Oracle, registry-qualified and digest-pinned images", () => {
        for (const image of [
            DEFAULT_IMAGE,
            DEFAULT_ORACLE_IMAGE,
            "cockroachdb/replicator",
            "docker.io/cockroachdb/replicator:v1.3.0",
            "registry.example:5000/mirror/cockroachdb/replicator@sha256:abc",
            "cockroachdb/replicator-oracle:v1",
        ]) {
            assert.ok(isReplicatorImage(image), image);
        }
        for (const image of [
            "cockroachdb/cockroach:v25.2",
            "nginx",
            "evil/cockroachdb-replicator",
        ]) {
            assert.ok(!isReplicatorImage(image), image);
        }
    });

    it("reads boolean flags as the replicator does (=false turns off, the last one wins)", () => {
        assert.equal(
            boolFlagSet(["start", "--disableAuthentication"], "disableAuthentication"),
            true,
        );
        assert.equal(boolFlagSet(["-disableAuthentication=true"], "disableAuthentication"), true);
        assert.equal(
            boolFlagSet(["--disableAuthentication=false"], "disableAuthentication"),
            false,
        );
        assert.equal(boolFlagSet(["--disableAuthentication=0"], "disableAuthentication"), false);
        assert.equal(
            boolFlagSet(
                ["--disableAuthentication", "--disableAuthentication=F"],
                "disableAuthentication",
            ),
            false,
        );
        assert.equal(boolFlagSet(["--disableAuthenticationX"], "disableAuthentication"), false);
        assert.equal(boolFlagSet(["start"], "tlsSelfSigned"), false);
    });

    it("looks at command, args and init containers, and ignores other images", () => {
        const viaCommand = withContainers([
            {
                name: "r",
                image: DEFAULT_IMAGE,
                command: ["replicator", "start", "--tlsSelfSigned"],
            },
        ]);
        assert.equal(replicatorTlsSelfSigned.check(viaCommand).length, 1);
        const init = withContainers(
            [{ name: "init", image: DEFAULT_IMAGE, args: ["start", "--tlsSelfSigned=true"] }],
            "initContainers",
        );
        assert.equal(replicatorTlsSelfSigned.check(init).length, 1);
        const other = withContainers([
            {
                name: "proxy",
                image: "nginx:1",
                args: ["--disableAuthentication", "--tlsSelfSigned"],
            },
        ]);
        assert.deepEqual(replicatorAuthDisabled.check(other), []);
        assert.deepEqual(replicatorTlsSelfSigned.check(other), []);
    });

    it("reports each replicator container and copes with missing spec parts", () => {
        const two = withContainers([
            { name: "a", image: DEFAULT_IMAGE, args: ["--disableAuthentication"] },
            { name: "b", image: DEFAULT_ORACLE_IMAGE, args: ["--disableAuthentication"] },
        ]);
        assert.equal(replicatorAuthDisabled.check(two).length, 2);
        for (const props of [{}, { spec: {} }, { spec: { template: { spec: {} } } }]) {
            assert.deepEqual(replicatorAuthDisabled.check(props), []);
        }
    });
});

describe("replicator-auth-disabled on the ReplicatorHost component (every mode)", () => {
    it("flags the component's authMode disabled, named, and accepts jwt", () => {
        const found = replicatorAuthDisabled.check({ authMode: "disabled" }, "failback-replicator");
        assert.equal(found.length, 1);
        assert.match(found[0]!, /^ReplicatorHost "failback-replicator" has auth\.mode "disabled"/);
        assert.deepEqual(replicatorAuthDisabled.check({ authMode: "jwt" }, "r"), []);
        assert.ok(replicatorAuthDisabled.types.includes("crdb-failback:index:ReplicatorHost"));
    });
});

describe("changefeed rules", () => {
    const webhook = "https://failback.molt.svc:30004/molt/public";

    it("finds insecure_tls_skip_verify in webhookUrl and options, unless it is false", () => {
        const on = [
            { webhookUrl: `${webhook}?insecure_tls_skip_verify=true` },
            { webhookUrl: `${webhook}?ca_cert=x&INSECURE_TLS_SKIP_VERIFY` },
            { webhookUrl: webhook, options: { insecure_tls_skip_verify: true } },
            { webhookUrl: webhook, options: { insecure_tls_skip_verify: "yes" } },
            {
                webhookUrl: webhook,
                options: { sink_query_parameters: "insecure_tls_skip_verify=1" },
            },
        ];
        for (const props of on) {
            assert.equal(changefeedTlsVerifySkipped.check(props).length, 1, JSON.stringify(props));
        }
        const off = [
            { webhookUrl: `${webhook}?insecure_tls_skip_verify=false` },
            { webhookUrl: webhook, options: { insecure_tls_skip_verify: false } },
            { webhookUrl: webhook, options: { insecure_tls_skip_verify: "false" } },
            { webhookUrl: webhook, options: { diff: true, resolved: "1s" } },
            { webhookUrl: webhook },
        ];
        for (const props of off) {
            assert.deepEqual(changefeedTlsVerifySkipped.check(props), [], JSON.stringify(props));
        }
    });

    it("names each place it was found, never the URL itself", () => {
        const found = changefeedTlsVerifySkipped.check({
            webhookUrl: `https://user:s3cr3t@host:30004/db/sch?insecure_tls_skip_verify=true`,
            options: { insecure_tls_skip_verify: true },
        });
        assert.equal(found.length, 2);
        assert.match(found[0]!, /^Changefeed webhookUrl turns on/);
        assert.match(found[1]!, /^Changefeed options\.insecure_tls_skip_verify turns on/);
        assert.ok(found.every((m) => !m.includes("s3cr3t")));
    });

    it("requires an https:// webhookUrl and says which scheme was used", () => {
        assert.deepEqual(changefeedWebhookNotHttps.check({ webhookUrl: webhook }), []);
        assert.deepEqual(changefeedWebhookNotHttps.check({ webhookUrl: "HTTPS://H:1/a" }), []);
        assert.deepEqual(changefeedWebhookNotHttps.check({}), []);
        const http = changefeedWebhookNotHttps.check({ webhookUrl: "http://u:pw@h:30004/a" });
        assert.equal(http.length, 1);
        assert.match(http[0]!, /uses http:\/\/ instead of https:\/\//);
        assert.ok(!http[0]!.includes("pw@h"));
        const bare = changefeedWebhookNotHttps.check({ webhookUrl: "replicator:30004/a" });
        assert.match(bare[0]!, /uses replicator:\/\//);
        const none = changefeedWebhookNotHttps.check({ webhookUrl: "/a/b" });
        assert.match(none[0]!, /uses no scheme/);
    });

    it("flags a Changefeed without authToken; an unknown or secret token counts as given", () => {
        const found = changefeedWithoutAuthToken.check({ webhookUrl: webhook });
        assert.equal(found.length, 1);
        assert.match(found[0]!, /^Changefeed has no authToken/);
        assert.deepEqual(
            changefeedWithoutAuthToken.check({ webhookUrl: webhook, authToken: "t" }),
            [],
        );
        // In a preview the token is an unknown value: `in`, never a read.
        const unknown = new Proxy(
            { authToken: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
            {
                get: () => {
                    throw new Error("read");
                },
            },
        );
        assert.deepEqual(changefeedWithoutAuthToken.check(unknown), []);
    });

    it("flags exclusive: false only", () => {
        assert.equal(changefeedNotExclusive.check({ exclusive: false }).length, 1);
        assert.deepEqual(changefeedNotExclusive.check({ exclusive: true }), []);
        assert.deepEqual(changefeedNotExclusive.check({}), []);
    });
});

describe("cluster settings rule", () => {
    it('flags onDelete "retain" only', () => {
        assert.equal(clusterSettingsRetained.check({ onDelete: "retain" }).length, 1);
        for (const onDelete of ["restore", "reset", undefined]) {
            assert.deepEqual(clusterSettingsRetained.check({ onDelete }), []);
        }
    });
});
