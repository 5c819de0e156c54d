/**
 * Failback from CockroachDB to the original Oracle database, with the Oracle-capable build of
 * MOLT Replicator running in Kubernetes (linux/amd64 nodes only).
 */
import * as pulumi from "@pulumi/pulumi";
import { Failback } from "pulumi-crdb-failback";

const config = new pulumi.Config();

const failback = new Failback("failback", {
    cockroachConnection: config.requireSecret("cockroachConnection"),
    stagingSchema: config.get("stagingSchema") ?? "defaultdb._replicator",
    target: {
        dialect: "oracle",
        // oracle://SYSTEM:…@host:1521/ORCLPDB1 — grants per table (one round trip).
        adminConnection: config.requireSecret("targetAdminConnection"),
        // oracle://C%23%23REPLICATOR:…@host:1521/ORCLPDB1 — what the replicator writes with.
        replicatorConnection: config.requireSecret("targetReplicatorConnection"),
        grantee: config.get("grantee") ?? "C##REPLICATOR",
        // Stored (upper) case: the webhook path is /<SCHEMA>.
        schema: config.require("schema"),
        // Oracle table names in stored case; SELECT, INSERT, UPDATE, DELETE, FLASHBACK each.
        tables: config
            .require("tables")
            .split(",")
            .map((table) => table.trim()),
    },
    // CockroachDB names of the same tables; by default the Oracle names lower-cased.
    changefeedTables: config
        .get("changefeedTables")
        ?.split(",")
        .map((table) => table.trim()),
    replicator: {
        namespace: config.get("namespace") ?? "molt",
        // The Oracle build (DEFAULT_ORACLE_IMAGE) unless you mirror it elsewhere.
        oracleImage: config.get("oracleImage"),
        parallelism: 8,
    },
    forwardReplication: { metricsUrl: config.require("forwardMetricsUrl") },
});

// https://failback-replicator.<namespace>.svc.cluster.local:30004/<SCHEMA>
export const webhookUrl = failback.webhookUrl;
export const changefeedJobId = failback.changefeedJobId;
export const cursor = failback.cursor;
export const granted = failback.granted;
export const settingsPrevious = failback.settingsPrevious;
