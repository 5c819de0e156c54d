import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { Deployment } from "kubernetes-models/apps/v1";
import { ConfigMap } from "kubernetes-models/v1";

import { ReplicatorHost, type ReplicatorHostArgs } from "../../../src/resources/replicatorHost";
import { construct, installMocks, plain, type Registration } from "./harness";

const PG_TARGET = "postgres://replicator:pg-pass-123@pg.example:5432/molt?sslmode=verify-full";
const STAGING = "postgresql://crdb:stage-pass-000@crdb.example:26257/defaultdb?sslmode=verify-full";

const SCRIPT = `import * as api from "replicator@v1";
api.configureTable("public.orders", {
    map: (doc) => (doc.region === "eu" ? doc : null),
});
`;
const OTHER_SCRIPT = SCRIPT.replace('"eu"', '"us"');

interface PodTemplate {
    metadata: { annotations: Record<string, string> };
    spec: {
        containers: Array<{
            args: string[];
            volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
        }>;
        volumes: Array<{
            name: string;
            configMap?: { name: string; items: Array<{ key: string; path: string }> };
        }>;
    };
}

function args(overrides: Partial<ReplicatorHostArgs> = {}): ReplicatorHostArgs {
    return {
        namespace: "molt",
        targetDialect: "postgres",
        targetConnection: PG_TARGET,
        stagingConnection: STAGING,
        stagingSchema: "defaultdb._replicator",
        targetSchema: ["molt", "public"],
        ...overrides,
    };
}

function only(registered: Registration[], type: string): Registration {
    const found = registered.filter((r) => r.type === type);
    assert.equal(found.length, 1, `expected exactly one ${type}, got ${found.length}`);
    return found[0]!;
}

function template(registered: Registration[]): PodTemplate {
    const deployment = plain(only(registered, "kubernetes:apps/v1:Deployment").inputs) as {
        spec: { template: PodTemplate };
    };
    return deployment.spec.template;
}

async function build(name: string, overrides: Partial<ReplicatorHostArgs>) {
    return construct((opts) => new ReplicatorHost(name, args(overrides), opts));
}

describe("ReplicatorHost userscript (setMocks)", () => {
    before(installMocks);

    it("ships the script in a ConfigMap mounted read-only and passes --userscript", async () => {
        const { registered, children } = await build("us", { userscript: SCRIPT });

        const configMap = only(registered, "kubernetes:core/v1:ConfigMap");
        const object = plain(configMap.inputs) as Record<string, unknown>;
        new ConfigMap({
            apiVersion: "v1",
            kind: "ConfigMap",
            ...object,
        } as ConstructorParameters<typeof ConfigMap>[0]).validate();
        assert.deepEqual(object.data, { "userscript.ts": SCRIPT });
        assert.equal((object.metadata as { name: string }).name, "us-userscript");
        assert.equal((object.metadata as { namespace: string }).namespace, "molt");

        const deployment = plain(only(registered, "kubernetes:apps/v1:Deployment").inputs);
        new Deployment(deployment as ConstructorParameters<typeof Deployment>[0]).validate();
        const pod = template(registered);
        const container = pod.spec.containers[0]!;
        assert.ok(container.args.includes("--userscript=/userscript/userscript.ts"));
        assert.equal(container.args.filter((a) => a.startsWith("--userscript")).length, 1);
        assert.deepEqual(
            container.volumeMounts.find((m) => m.name === "userscript"),
            { name: "userscript", mountPath: "/userscript", readOnly: true },
        );
        const volume = pod.spec.volumes.find((v) => v.name === "userscript");
        assert.equal(volume?.configMap?.name, "us-userscript");
        assert.deepEqual(volume?.configMap?.items, [
            { key: "userscript.ts", path: "userscript.ts" },
        ]);
        assert.match(pod.metadata.annotations["checksum/userscript"] ?? "", /^[0-9a-f]{64}$/);

        // The pods wait for the ConfigMap as they do for the Secret.
        const deploymentChild = children.find((c) => c.name === "us-deployment")!;
        assert.deepEqual(
            deploymentChild.dependsOn.map((d) => children.find((c) => c.resource === d)?.name),
            ["us-secret", "us-userscript"],
        );
    });

    it("changes the pod-template checksum when the script changes, and only then", async () => {
        const checksum = async (name: string, overrides: Partial<ReplicatorHostArgs>) =>
            template((await build(name, overrides)).registered).metadata.annotations[
                "checksum/userscript"
            ];
        const first = await checksum("cs", { userscript: SCRIPT });
        assert.equal(await checksum("cs", { userscript: SCRIPT }), first);
        // Other changes (they roll the pods through the args) leave the script's checksum alone.
        assert.equal(await checksum("cs", { userscript: SCRIPT, parallelism: 4 }), first);
        assert.notEqual(await checksum("cs", { userscript: OTHER_SCRIPT }), first);
    });

    it("creates no ConfigMap, mount, flag or annotation without a userscript", async () => {
        const { registered } = await build("plain", {});
        assert.equal(registered.filter((r) => r.type === "kubernetes:core/v1:ConfigMap").length, 0);
        const pod = template(registered);
        assert.equal(pod.metadata.annotations["checksum/userscript"], undefined);
        assert.ok(!pod.spec.containers[0]!.args.some((a) => a.startsWith("--userscript")));
        assert.ok(!pod.spec.volumes.some((v) => v.name === "userscript"));
    });

    it("rejects a userscript with external, naming the property and the fix", () => {
        assert.throws(
            () =>
                new ReplicatorHost(
                    "ext-us",
                    args({
                        targetConnection: undefined,
                        external: { url: "https://replicator.example.com:30004" },
                        userscript: SCRIPT,
                    }),
                ),
            {
                message:
                    'ReplicatorHost "ext-us": userscript is shipped only to a replicator this component ' +
                    "runs: with external, remove userscript and start that replicator with --userscript yourself",
            },
        );
    });

    it("rejects an empty script, an oversized one and --userscript in extraArgs", () => {
        assert.throws(() => new ReplicatorHost("empty", args({ userscript: " \n" })), {
            message:
                'ReplicatorHost "empty": userscript must be the script\'s source text (TypeScript or ' +
                'JavaScript), not empty: read a file with fs.readFileSync(path, "utf8")',
        });
        assert.throws(
            () => new ReplicatorHost("big", args({ userscript: "x".repeat(1_000_001) })),
            /userscript is 1000001 bytes; at most 1000000 fit in a ConfigMap/,
        );
        assert.throws(
            () =>
                new ReplicatorHost(
                    "extra",
                    args({ extraArgs: ["--userscript=/elsewhere/main.ts"] }),
                ),
            /extraArgs must not set --userscript: the component sets it \(use the typed argument\)/,
        );
    });
});
