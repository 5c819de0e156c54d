/**
 * The cluster-settings half of "destroy leaves the database as found": every setting's value
 * and origin, as `SHOW ALL CLUSTER SETTINGS` lists them (the test server lists every setting it
 * models, with CockroachDB's `origin` column: `default` or `override`). Equal means equal: same
 * names, same value text, same origin — a setting SET back to its default value still differs
 * from one that was never set (origin `override` vs `default`).
 */
import { Client } from "pg";

/** Setting name → `value|origin`. */
export type SettingsSnapshot = Record<string, string>;

/** Reads the snapshot on a fresh session to `url` (an admin URL of the cluster). */
export async function snapshotClusterSettings(url: string): Promise<SettingsSnapshot> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on("error", () => undefined);
    await client.connect();
    try {
        const { rows } = await client.query<{ variable: string; value: string; origin?: string }>(
            "SHOW ALL CLUSTER SETTINGS",
        );
        const snapshot: SettingsSnapshot = {};
        for (const row of rows) {
            if (row.origin === undefined) {
                throw new Error("SHOW ALL CLUSTER SETTINGS has no origin column on this server");
            }
            snapshot[row.variable] = `${row.value}|${row.origin}`;
        }
        return snapshot;
    } finally {
        await client.end().catch(() => undefined);
    }
}

/** The settings whose value or origin differ, as `name: before → after` lines (empty when equal). */
export function settingsDifferences(before: SettingsSnapshot, after: SettingsSnapshot): string[] {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...names]
        .sort()
        .filter((name) => before[name] !== after[name])
        .map((name) => `${name}: ${before[name] ?? "<absent>"} → ${after[name] ?? "<absent>"}`);
}
