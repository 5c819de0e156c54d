import { lazyProvider } from "../kernel/lazyProvider";

/**
 * The TargetGrants provider object passed to `pulumi.dynamic.Resource`. Its methods load
 * `pulumi-crdb-failback/dist/providers/targetGrants/provider` when they run, so state holds a tiny
 * closure and refresh/destroy use the installed package version.
 */
export const targetGrantsProvider = lazyProvider("dist/providers/targetGrants/provider");
