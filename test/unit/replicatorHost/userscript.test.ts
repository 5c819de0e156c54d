import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Deployment } from "kubernetes-models/apps/v1";
import { ConfigMap } from "kubernetes-models/v1";

import { DEFAULT_IMAGE, DEFAULT_RESOURCES } from "../../../src/resources/replicatorHost/args";
import {
    buildDeploymentManifest,
    labelsFor,
    type WorkloadSpec,
} from "../../../src/resources/replicatorHost/manifests";
import { planReplicatorHost } from "../../../src/resources/replicatorHost/plan";
import {
    buildUserscriptConfigMap,
    userscriptChecksum,
} from "../../../src/resources/replicatorHost/userscript";

const SCRIPT = 'import * as api from "replicator@v1";\n';

function plan(userscript?: string) {
    return planReplicatorHost("failback", {
        targetDialect: "mysql",
        targetConnection: "mysql://u:p@h:3306/molt",
        stagingConnection: "postgresql://root@crdb:26257/defaultdb",
        stagingSchema: "defaultdb._replicator",
        targetSchema: ["molt"],
        parallelism: 4,
        extraArgs: ["--schemaRefresh=5m"],
        ...(userscript !== undefined ? { userscript } : {}),
    });
}

function spec(userscript?: string): WorkloadSpec {
    const p = plan(userscript);
    return {
        serviceName: p.serviceName,
        namespace: "molt",
        secretName: p.secretName,
        image: DEFAULT_IMAGE,
        args: p.args,
        port: p.port,
        metricsPort: p.metricsPort,
        replicas: p.replicas,
        serviceType: p.serviceType,
        resources: structuredClone(DEFAULT_RESOURCES) as WorkloadSpec["resources"],
        secretChecksum: "0".repeat(64),
        ...(p.userscript
            ? {
                  userscript: {
                      configMapName: p.userscript.configMapName,
                      checksum: p.userscript.checksum,
                  },
              }
            : {}),
    };
}

describe("ReplicatorHost userscript manifests", () => {
    it("plans the flag before the tuning flags and extraArgs, with the checksum of the script", () => {
        const p = plan(SCRIPT);
        const at = p.args.indexOf("--userscript=/userscript/userscript.ts");
        assert.ok(at > 0);
        assert.ok(at < p.args.indexOf("--parallelism=4"));
        assert.equal(p.args.at(-1), "--schemaRefresh=5m");
        assert.equal(p.userscript?.configMapName, "failback-userscript");
        assert.equal(p.userscript?.checksum, userscriptChecksum(SCRIPT));
        assert.equal(plan().userscript, undefined);
        assert.deepEqual(
            plan().args,
            p.args.filter((a) => !a.startsWith("--userscript")),
        );
    });

    it("builds a schema-valid ConfigMap and Deployment that mounts it read-only", () => {
        const configMap = buildUserscriptConfigMap(
            { serviceName: "failback", namespace: "molt", labels: labelsFor("failback") },
            SCRIPT,
        );
        new ConfigMap(configMap as ConstructorParameters<typeof ConfigMap>[0]).validate();
        assert.deepEqual(configMap.data, { "userscript.ts": SCRIPT });

        const deployment = buildDeploymentManifest(spec(SCRIPT));
        new Deployment(deployment as ConstructorParameters<typeof Deployment>[0]).validate();
        const pod = deployment.spec.template;
        assert.equal(pod.metadata.annotations["checksum/userscript"], userscriptChecksum(SCRIPT));
        assert.deepEqual(pod.spec.containers[0]!.volumeMounts.at(-1), {
            name: "userscript",
            mountPath: "/userscript",
            readOnly: true,
        });
        assert.deepEqual(pod.spec.volumes.at(-1), {
            name: "userscript",
            configMap: {
                name: "failback-userscript",
                defaultMode: 0o440,
                items: [{ key: "userscript.ts", path: "userscript.ts" }],
            },
        });
    });

    it("leaves the Deployment as it was without a userscript", () => {
        const deployment = buildDeploymentManifest(spec());
        const pod = deployment.spec.template;
        assert.equal(pod.metadata.annotations["checksum/userscript"], undefined);
        assert.ok(!pod.spec.volumes.some((v) => v.name === "userscript"));
        assert.ok(!pod.spec.containers[0]!.volumeMounts.some((m) => m.name === "userscript"));
    });

    it("checksums the script: equal text, equal sum; any change, another sum", () => {
        assert.equal(userscriptChecksum(SCRIPT), userscriptChecksum(`${SCRIPT}`));
        assert.notEqual(userscriptChecksum(SCRIPT), userscriptChecksum(`${SCRIPT} `));
    });
});
