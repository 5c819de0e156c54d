/**
 * A ClusterSettings session: the catalog, SHOW/SET/RESET of one setting with errors that say
 * what to do, and putting a setting back only while it still holds this stack's value.
 */
import type { CockroachSession } from "../../cockroach";
import { settingError } from "../errors";
import {
    SELECT_CLUSTER_ID,
    SELECT_CURRENT_USER,
    resetClusterSetting,
    setClusterSetting,
    SHOW_ALL_CLUSTER_SETTINGS,
    showClusterSetting,
} from "../sql";
import type { PriorSetting, SettingValue } from "../types";
import { readBackValue, settingLiteral, settingValuesEqual } from "../values";

/** One row of SHOW ALL CLUSTER SETTINGS. */
export interface CatalogEntry {
    value: string;
    type: string;
    origin: string;
}

/** A session plus the connecting user's name, looked up only when an error needs it. */
export class SettingsSession {
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
export type PutBack = { kind: "restored" | "unchanged" } | { kind: "left"; current: string };

/** The current state for a warning: the value, and that it is the default when it is. */
function describeCurrent(current: CatalogEntry): string {
    return current.origin === "default"
        ? `'${current.value}' (RESET to its default)`
        : `'${current.value}'`;
}

/** True when `current` is the state `target` describes (a default, or that explicit value). */
export function holds(current: CatalogEntry, target: PriorSetting): boolean {
    if (target.origin === "default") return current.origin === "default";
    return (
        current.origin !== "default" && settingValuesEqual(target.type, target.value, current.value)
    );
}

/** The warning for a setting left alone because it no longer holds this stack's value. */
export function leftAloneWarning(
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
