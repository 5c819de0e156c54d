/**
 * Lifecycle of the ClusterSettings dynamic resource (see DESIGN.md "ClusterSettings").
 *
 * `SET CLUSTER SETTING` is not transactional: when a later statement fails after earlier ones
 * took effect, create/update throw a PartialStateError so state records what was applied (and
 * the prior values to restore) and the next `pulumi up` converges.
 */
import { logCreatePreview, logDiffPreview } from "./preview";
import type * as pulumi from "@pulumi/pulumi";

import { newResourceId } from "../common/ids";
import { PartialStateError } from "../common/partialState";
import {
    type CockroachSession,
    connectCockroach,
    type SessionTimeouts,
} from "../dialects/cockroach";
import { checkClusterSettings } from "./check";
import { diffClusterSettings } from "./diff";
import { settingError } from "./errors";
import {
    desiredSettings,
    readBackValue,
    settingLiteral,
    settingType,
    settingValuesEqual,
} from "./plan";
import {
    resetClusterSetting,
    SELECT_CLUSTER_ID,
    SELECT_CURRENT_USER,
    setClusterSetting,
    SHOW_ALL_CLUSTER_SETTINGS,
    showClusterSetting,
} from "./sql";
import type {
    ClusterSettingsInputs,
    ClusterSettingsOutputs,
    PriorSetting,
    SettingValue,
} from "./types";

/** What the provider depends on; tests pass shorter bounds through {@link makeClusterSettingsProvider}. */
export interface ClusterSettingsProviderDeps {
    /** Connect and statement timeouts of every session. */
    sessionOptions: SessionTimeouts;
}

const DEFAULT_DEPS: ClusterSettingsProviderDeps = {
    sessionOptions: { connectMs: 10_000, statementMs: 30_000 },
};

/** Runs `work` on a fresh bounded session to `url` and always closes it. */
type OpenSession = <T>(
    url: string,
    secrets: ReadonlyArray<string | undefined>,
    work: (session: CockroachSession) => Promise<T>,
) => Promise<T>;

function sessionOpener(timeouts: SessionTimeouts): OpenSession {
    return async (url, secrets, work) => {
        const session = await connectCockroach(url, secrets, timeouts);
        try {
            return await work(session);
        } finally {
            await session.close();
        }
    };
}

/** One row of SHOW ALL CLUSTER SETTINGS. */
interface CatalogEntry {
    value: string;
    type: string;
    origin: string;
}

/** A session plus the connecting user's name, looked up only when an error needs it. */
class SettingsSession {
    #user: string | undefined;

    constructor(readonly sql: CockroachSession) {}

    async user(): Promise<string> {
        if (this.#user === undefined) {
            const rows = await this.sql.query(SELECT_CURRENT_USER).catch(() => []);
            this.#user = String(rows[0]?.current_user ?? "<user>");
        }
        return this.#user;
    }

    async clusterId(): Promise<string> {
        const rows = await this.sql.query(SELECT_CLUSTER_ID);
        const row = rows[0] ?? {};
        return String(row["crdb_internal.cluster_id"] ?? Object.values(row)[0]);
    }

    async catalog(): Promise<Map<string, CatalogEntry>> {
        const rows = await this.sql.query(SHOW_ALL_CLUSTER_SETTINGS);
        const catalog = new Map<string, CatalogEntry>();
        for (const row of rows) {
            const value = String(row.value ?? "");
            const origin =
                typeof row.origin === "string"
                    ? row.origin
                    : value === String(row.default_value ?? "")
                      ? "default"
                      : "override";
            catalog.set(String(row.variable), {
                value,
                type: String(row.setting_type ?? "s"),
                origin,
            });
        }
        return catalog;
    }

    /** The catalog entry for `name`; a setting the catalog does not list fails with guidance. */
    async entry(catalog: Map<string, CatalogEntry>, name: string): Promise<CatalogEntry> {
        const found = catalog.get(name);
        if (found) return found;
        // SHOW CLUSTER SETTING raises CockroachDB's own error (XXUUU "unknown setting" on an unknown or
        // system-only setting), which settingError turns into advice.
        await this.show(name);
        throw new Error(
            `cluster setting ${name} is not listed by SHOW ALL CLUSTER SETTINGS, so its prior value and origin cannot be recorded`,
        );
    }

    async show(name: string): Promise<SettingValue> {
        try {
            const rows = await this.sql.query(showClusterSetting(name));
            const row = rows[0] ?? {};
            return readBackValue(name in row ? row[name] : Object.values(row)[0]);
        } catch (err) {
            throw settingError(name, "read", err, await this.user());
        }
    }

    async set(name: string, type: string, value: SettingValue): Promise<void> {
        try {
            await this.sql.query(setClusterSetting(name, settingLiteral(type, value)));
        } catch (err) {
            throw settingError(name, "set", err, await this.user());
        }
    }

    async reset(name: string): Promise<void> {
        try {
            await this.sql.query(resetClusterSetting(name));
        } catch (err) {
            throw settingError(name, "reset", err, await this.user());
        }
    }

    /** Puts `name` back as it was before: RESET when it was at its default, else SET it. */
    async restore(
        name: string,
        prior: PriorSetting,
        current: CatalogEntry | undefined,
    ): Promise<boolean> {
        if (prior.origin === "default") {
            if (current?.origin === "default") return false;
            await this.reset(name);
            return true;
        }
        if (
            current &&
            current.origin !== "default" &&
            settingValuesEqual(prior.type, prior.value, current.value)
        ) {
            return false;
        }
        await this.set(name, prior.type, prior.value);
        return true;
    }

    async readBack(names: readonly string[]): Promise<Record<string, SettingValue>> {
        const values: Record<string, SettingValue> = {};
        for (const name of names) values[name] = await this.show(name);
        return values;
    }

    async readBackQuietly(names: readonly string[]): Promise<Record<string, SettingValue>> {
        return this.readBack(names).catch(() => ({}));
    }
}

/**
 * The error for a create/update that failed after some settings were applied (`SET CLUSTER
 * SETTING` is not transactional): a partial-state error recording what the cluster now holds,
 * or the original error when nothing was applied.
 */
async function partialFailure(
    err: unknown,
    applied: readonly string[],
    session: SettingsSession,
    id: string,
    inputs: ClusterSettingsInputs,
    names: readonly string[],
    fields: Pick<ClusterSettingsOutputs, "desired" | "previous" | "types" | "clusterId">,
): Promise<unknown> {
    if (applied.length === 0) return err;
    const values = await session.readBackQuietly(names);
    return new PartialStateError(
        id,
        outputsOf(inputs, { ...fields, values }) as unknown as Record<string, unknown>,
        [`${(err as Error).message} (already applied: ${applied.join(", ")})`],
    );
}

function outputsOf(
    inputs: ClusterSettingsInputs,
    fields: Pick<ClusterSettingsOutputs, "desired" | "values" | "previous" | "types" | "clusterId">,
): ClusterSettingsOutputs {
    return {
        connection: inputs.connection,
        rangefeedEnabled: inputs.rangefeedEnabled,
        closedTimestampRefreshInterval: inputs.closedTimestampRefreshInterval,
        closedTimestampTargetDuration: inputs.closedTimestampTargetDuration,
        concurrentCatchupIterators: inputs.concurrentCatchupIterators,
        settings: inputs.settings,
        onDelete: inputs.onDelete ?? "restore",
        stateVersion: 1,
        ...fields,
    };
}

/** Records the prior value of every desired setting not recorded yet. */
async function capturePrevious(
    session: SettingsSession,
    catalog: Map<string, CatalogEntry>,
    names: readonly string[],
    previous: Record<string, PriorSetting>,
    types: Record<string, string>,
): Promise<void> {
    for (const name of names) {
        const entry = await session.entry(catalog, name);
        types[name] = entry.type;
        if (!previous[name])
            previous[name] = { value: entry.value, origin: entry.origin, type: entry.type };
    }
}

/** SETs each desired setting whose current value differs; returns the names it set. */
async function applyDesired(
    session: SettingsSession,
    catalog: Map<string, CatalogEntry>,
    desired: Record<string, SettingValue>,
    types: Record<string, string>,
    applied: string[],
): Promise<void> {
    for (const [name, value] of Object.entries(desired)) {
        const type = settingType(name, value, types);
        const current = catalog.get(name);
        if (current && settingValuesEqual(type, value, current.value)) continue;
        await session.set(name, type, value);
        applied.push(name);
    }
}

async function create(
    withSession: OpenSession,
    inputs: ClusterSettingsInputs,
): Promise<pulumi.dynamic.CreateResult> {
    const id = newResourceId("clustersettings");
    return withSession(inputs.connection, [], async (sql) => {
        const session = new SettingsSession(sql);
        const clusterId = await session.clusterId();
        const catalog = await session.catalog();
        const desired = desiredSettings(inputs);
        const names = Object.keys(desired);
        const previous: Record<string, PriorSetting> = {};
        const types: Record<string, string> = {};
        await capturePrevious(session, catalog, names, previous, types);

        const applied: string[] = [];
        try {
            await applyDesired(session, catalog, desired, types, applied);
        } catch (err) {
            throw await partialFailure(err, applied, session, id, inputs, names, {
                desired,
                previous,
                types,
                clusterId,
            });
        }
        const values = await session.readBack(names);
        return { id, outs: outputsOf(inputs, { desired, values, previous, types, clusterId }) };
    });
}

async function update(
    withSession: OpenSession,
    id: string,
    olds: ClusterSettingsOutputs,
    news: ClusterSettingsInputs,
): Promise<pulumi.dynamic.UpdateResult> {
    return withSession(news.connection, [olds.connection], async (sql) => {
        const session = new SettingsSession(sql);
        const clusterId = await session.clusterId();
        if (olds.clusterId && clusterId !== olds.clusterId) {
            throw new Error(
                `the new connection reaches CockroachDB cluster ${clusterId}, but these settings were applied to cluster ` +
                    `${olds.clusterId}. Refusing to update: point the connection back at that cluster, or change its ` +
                    "host/port/database so the resource is replaced (the old cluster's settings are restored first).",
            );
        }
        const catalog = await session.catalog();
        const desired = desiredSettings(news);
        const names = Object.keys(desired);
        const previous: Record<string, PriorSetting> = { ...(olds.previous ?? {}) };
        const types: Record<string, string> = { ...(olds.types ?? {}) };
        const applied: string[] = [];
        try {
            await capturePrevious(session, catalog, names, previous, types);
            for (const [name, prior] of Object.entries(olds.previous ?? {})) {
                if (name in desired) continue;
                if (await session.restore(name, prior, catalog.get(name))) applied.push(name);
                delete previous[name];
                delete types[name];
            }
            await applyDesired(session, catalog, desired, types, applied);
        } catch (err) {
            throw await partialFailure(err, applied, session, id, news, names, {
                desired,
                previous,
                types,
                clusterId,
            });
        }
        const values = await session.readBack(names);
        return { outs: outputsOf(news, { desired, values, previous, types, clusterId }) };
    });
}

async function read(
    withSession: OpenSession,
    id: string,
    props: ClusterSettingsOutputs,
): Promise<pulumi.dynamic.ReadResult> {
    return withSession(props.connection, [], async (sql) => {
        const session = new SettingsSession(sql);
        const values = await session.readBack(Object.keys(props.desired ?? {}));
        return { id, props: { ...props, values } };
    });
}

async function deleteSettings(
    withSession: OpenSession,
    props: ClusterSettingsOutputs,
): Promise<void> {
    const mode = props.onDelete ?? "restore";
    const managed = Object.entries(props.previous ?? {});
    if (mode === "retain" || managed.length === 0) return;
    await withSession(props.connection, [], async (sql) => {
        const session = new SettingsSession(sql);
        const catalog = await session.catalog();
        for (const [name, prior] of managed) {
            if (mode === "reset") {
                if (catalog.get(name)?.origin !== "default") await session.reset(name);
            } else {
                await session.restore(name, prior, catalog.get(name));
            }
        }
    });
}

/**
 * Builds the ClusterSettings provider. `provider` below is the one the package ships; tests pass
 * shorter session bounds (`sessionOptions: { connectMs, statementMs }`).
 */
export function makeClusterSettingsProvider(
    overrides: Partial<ClusterSettingsProviderDeps> = {},
): Required<pulumi.dynamic.ResourceProvider> {
    const deps: ClusterSettingsProviderDeps = { ...DEFAULT_DEPS, ...overrides };
    const open = sessionOpener(deps.sessionOptions);
    return {
        async configure() {
            // No provider configuration: everything comes from the resource's inputs.
        },
        async check(olds, news) {
            const result = checkClusterSettings(news);
            if (!result.failures?.length) logCreatePreview(olds, news);
            return result;
        },
        async diff(_id, olds, news) {
            const result = diffClusterSettings(
                olds as ClusterSettingsOutputs,
                news as ClusterSettingsInputs,
            );
            logDiffPreview(olds, news, result);
            return result;
        },
        create: (inputs) => create(open, inputs as ClusterSettingsInputs),
        update: (id, olds, news) =>
            update(open, id, olds as ClusterSettingsOutputs, news as ClusterSettingsInputs),
        read: (id, props) => read(open, id, props as ClusterSettingsOutputs),
        delete: (_id, props) => deleteSettings(open, props as ClusterSettingsOutputs),
    };
}

/** The ClusterSettings provider, loaded by `lazyProvider("dist/providers/clusterSettings/provider")`. */
export const provider: Required<pulumi.dynamic.ResourceProvider> = makeClusterSettingsProvider();
