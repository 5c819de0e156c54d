import * as pulumi from "@pulumi/pulumi";
import { TargetGrants } from "pulumi-crdb-failback";

const config = new pulumi.Config();
const tables = (config.get("tables") ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);

// `connection` may come from plain config: the resource stores it as a secret regardless.
const grants = new TargetGrants("replicator-grants", {
    connection: config.require("connection"),
    grantee: config.require("grantee"),
    granteeHost: config.get("granteeHost") ?? "%",
    schema: config.require("database"),
    tables: tables.length > 0 ? tables : undefined,
});

export const granted = grants.granted;
export const preexisting = grants.preexisting;
