/**
 * Failback from CockroachDB to the original PostgreSQL database, with MOLT Replicator running
 * in Kubernetes (the cluster of the current kubeconfig context, or `kubernetes:context`).
 */
import * as pulumi from "@pulumi/pulumi";
import { Failback } from "pulumi-crdb-failback";

const config = new pulumi.Config();

const failback = new Failback("failback", {
    // CockroachDB: source of the changefeed, and staging for the replicator (as in the MOLT docs).
    cockroachConnection: config.requireSecret("cockroachConnection"),
    // The staging schema forward replication used, so failback reuses its checkpoints.
    stagingSchema: config.get("stagingSchema") ?? "defaultdb._replicator",
    target: {
        dialect: "postgres",
        // Used only to GRANT (and, on destroy, REVOKE) the replicator's privileges.
        adminConnection: config.requireSecret("targetAdminConnection"),
        // What the replicator writes with: postgres://replicator:…@host:5432/<database>.
        replicatorConnection: config.requireSecret("targetReplicatorConnection"),
        grantee: config.get("grantee") ?? "replicator",
        database: config.require("database"),
        schema: config.get("schema") ?? "public",
        tables: config
            .require("tables")
            .split(",")
            .map((table) => table.trim()),
    },
    // The runbook's optional throughput settings; destroy restores the previous values.
    clusterSettings: {
        closedTimestampRefreshInterval: "250ms",
        closedTimestampTargetDuration: "1s",
    },
    replicator: {
        namespace: config.get("namespace") ?? "molt",
        parallelism: 16,
        targetMaxPoolSize: 32,
        // Defaults differ between replicator versions: be explicit (0 = never best-effort).
        bestEffortWindow: "0",
    },
    // Wait until forward replication (PostgreSQL → CockroachDB) has drained before the
    // changefeed takes its cursor.
    forwardReplication: {
        metricsUrl: config.require("forwardMetricsUrl"),
        quietPeriodSeconds: 60,
    },
});

// https://failback-replicator.<namespace>.svc.cluster.local:30004/<database>/<schema>
export const webhookUrl = failback.webhookUrl;
export const changefeedJobId = failback.changefeedJobId;
export const cursor = failback.cursor;
export const granted = failback.granted;
export const settingsPrevious = failback.settingsPrevious;
export const metricsUrl = failback.replicator.metricsUrl;
