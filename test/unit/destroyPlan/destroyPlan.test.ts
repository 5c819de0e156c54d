/**
 * crdb-failback-destroy-plan on fabricated `pulumi stack export` documents: the statements, their
 * order (the reverse of state order, as the engine deletes), and that nothing secret is needed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    destroyPlan,
    formatDestroyPlan,
    parseStackExport,
    type ExportedResource,
} from "../../../src/cli/destroyPlan";

const SECRET = {
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    ciphertext: "v1:abc",
};
const urn = (type: string, name: string) => `urn:pulumi:prod::failback::${type}::${name}`;
const dyn = (kind: string) => `pulumi-nodejs:dynamic/crdb-failback:${kind}`;

function exportOf(resources: ExportedResource[]): string {
    return JSON.stringify({
        version: 3,
        deployment: {
            manifest: {},
            resources: [
                { urn: urn("pulumi:pulumi:Stack", "failback-prod"), type: "pulumi:pulumi:Stack" },
                ...resources,
            ],
        },
    });
}

const settings: ExportedResource = {
    urn: urn(dyn("ClusterSettings"), "settings"),
    type: dyn("ClusterSettings"),
    custom: true,
    outputs: {
        connection: SECRET,
        onDelete: "restore",
        clusterId: "c1",
        previous: {
            "kv.rangefeed.enabled": { value: "false", origin: "default", type: "b" },
            "kv.closed_timestamp.target_duration": { value: "2s", origin: "override", type: "d" },
        },
    },
};
const grants: ExportedResource = {
    urn: urn(dyn("TargetGrants"), "grants"),
    type: dyn("TargetGrants"),
    custom: true,
    outputs: {
        connection: SECRET,
        dialect: "postgres",
        grantee: "replicator",
        granteeHost: null,
        schema: "public",
        server: "postgres://pg:5432/molt",
        granted: [
            { kind: "table", object: "orders", privilege: "INSERT" },
            { kind: "schema", object: "public", privilege: "USAGE" },
        ],
        preexisting: [{ kind: "table", object: "orders", privilege: "SELECT" }],
    },
};
const feed: ExportedResource = {
    urn: urn(dyn("Changefeed"), "feed"),
    type: dyn("Changefeed"),
    custom: true,
    outputs: {
        connection: SECRET,
        sinkUri: SECRET,
        jobId: "1234",
        status: "running",
        webhookUrl: "https://r:30004/molt/public",
    },
};

describe("crdb-failback-destroy-plan", () => {
    it("prints CANCEL JOB, REVOKE and SET/RESET in the engine's delete order, from non-secret outputs", () => {
        const { stack, resources } = parseStackExport(exportOf([settings, grants, feed]));
        assert.equal(stack, "prod");
        const text = formatDestroyPlan(stack, destroyPlan(resources));
        const cancel = text.indexOf("CANCEL JOB 1234;");
        const revoke = text.indexOf('REVOKE INSERT ON TABLE "public"."orders" FROM "replicator";');
        const usage = text.indexOf('REVOKE USAGE ON SCHEMA "public" FROM "replicator";');
        const set = text.indexOf("SET CLUSTER SETTING kv.closed_timestamp.target_duration = '2s';");
        const reset = text.indexOf("RESET CLUSTER SETTING kv.rangefeed.enabled;");
        for (const [what, at] of Object.entries({ cancel, revoke, usage, set, reset })) {
            assert.ok(at >= 0, `${what} in:\n${text}`);
        }
        assert.ok(cancel < revoke && revoke < set, "changefeed, then grants, then settings");
        assert.doesNotMatch(text, /SELECT ON TABLE/, "a privilege held before is never revoked");
        assert.doesNotMatch(text, /ciphertext|v1:abc/);
    });

    it("follows onDelete: reset RESETs every setting, retain runs nothing", () => {
        const reset = destroyPlan([
            { ...settings, outputs: { ...settings.outputs, onDelete: "reset" } },
        ]);
        assert.equal(
            reset[0]!.statements.filter((s) => s.startsWith("RESET CLUSTER SETTING")).length,
            2,
        );
        const retain = destroyPlan([
            { ...settings, outputs: { ...settings.outputs, onDelete: "retain" } },
        ]);
        assert.match(retain[0]!.statements.join("\n"), /stay as this stack set them/);
        assert.doesNotMatch(retain[0]!.statements.join("\n"), /CLUSTER SETTING/);
    });

    it("renders MySQL revokes for user@host and says when nothing was granted", () => {
        const mysql = destroyPlan([
            {
                ...grants,
                outputs: {
                    ...grants.outputs,
                    dialect: "mysql",
                    schema: "molt",
                    granteeHost: "%",
                    granted: [{ kind: "database", object: "molt", privilege: "INSERT" }],
                },
            },
        ]);
        assert.match(
            mysql[0]!.statements.join("\n"),
            /REVOKE INSERT ON `molt`\.\* FROM 'replicator'@'%'/,
        );
        const none = destroyPlan([{ ...grants, outputs: { ...grants.outputs, granted: [] } }]);
        assert.match(none[0]!.statements.join("\n"), /nothing to revoke/);
    });

    it("refuses input that is not a stack export, naming the command to use", () => {
        assert.throws(() => parseStackExport("not json"), /pipe `pulumi stack export`/);
        assert.throws(() => parseStackExport("{}"), /deployment\.resources/);
    });
});
