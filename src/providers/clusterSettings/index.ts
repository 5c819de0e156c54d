import { lazyProvider } from "../kernel/lazyProvider";

/**
 * The ClusterSettings dynamic provider. Its methods load
 * `pulumi-crdb-failback/dist/providers/clusterSettings/provider` when they run, so state holds a
 * tiny closure and delete/refresh use the installed package version.
 */
export const clusterSettingsProvider = lazyProvider("dist/providers/clusterSettings/provider");
