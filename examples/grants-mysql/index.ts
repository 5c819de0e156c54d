import * as pulumi from "@pulumi/pulumi";
import { TargetGrants } from "pulumi-crdb-failback";

const config = new pulumi.Config();
const tables = (config.get("tables") ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);

// `connection` holds the admin password: Pulumi.yaml declares it secret, so it is encrypted in
// the stack file and in every state file (the engine copies plain config into the dynamic
// provider's state and its history, whatever the program does with it).
const grants = new TargetGrants("replicator-grants", {
    connection: config.requireSecret("connection"),
    grantee: config.require("grantee"),
    granteeHost: config.get("granteeHost") ?? "%",
    schema: config.require("database"),
    tables: tables.length > 0 ? tables : undefined,
});

export const granted = grants.granted;
export const preexisting = grants.preexisting;
