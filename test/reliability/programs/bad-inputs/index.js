// One resource per bad-input case. The cases (name, resource kind, inputs) come as a JSON list in
// the plain config value `cases`; `pulumi preview` must fail on each with its message, and no
// database may see a connection. Plain JavaScript so the repository's type check (which covers
// test/) does not need the installed package.
"use strict";
const pulumi = require("@pulumi/pulumi");
const {
    Changefeed,
    ClusterSettings,
    ReplicatorAuthKey,
    ReplicatorHost,
    TargetGrants,
} = require("pulumi-crdb-failback");

const constructors = {
    TargetGrants,
    ClusterSettings,
    Changefeed,
    ReplicatorAuthKey,
    ReplicatorHost,
};

const cases = JSON.parse(new pulumi.Config().require("cases"));
for (const c of cases) {
    const Resource = constructors[c.resource];
    if (!Resource) throw new Error(`unknown resource kind ${c.resource}`);
    // The inputs are deliberately wrong: the resources' own checks must reject them.
    new Resource(c.name, c.inputs);
}
