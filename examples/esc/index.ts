/**
 * Failback from CockroachDB to PostgreSQL whose connection strings come from a Pulumi ESC
 * environment (environment.yaml), imported by the stack (Pulumi.prod.yaml). The program reads
 * them like any secret configuration: nothing here knows about ESC.
 */
import * as pulumi from "@pulumi/pulumi";
import { Failback } from "pulumi-crdb-failback";

const config = new pulumi.Config();

const failback = new Failback(
    "failback",
    {
        cockroachConnection: config.requireSecret("cockroachConnection"),
        stagingSchema: config.get("stagingSchema") ?? "defaultdb._replicator",
        target: {
            dialect: "postgres",
            adminConnection: config.requireSecret("targetAdminConnection"),
            replicatorConnection: config.requireSecret("targetReplicatorConnection"),
            grantee: config.get("grantee") ?? "replicator",
            database: config.require("database"),
            schema: config.get("schema") ?? "public",
            tables: config
                .require("tables")
                .split(",")
                .map((table) => table.trim()),
        },
        // destroy puts every cluster setting back to its prior value (the default, spelled out).
        clusterSettings: { rangefeedEnabled: true, onDelete: "restore" },
        replicator: { namespace: config.get("namespace") ?? "molt" },
        // The cursor is taken once forward replication (PostgreSQL → CockroachDB) is quiet.
        forwardReplication: { metricsUrl: config.require("forwardMetricsUrl") },
    },
    // `protect` propagates to every resource of the component: a `destroy` (or a replacement)
    // fails instead of cancelling the changefeed and revoking privileges, until it is unset.
    { protect: config.getBoolean("protect") ?? false },
);

export const webhookUrl = failback.webhookUrl;
export const changefeedJobId = failback.changefeedJobId;
export const cursor = failback.cursor;
export const granted = failback.granted;
