/** The missing-plugin warning: only when downloads are off and the plugin is nowhere to be found. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
    missingPluginWarning,
    pluginInstalled,
    pluginOf,
} from "../../../src/resources/replicatorHost/plugins";

describe("ReplicatorHost plugin check", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-home-"));
    const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
        PULUMI_HOME: home,
        PATH: "",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        ...extra,
    });

    it("reads the plugin name and version from the SDK package", () => {
        assert.deepEqual(pluginOf("@pulumi/tls"), { name: "tls", version: "5.6.1" });
        assert.deepEqual(pluginOf("@pulumi/kubernetes"), { name: "kubernetes", version: "4.34.2" });
    });

    it("names the install command when the plugin is missing and downloads are off", () => {
        const warning = missingPluginWarning(
            "@pulumi/tls",
            "generating TLS material",
            "bring your own TLS",
            env(),
        );
        assert.match(warning ?? "", /pulumi plugin install resource tls v5\.6\.1/);
        assert.match(warning ?? "", /bring your own TLS/);
    });

    it("stays quiet when downloads are allowed or the plugin is installed", () => {
        assert.equal(
            missingPluginWarning(
                "@pulumi/tls",
                "x",
                "y",
                env({ PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "" }),
            ),
            undefined,
        );
        fs.mkdirSync(path.join(home, "plugins", "resource-tls-v5.6.1"), { recursive: true });
        assert.ok(pluginInstalled({ name: "tls", version: "5.6.1" }, env()));
        assert.equal(missingPluginWarning("@pulumi/tls", "x", "y", env()), undefined);
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-bin-"));
        fs.writeFileSync(path.join(bin, "pulumi-resource-kubernetes"), "");
        assert.equal(
            missingPluginWarning("@pulumi/kubernetes", "x", "y", env({ PATH: bin })),
            undefined,
        );
        fs.rmSync(bin, { recursive: true, force: true });
        fs.rmSync(home, { recursive: true, force: true });
    });
});
