// One Changefeed whose first `up` fails (engine test of the cursor kept across a failed up).
// Plain JavaScript: the engine test copies it next to the packed package, where
// `pulumi-crdb-failback` resolves by name.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { Changefeed } = require("pulumi-crdb-failback");

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

exports.jobId = feed.jobId;
exports.cursor = feed.cursor;
exports.status = feed.status;
exports.deliveryVerified = feed.deliveryVerified;
