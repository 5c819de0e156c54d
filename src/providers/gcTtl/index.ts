import { lazyProvider } from "../kernel/lazyProvider";

/**
 * The GcTtl dynamic provider. Its methods load `pulumi-crdb-failback/dist/providers/gcTtl/provider`
 * when they run, so state holds a tiny closure and delete/refresh use the installed package version.
 */
export const gcTtlProvider = lazyProvider("dist/providers/gcTtl/provider");
