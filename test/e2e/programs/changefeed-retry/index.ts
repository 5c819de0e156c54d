import * as pulumi from "@pulumi/pulumi";
// The engine test copies this program next to the packed package, where it resolves by name;
// the type comes from the sources so the repository's typecheck covers this file.
const { Changefeed } = require("pulumi-crdb-failback") as typeof import("../../../../src");

const config = new pulumi.Config();

const feed = new Changefeed("feed", {
    connection: config.requireSecret("cockroachConnection"),
    tables: ["orders"],
    webhookUrl: config.require("webhookUrl"),
    caCertPem: config.require("caCertPem"),
    clientCertPem: config.require("clientCertPem"),
    clientKeyPem: config.requireSecret("clientKeyPem"),
    authToken: config.requireSecret("authToken"),
    resolved: "100ms",
    minCheckpointFrequency: "100ms",
    waitForRunningSeconds: Number(config.get("waitForRunningSeconds") ?? "10"),
    verifyDelivery: false,
});

export const jobId = feed.jobId;
export const cursor = feed.cursor;
export const status = feed.status;
export const deliveryVerified = feed.deliveryVerified;
