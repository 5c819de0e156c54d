import { lazyProvider } from "../kernel/lazyProvider";

/**
 * The ForwardDrainGate dynamic provider as serialized into state: each method loads
 * `pulumi-crdb-failback/dist/providers/forwardDrainGate/provider` when it runs.
 */
export const forwardDrainGateProvider = lazyProvider("dist/providers/forwardDrainGate/provider");
