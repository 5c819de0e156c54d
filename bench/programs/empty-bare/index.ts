// Intentionally empty, not even importing @pulumi/pulumi (see Pulumi.yaml).
export {};
