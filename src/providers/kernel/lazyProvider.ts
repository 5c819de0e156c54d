import type * as pulumi from "@pulumi/pulumi";

/**
 * Builds the provider object that a dynamic resource serializes into state.
 *
 * Each method only `require`s the implementation by package name when it runs, so the closure
 * stored in state stays well under 1 KB and `delete`/`refresh` run the installed package
 * version rather than code frozen in an old state file. `modulePath` is a path under the
 * package (for example `dist/providers/targetGrants/provider`) whose module exports `provider`.
 *
 * Results are passed through {@link toWire}: the dynamic-provider host encodes outputs (and a
 * partial-state error's properties) as a protobuf Struct, which rejects `undefined` anywhere.
 */
export function lazyProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
    const target = `pulumi-crdb-failback/${modulePath}.js`;
    const load = (): Required<pulumi.dynamic.ResourceProvider> => require(target).provider;
    const wire = (): typeof toWire =>
        require("pulumi-crdb-failback/dist/providers/kernel/lazyProvider.js").toWire;
    return {
        check: (olds, news) => load().check(olds, news),
        diff: (id, olds, news) => load().diff(id, olds, news),
        create: (inputs) => wire()(() => load().create(inputs)),
        read: (id, props) => wire()(() => load().read(id, props)),
        update: (id, olds, news) => wire()(() => load().update(id, olds, news)),
        delete: (id, props) => load().delete(id, props),
    };
}

/**
 * Runs a lifecycle method and makes its result — or the `properties` of a partial-state error
 * it throws — encodable by the engine.
 */
export async function toWire<T>(call: () => Promise<T>): Promise<T> {
    try {
        return withoutUndefined(await call());
    } catch (err) {
        const partial = err as { properties?: unknown } | null;
        if (partial && typeof partial === "object" && partial.properties !== undefined) {
            partial.properties = withoutUndefined(partial.properties);
        }
        throw err;
    }
}

/** A copy of `value` without `undefined` object properties; `undefined` array items become `null`. */
export function withoutUndefined<T>(value: T): T {
    if (Array.isArray(value)) {
        return value.map((item) => (item === undefined ? null : withoutUndefined(item))) as T;
    }
    if (
        value !== null &&
        typeof value === "object" &&
        Object.getPrototypeOf(value) === Object.prototype
    ) {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
            if (item !== undefined) out[key] = withoutUndefined(item);
        }
        return out as T;
    }
    return value;
}
