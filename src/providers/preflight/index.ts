import { lazyProvider } from "../kernel/lazyProvider";

/**
 * The Preflight dynamic provider. Its methods load
 * `pulumi-crdb-failback/dist/providers/preflight/provider` when they run, so state holds a tiny
 * closure and refresh/destroy use the installed package version.
 */
export const preflightProvider = lazyProvider("dist/providers/preflight/provider");
