import * as pulumi from "@pulumi/pulumi";

// An empty stack: no resources besides the stack itself. It imports @pulumi/pulumi and reads its
// configuration as every real program does, so it is the fair baseline for preview timings.
new pulumi.Config();
