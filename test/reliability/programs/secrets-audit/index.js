// TargetGrants + ClusterSettings + Changefeed (+ Failback when the package has it) built from
// PLAIN config values: the resources themselves must keep every secret out of state and output.
// Plain JavaScript so the repository's type check (which covers test/) does not need the
// installed package.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { Changefeed, ClusterSettings, TargetGrants } = require("pulumi-crdb-failback");

const config = new pulumi.Config();

const grants = new TargetGrants("grants", {
    connection: config.require("targetConnection"),
    grantee: config.require("grantee"),
    schema: "public",
});

const settings = new ClusterSettings("settings", {
    connection: config.require("cockroachConnection"),
    closedTimestampRefreshInterval: "250ms",
    closedTimestampTargetDuration: "1s",
});

const feed = new Changefeed(
    "feed",
    {
        connection: config.require("cockroachConnection"),
        tables: ["t1"],
        webhookUrl: config.require("webhookUrl"),
        caCertPem: config.require("caCertPem"),
        clientCertPem: config.require("clientCertPem"),
        clientKeyPem: config.require("clientKeyPem"),
        authToken: config.require("authToken"),
        waitForRunningSeconds: 30,
    },
    { dependsOn: [settings, grants] },
);

exports.granted = grants.granted;
exports.previous = settings.previous;
exports.jobId = feed.jobId;
exports.status = feed.status;
exports.sinkUri = feed.sinkUri;
