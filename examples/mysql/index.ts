/**
 * Failback from CockroachDB to the original MySQL (or MariaDB) database, with MOLT Replicator
 * running in Kubernetes (the cluster of the current kubeconfig context, or `kubernetes:context`).
 */
import * as pulumi from "@pulumi/pulumi";
import { Failback } from "pulumi-crdb-failback";

const config = new pulumi.Config();

const failback = new Failback("failback", {
    cockroachConnection: config.requireSecret("cockroachConnection"),
    stagingSchema: config.get("stagingSchema") ?? "defaultdb._replicator",
    target: {
        dialect: "mysql",
        // mysql://root:…@host:3306/ — grants SELECT, INSERT, UPDATE, DELETE on the tables.
        adminConnection: config.requireSecret("targetAdminConnection"),
        // mysql://replicator:…@host:3306/<database> — what the replicator writes with.
        replicatorConnection: config.requireSecret("targetReplicatorConnection"),
        grantee: config.get("grantee") ?? "replicator",
        granteeHost: config.get("granteeHost") ?? "%",
        // The MySQL database is the schema: the webhook path is /<database>.
        schema: config.require("database"),
        tables: config
            .require("tables")
            .split(",")
            .map((table) => table.trim()),
    },
    replicator: {
        namespace: config.get("namespace") ?? "molt",
        parallelism: 16,
        targetMaxPoolSize: 32,
        bestEffortWindow: "0",
    },
    forwardReplication: config.getBoolean("forwardDrained")
        ? { drained: true }
        : { metricsUrl: config.require("forwardMetricsUrl") },
});

// https://failback-replicator.<namespace>.svc.cluster.local:30004/<database>
export const webhookUrl = failback.webhookUrl;
export const changefeedJobId = failback.changefeedJobId;
export const cursor = failback.cursor;
export const granted = failback.granted;
export const settingsPrevious = failback.settingsPrevious;
