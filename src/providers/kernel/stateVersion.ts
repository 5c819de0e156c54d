/**
 * State versioning shared by every provider.
 *
 * Each provider writes `stateVersion` into its outputs and reads state through
 * {@link readVersionedState}: state from an older package version is migrated step by step to the
 * current shape, and state from a newer package version is refused with a clear error (it may
 * hold fields this version would drop). The migrations are the provider's own; this module only
 * runs them.
 */

/** A step that turns state of version `from` into state of version `from + 1`. */
export type StateMigration = (state: Record<string, unknown>) => Record<string, unknown>;

/** How one provider's state is versioned. */
export interface StateVersioning {
    /** The resource type as users see it, for error messages (e.g. `TargetGrants`). */
    resource: string;
    /** The version this package writes. */
    current: number;
    /**
     * Migrations keyed by the version they read: `migrations[1]` turns version 1 into 2. State
     * without `stateVersion` is read as version 1.
     */
    migrations?: Readonly<Record<number, StateMigration>>;
}

/** The version stored in `state`; state written before versioning counts as version 1. */
export function storedStateVersion(state: Record<string, unknown>): number {
    const version = state["stateVersion"];
    return typeof version === "number" && Number.isInteger(version) && version > 0 ? version : 1;
}

/**
 * Returns `state` in the current shape, with `stateVersion` set to `versioning.current`.
 * Throws when the state was written by a newer package version or no migration path exists.
 */
export function readVersionedState<T>(
    state: Record<string, unknown>,
    versioning: StateVersioning,
): T {
    let version = storedStateVersion(state);
    if (version > versioning.current) {
        throw new Error(
            `${versioning.resource} state version ${version} was written by a newer version of ` +
                `pulumi-crdb-failback than the one installed (which reads up to version ` +
                `${versioning.current}); install the newer package version before refresh, update or destroy.`,
        );
    }
    let migrated = { ...state };
    while (version < versioning.current) {
        const step = versioning.migrations?.[version];
        if (!step) {
            throw new Error(
                `${versioning.resource} state version ${version} cannot be read by this version of ` +
                    `pulumi-crdb-failback (no migration to version ${version + 1}); refresh with the ` +
                    `package version that wrote it, or import the resource again.`,
            );
        }
        migrated = step(migrated);
        version += 1;
    }
    return { ...migrated, stateVersion: versioning.current } as T;
}

/**
 * A reader of one provider's prior state (`olds` of diff/update, `props` of read/delete): the
 * state in the current shape, through {@link readVersionedState}.
 */
export function stateReader<T>(versioning: StateVersioning): (state: unknown) => T {
    return (state) => readVersionedState<T>((state ?? {}) as Record<string, unknown>, versioning);
}
