/**
 * The same resources as ../policy-violating with the defaults the crdb-failback policy pack
 * expects (settings restored on destroy, an exclusive feed into an https:// webhook that
 * verifies the replicator's certificate). Only `pulumi preview` runs it.
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
});

new failback.Changefeed(
    "feed",
    {
        connection,
        tables: ["public.orders"],
        webhookUrl: "https://replicator.failback.svc:30004/molt/public",
        caCertPem: config.require("caCertPem"),
        authToken: config.requireSecret("authToken"),
    },
    { dependsOn: [settings] },
);
