import * as pulumi from "@pulumi/pulumi";
import { Changefeed, ClusterSettings } from "pulumi-crdb-failback";

const config = new pulumi.Config();
const connection = config.requireSecret("cockroachConnection");

// Runbook "Prepare the CockroachDB cluster": rangefeeds on, faster closed timestamps.
// destroy puts every setting back to the value it had before this stack changed it.
const settings = new ClusterSettings("failback-settings", {
    connection,
    rangefeedEnabled: true,
    closedTimestampRefreshInterval: "250ms",
    closedTimestampTargetDuration: "1s",
});

// Runbook "Create the CockroachDB changefeed": cursor = cluster_logical_timestamp() at create,
// PEMs base64- and URL-encoded into the sink URI, bearer token in webhook_auth_header.
const feed = new Changefeed(
    "failback-feed",
    {
        connection,
        tables: config
            .require("tables")
            .split(",")
            .map((t) => t.trim()),
        webhookUrl: config.require("webhookUrl"),
        caCertPem: config.require("caCertPem"),
        clientCertPem: config.require("clientCertPem"),
        clientKeyPem: config.requireSecret("clientKeyPem"),
        authToken: config.requireSecret("authToken"),
        resolved: config.get("resolved") ?? "250ms",
        minCheckpointFrequency: config.get("minCheckpointFrequency") ?? "250ms",
    },
    { dependsOn: [settings] },
);

export const jobId = feed.jobId;
export const cursor = feed.cursor;
export const status = feed.status;
export const previousSettings = settings.previous;
