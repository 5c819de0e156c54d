import { lazyProvider } from "../kernel/lazyProvider";

/**
 * The ReplicatorAuthKey dynamic provider as serialized into state: each method loads
 * `pulumi-crdb-failback/dist/providers/replicatorAuthKey/provider` when it runs.
 */
export const replicatorAuthKeyProvider = lazyProvider("dist/providers/replicatorAuthKey/provider");
