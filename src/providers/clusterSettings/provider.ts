/**
 * Lifecycle of the ClusterSettings dynamic resource; README.md "Rolling back" and "Drift" describe it.
 *
 * `SET CLUSTER SETTING` is not transactional: when a later statement fails after earlier ones
 * took effect, create/update throw a PartialStateError so state records what was applied (and
 * the prior values to restore) and the next `pulumi up` converges. A statement without a server
 * answer (a cut connection, a timeout) has an unknown outcome: the cluster is re-read on a new
 * session before anything is recorded, and the prior values captured before the first change
 * are kept whatever that read shows.
 *
 * Restoring (update dropping a setting, delete) only touches a setting that still holds the
 * value this stack set; a value an operator changed since is left alone with a warning.
 */
import { logCreatePreview, logDiffPreview } from "./preview";

import { newResourceId } from "../kernel/ids";
import { PartialStateError } from "../kernel/partialState";
import * as pulumi from "@pulumi/pulumi";

import {
    type CockroachSession,
    connectCockroach,
    type SessionTimeouts,
    sqlState,
} from "../cockroach";
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
    /** Where warnings go (a setting left alone because an operator changed it); default `pulumi.log.warn`. */
    warn: (message: string) => Promise<void> | void;
}

const DEFAULT_DEPS: ClusterSettingsProviderDeps = {
    sessionOptions: { connectMs: 10_000, statementMs: 30_000 },
    warn: (message) => pulumi.log.warn(message),
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

    /**
     * @param attempted collects every setting a SET or RESET was sent for, answered or not:
     * only these may have changed.
     */
    constructor(
        readonly sql: CockroachSession,
        readonly attempted: string[] = [],
    ) {}

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
        this.attempted.push(name);
        try {
            await this.sql.query(setClusterSetting(name, settingLiteral(type, value)));
        } catch (err) {
            throw settingError(name, "set", err, await this.user());
        }
    }

    async reset(name: string): Promise<void> {
        this.attempted.push(name);
        try {
            await this.sql.query(resetClusterSetting(name));
        } catch (err) {
            throw settingError(name, "reset", err, await this.user());
        }
    }

    /**
     * Puts `name` back as it was before this stack changed it (`mode` "restore": RESET when it
     * was at its default, else SET the prior value; "reset": RESET) — but only while the cluster
     * still holds `stackValue`, the value this stack set. Returns what happened.
     */
    async putBack(
        name: string,
        prior: PriorSetting,
        stackValue: SettingValue | undefined,
        current: CatalogEntry | undefined,
        mode: "restore" | "reset",
    ): Promise<PutBack> {
        const target: PriorSetting =
            mode === "reset" ? { ...prior, origin: "default", value: "" } : prior;
        if (current === undefined || holds(current, target)) return { kind: "unchanged" };
        // This stack's SET leaves the origin `override`; a default origin means someone RESET it
        // since, even when the default value happens to equal this stack's value.
        if (
            stackValue !== undefined &&
            (current.origin === "default" ||
                !settingValuesEqual(prior.type, stackValue, current.value))
        ) {
            return { kind: "left", current: describeCurrent(current) };
        }
        if (target.origin === "default") await this.reset(name);
        else await this.set(name, prior.type, prior.value);
        return { kind: "restored" };
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

/** What {@link SettingsSession.putBack} did. */
type PutBack = { kind: "restored" | "unchanged" } | { kind: "left"; current: string };

/** The current state for a warning: the value, and that it is the default when it is. */
function describeCurrent(current: CatalogEntry): string {
    return current.origin === "default"
        ? `'${current.value}' (RESET to its default)`
        : `'${current.value}'`;
}

/** True when `current` is the state `target` describes (a default, or that explicit value). */
function holds(current: CatalogEntry, target: PriorSetting): boolean {
    if (target.origin === "default") return current.origin === "default";
    return (
        current.origin !== "default" && settingValuesEqual(target.type, target.value, current.value)
    );
}

/** The warning for a setting left alone because it no longer holds this stack's value. */
function leftAloneWarning(
    name: string,
    prior: PriorSetting,
    stackValue: SettingValue | undefined,
    current: string,
): string {
    const before = prior.origin === "default" ? "its default" : `'${prior.value}'`;
    return (
        `cluster setting ${name} is now ${current}, not '${String(stackValue)}' as this stack set it: ` +
        `someone changed it after this stack did, so it is left as it is instead of being put back to ${before}. ` +
        `If ${before} is what you want, ${prior.origin === "default" ? `run RESET CLUSTER SETTING ${name}` : `run SET CLUSTER SETTING ${name} = '${prior.value}'`} ` +
        "(see README, Rolling back)."
    );
}

/** The connection reaches another cluster than the one a state belongs to; nothing was sent. */
class ClusterMismatchError extends Error {}

/** True when the outcome of the failure is known: the server answered (a SQLSTATE) or nothing was sent. */
function answered(err: unknown): boolean {
    return sqlState(err) !== undefined || err instanceof ClusterMismatchError;
}

/** What a failed create/update knew before the failure. */
interface FailureContext {
    id: string;
    inputs: ClusterSettingsInputs;
    /** Desired values, including settings an update was dropping and may not have restored. */
    desired: Record<string, SettingValue>;
    /** Prior value of every setting this operation may have changed, captured before any change. */
    previous: Record<string, PriorSetting>;
    types: Record<string, string>;
    clusterId: string;
    /** Settings changed with a server acknowledgement. */
    applied: readonly string[];
    /** Settings a SET or RESET was sent for, acknowledged or not. */
    attempted: readonly string[];
}

/**
 * The error for a create/update that failed part-way (`SET CLUSTER SETTING` is not
 * transactional). A failure the server answered with nothing applied is passed on as it is.
 * Otherwise the outcome of the last statement is unknown: the cluster is re-read on a new
 * session, and unless that proves nothing changed, a partial-state error records every prior
 * value captured before the first change (so the rerun never mistakes this stack's value for
 * the prior one) and the values now read.
 */
async function partialFailure(
    err: unknown,
    open: OpenSession,
    secrets: ReadonlyArray<string | undefined>,
    context: FailureContext,
): Promise<unknown> {
    // Nothing can have changed when no SET/RESET was sent, or when the only unacknowledged one
    // was answered with an error.
    if (context.attempted.length === 0) return err;
    if (answered(err) && context.applied.length === 0) return err;
    const { inputs, previous } = context;
    const names = Object.keys(context.desired);
    const reread = await open(inputs.connection, secrets, async (sql) => {
        const session = new SettingsSession(sql);
        const catalog = await session.catalog();
        return { catalog, values: await session.readBackQuietly(names) };
    }).catch(() => undefined);
    const changed = reread
        ? Object.entries(previous).filter(([name, prior]) => {
              const current = reread.catalog.get(name);
              return current !== undefined && !holds(current, prior);
          })
        : undefined;
    // No early return when the re-read shows nothing changed: an unanswered SET/RESET may still be
    // on its way (a stalled path, a server that runs it after the client gave up), so the prior
    // values captured before it are recorded whatever the re-read shows.
    const facts = [
        ...(context.applied.length > 0 ? [`already applied: ${context.applied.join(", ")}`] : []),
        reread
            ? `changed on the cluster now: ${changed?.map(([name]) => name).join(", ") || "nothing yet (a statement without an answer may still take effect, so the prior values are recorded)"}`
            : "the cluster could not be re-read, so every setting this step may have changed is recorded",
    ];
    return new PartialStateError(
        context.id,
        outputsOf(inputs, {
            desired: context.desired,
            previous,
            types: context.types,
            clusterId: context.clusterId,
            values: reread?.values ?? {},
        }) as unknown as Record<string, unknown>,
        [`${(err as Error).message} (${facts.join("; ")}; the next update converges)`],
    );
}

/** Refuses to act when `session` reaches another cluster than the one this state belongs to. */
async function requireSameCluster(
    session: SettingsSession,
    expected: string | undefined,
    action: string,
): Promise<string> {
    const clusterId = await session.clusterId();
    if (expected && clusterId !== expected) {
        throw new ClusterMismatchError(
            `the connection reaches CockroachDB cluster ${clusterId}, but these settings were applied to cluster ` +
                `${expected}. Refusing to ${action}: nothing was changed. Point the connection back at that ` +
                "cluster (a DNS name or load balancer may have moved), or, if the old cluster is gone for good, " +
                "remove the resource from the state with `pulumi state delete <urn>`.",
        );
    }
    return clusterId;
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
    open: OpenSession,
    inputs: ClusterSettingsInputs,
): Promise<pulumi.dynamic.CreateResult> {
    const id = newResourceId("clustersettings");
    const desired = desiredSettings(inputs);
    const names = Object.keys(desired);
    const previous: Record<string, PriorSetting> = {};
    const types: Record<string, string> = {};
    const applied: string[] = [];
    const attempted: string[] = [];
    let clusterId = "";
    try {
        return await open(inputs.connection, [], async (sql) => {
            const session = new SettingsSession(sql, attempted);
            clusterId = await session.clusterId();
            const catalog = await session.catalog();
            await capturePrevious(session, catalog, names, previous, types);
            await applyDesired(session, catalog, desired, types, applied);
            const values = await session.readBack(names);
            return {
                id,
                outs: outputsOf(inputs, { desired, values, previous, types, clusterId }),
            };
        });
    } catch (err) {
        throw await partialFailure(err, open, [], {
            id,
            inputs,
            desired,
            previous,
            types,
            clusterId,
            applied,
            attempted,
        });
    }
}

async function update(
    open: OpenSession,
    deps: ClusterSettingsProviderDeps,
    id: string,
    olds: ClusterSettingsOutputs,
    news: ClusterSettingsInputs,
): Promise<pulumi.dynamic.UpdateResult> {
    const secrets = [olds.connection];
    const desired = desiredSettings(news);
    const names = Object.keys(desired);
    const oldDesired = olds.desired ?? {};
    // Until confirmed, a dropped setting stays recorded (prior value and this stack's value).
    const previous: Record<string, PriorSetting> = { ...(olds.previous ?? {}) };
    const types: Record<string, string> = { ...(olds.types ?? {}) };
    const dropping: Record<string, SettingValue> = {};
    for (const name of Object.keys(previous)) {
        const value = oldDesired[name];
        if (!(name in desired) && value !== undefined) dropping[name] = value;
    }
    const applied: string[] = [];
    const attempted: string[] = [];
    const confirmed: string[] = [];
    let clusterId = olds.clusterId;
    try {
        const outs = await open(news.connection, secrets, async (sql) => {
            const session = new SettingsSession(sql, attempted);
            clusterId = await requireSameCluster(session, olds.clusterId, "update");
            const catalog = await session.catalog();
            await capturePrevious(session, catalog, names, previous, types);
            for (const [name, prior] of Object.entries(olds.previous ?? {})) {
                if (name in desired) continue;
                const outcome = await session.putBack(
                    name,
                    prior,
                    oldDesired[name],
                    catalog.get(name),
                    "restore",
                );
                if (outcome.kind === "restored") applied.push(name);
                if (outcome.kind === "left") {
                    await deps.warn(
                        leftAloneWarning(name, prior, oldDesired[name], outcome.current),
                    );
                }
                confirmed.push(name);
            }
            await applyDesired(session, catalog, desired, types, applied);
            const values = await session.readBack(names);
            for (const name of confirmed) {
                delete previous[name];
                delete types[name];
            }
            return outputsOf(news, { desired, values, previous, types, clusterId });
        });
        return { outs };
    } catch (err) {
        for (const name of confirmed) delete dropping[name];
        if (!answered(err) || applied.length > 0) {
            throw await partialFailure(err, open, secrets, {
                id,
                inputs: news,
                desired: { ...dropping, ...desired },
                previous,
                types,
                clusterId,
                applied,
                attempted,
            });
        }
        throw err;
    }
}

async function read(
    open: OpenSession,
    id: string,
    props: ClusterSettingsOutputs,
): Promise<pulumi.dynamic.ReadResult> {
    return open(props.connection, [], async (sql) => {
        const session = new SettingsSession(sql);
        await requireSameCluster(session, props.clusterId, "refresh");
        const values = await session.readBack(Object.keys(props.desired ?? {}));
        return { id, props: { ...props, values } };
    });
}

async function deleteSettings(
    open: OpenSession,
    deps: ClusterSettingsProviderDeps,
    props: ClusterSettingsOutputs,
): Promise<void> {
    const mode = props.onDelete ?? "restore";
    const managed = Object.entries(props.previous ?? {});
    if (mode === "retain" || managed.length === 0) return;
    await open(props.connection, [], async (sql) => {
        const session = new SettingsSession(sql);
        await requireSameCluster(session, props.clusterId, "delete");
        const catalog = await session.catalog();
        for (const [name, prior] of managed) {
            const stackValue = props.desired?.[name];
            const outcome = await session.putBack(name, prior, stackValue, catalog.get(name), mode);
            if (outcome.kind === "left") {
                await deps.warn(leftAloneWarning(name, prior, stackValue, outcome.current));
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
            update(open, deps, id, olds as ClusterSettingsOutputs, news as ClusterSettingsInputs),
        read: (id, props) => read(open, id, props as ClusterSettingsOutputs),
        delete: (_id, props) => deleteSettings(open, deps, props as ClusterSettingsOutputs),
    };
}

/** The ClusterSettings provider, loaded by `lazyProvider("dist/providers/clusterSettings/provider")`. */
export const provider: Required<pulumi.dynamic.ResourceProvider> = makeClusterSettingsProvider();
