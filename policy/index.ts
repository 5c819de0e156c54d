/**
 * CrossGuard policy pack for stacks that use pulumi-crdb-failback:
 *
 *     pulumi preview --policy-pack ./policy [--policy-pack-config policy-config.json]
 *
 * See README.md for the rules and how dev stacks are configured.
 */
import { PolicyPack } from "@pulumi/policy";

import { buildPolicies } from "./policies";

new PolicyPack("crdb-failback", {
    description:
        "Flags insecure or irreversible failback settings: mandatory on production stacks, " +
        "advisory on stacks matching devStacks.",
    policies: buildPolicies(),
});
