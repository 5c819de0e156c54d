import type * as pulumi from "@pulumi/pulumi";

/**
 * Builds the provider object that a dynamic resource serializes into state.
 *
 * Each method only `require`s the implementation by package name when it runs, so the closure
 * stored in state stays well under 1 KB and `delete`/`refresh` run the installed package
 * version rather than code frozen in an old state file. `modulePath` is a path under the
 * package (for example `dist/providers/targetGrants/provider`) whose module exports `provider`.
 */
export function lazyProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
    const target = `pulumi-crdb-failback/${modulePath}.js`;
    const load = (): Required<pulumi.dynamic.ResourceProvider> => require(target).provider;
    return {
        check: (olds, news) => load().check(olds, news),
        diff: (id, olds, news) => load().diff(id, olds, news),
        create: (inputs) => load().create(inputs),
        read: (id, props) => load().read(id, props),
        update: (id, olds, news) => load().update(id, olds, news),
        delete: (id, props) => load().delete(id, props),
    };
}
