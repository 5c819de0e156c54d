import { lazyProvider } from "../kernel/lazyProvider";

/**
 * The Changefeed dynamic provider. Its methods load
 * `pulumi-crdb-failback/dist/providers/changefeed/provider` when they run, so state holds a tiny
 * closure and delete/refresh use the installed package version.
 */
export const changefeedProvider = lazyProvider("dist/providers/changefeed/provider");
