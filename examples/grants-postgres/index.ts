import * as pulumi from "@pulumi/pulumi";
import { TargetGrants } from "pulumi-crdb-failback";

const config = new pulumi.Config();

// Every table in the schema (and, through ALTER DEFAULT PRIVILEGES, tables created later):
// SELECT, INSERT, UPDATE, DELETE plus USAGE on the schema — what the replicator's
// INSERT … ON CONFLICT and DELETE … WHERE (pk) IN (…) statements need.
const grants = new TargetGrants("replicator-grants", {
    connection: config.requireSecret("connection"),
    grantee: config.require("grantee"),
    schema: config.get("schema") ?? "public",
});

export const granted = grants.granted;
export const preexisting = grants.preexisting;
