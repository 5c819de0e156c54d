// One GcTtl resource (engine test of raising and restoring gc.ttlseconds).
// Plain JavaScript: the engine test copies it next to the packed package, where
// `pulumi-crdb-failback` resolves by name.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { GcTtl } = require("pulumi-crdb-failback");

const config = new pulumi.Config();

const gcTtl = new GcTtl("gc-ttl", {
    connection: config.requireSecret("cockroachConnection"),
    database: "defaultdb",
    ttl: config.require("ttl"),
});

exports.ttlSeconds = gcTtl.ttlSeconds;
exports.previous = gcTtl.previous;
