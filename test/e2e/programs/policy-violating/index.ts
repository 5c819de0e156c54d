/**
 * Everything the crdb-failback policy pack flags on these resource types: ClusterSettings that
 * stay on the cluster after destroy, and a Changefeed that is not exclusive, skips certificate
 * verification and (unless config `webhookUrl` overrides it) delivers over plain http://.
 * Only `pulumi preview` runs it: check and diff are offline, so the URLs are placeholders.
 */
import * as pulumi from "@pulumi/pulumi";

// Loaded by name from the npm-packed install the engine test copies this program next to. The
// repository's own type-check cannot resolve the package by name, so the constructors are typed
// here with what this program passes.
type Constructor = new (
    name: string,
    args: Record<string, unknown>,
    opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;
const failback: {
    ClusterSettings: Constructor;
    Changefeed: Constructor;
} = require("pulumi-crdb-failback");

const config = new pulumi.Config();
const connection = config.requireSecret("cockroachConnection");

const settings = new failback.ClusterSettings("settings", {
    connection,
    rangefeedEnabled: true,
    onDelete: "retain",
});

new failback.Changefeed(
    "feed",
    {
        connection,
        tables: ["public.orders"],
        webhookUrl: config.get("webhookUrl") ?? "http://replicator.failback.svc:30004/molt/public",
        caCertPem: config.require("caCertPem"),
        exclusive: false,
    },
    { dependsOn: [settings] },
);
