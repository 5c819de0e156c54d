import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    logCreatePreview,
    logDiffPreview,
    plannedCreateSql,
    plannedUpdateSql,
} from "../../../src/providers/clusterSettings/preview";
import type { ClusterSettingsOutputs } from "../../../src/providers/clusterSettings/types";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

const PASSWORD = "Cl5ter-Pa55word";
const CONNECTION = `postgresql://root:${PASSWORD}@crdb.example:26257/defaultdb?sslmode=verify-full`;

const sqlOf = (statements: { sql: string }[]) => statements.map((s) => s.sql);

function state(overrides: Partial<ClusterSettingsOutputs> = {}): ClusterSettingsOutputs {
    return {
        connection: CONNECTION,
        stateVersion: 1,
        desired: { "kv.rangefeed.enabled": true, "jobs.retention_time": "72h" },
        values: { "kv.rangefeed.enabled": true, "jobs.retention_time": "72:00:00" },
        previous: {
            "kv.rangefeed.enabled": { value: "false", origin: "default", type: "b" },
            "jobs.retention_time": { value: "336h0m0s", origin: "override", type: "d" },
        },
        types: { "kv.rangefeed.enabled": "b", "jobs.retention_time": "d" },
        clusterId: "cluster-1",
        settings: { "jobs.retention_time": "72h" },
        ...overrides,
    };
}

describe("ClusterSettings planned SQL", () => {
    it("create reads every setting, then SETs each desired one unless it already holds", () => {
        const planned = plannedCreateSql({
            connection: CONNECTION,
            closedTimestampTargetDuration: "1s",
            concurrentCatchupIterators: 64,
            settings: { "jobs.retention_time": "72h" },
        });
        assert.deepEqual(sqlOf(planned), [
            "SELECT crdb_internal.cluster_id()",
            "SHOW ALL CLUSTER SETTINGS",
            "SET CLUSTER SETTING kv.rangefeed.enabled = true",
            "SET CLUSTER SETTING kv.closed_timestamp.target_duration = '1s'",
            "SET CLUSTER SETTING kv.rangefeed.concurrent_catchup_iterators = 64",
            "SET CLUSTER SETTING jobs.retention_time = '72h'",
        ]);
        assert.match(
            planned[2]!.note ?? "",
            /skipped if the current value already holds \(resolved at apply\)/,
        );
    });

    it("create shows unknown values as unknown until apply", () => {
        const logged: string[] = [];
        logCreatePreview({}, { connection: UNKNOWN, closedTimestampTargetDuration: UNKNOWN }, (t) =>
            logged.push(t),
        );
        assert.equal(logged.length, 1);
        assert.match(logged[0]!, /ClusterSettings <unknown until apply>/);
        assert.match(
            logged[0]!,
            /SET CLUSTER SETTING kv\.closed_timestamp\.target_duration = '<unknown until apply>';/,
        );
        assert.ok(!logged[0]!.includes(UNKNOWN));
    });

    it("update SETs what changed and restores a removed setting from state", () => {
        const planned = plannedUpdateSql(state(), {
            connection: CONNECTION,
            closedTimestampRefreshInterval: "250ms",
        });
        assert.deepEqual(sqlOf(planned), [
            "SELECT crdb_internal.cluster_id()",
            "SHOW ALL CLUSTER SETTINGS",
            "SET CLUSTER SETTING jobs.retention_time = '336h0m0s'",
            "SET CLUSTER SETTING kv.rangefeed.closed_timestamp_refresh_interval = '250ms'",
        ]);
        assert.match(planned[2]!.note ?? "", /value it had before this stack/);
        assert.match(planned[3]!.note ?? "", /recorded as previous first/);
    });

    it("update RESETs a removed setting that was at its default, and skips equal values", () => {
        const planned = plannedUpdateSql(state(), {
            connection: CONNECTION,
            rangefeedEnabled: false,
            settings: { "jobs.retention_time": "72h" },
        });
        assert.deepEqual(sqlOf(planned).slice(2), [
            "SET CLUSTER SETTING kv.rangefeed.enabled = false",
        ]);
        const removed = plannedUpdateSql(
            state({ previous: { "kv.x.y": { value: "1", origin: "default", type: "i" } } }),
            { connection: CONNECTION, settings: { "jobs.retention_time": "72h" } },
        );
        assert.deepEqual(sqlOf(removed).slice(2), ["RESET CLUSTER SETTING kv.x.y"]);
    });

    it("update with nothing to set plans no SQL", () => {
        assert.deepEqual(
            plannedUpdateSql(state(), {
                connection: CONNECTION,
                settings: { "jobs.retention_time": "72h" },
                onDelete: "retain",
            }),
            [],
        );
    });

    it("the logged preview names the server, never the connection string or password", () => {
        const logged: string[] = [];
        logCreatePreview({}, { connection: CONNECTION }, (t) => logged.push(t));
        logDiffPreview(
            state(),
            { connection: CONNECTION, rangefeedEnabled: false },
            { changes: true },
            (t) => logged.push(t),
        );
        logDiffPreview(
            state(),
            { connection: CONNECTION.replace("crdb.example", "other") },
            { changes: true, replaces: ["connection"] },
            (t) => logged.push(t),
        );
        assert.equal(logged.length, 3);
        for (const text of logged) {
            assert.match(text, /ClusterSettings (crdb\.example|other):26257\/defaultdb/);
            assert.ok(!text.includes(PASSWORD));
            assert.ok(!text.includes("postgresql://"));
        }
        assert.match(logged[2]!, /replacement/);
    });

    it("logs nothing from check for an existing resource, or from diff without changes", () => {
        const logged: string[] = [];
        logCreatePreview({ connection: CONNECTION }, { connection: CONNECTION }, (t) =>
            logged.push(t),
        );
        logDiffPreview(state(), { connection: CONNECTION }, { changes: false }, (t) =>
            logged.push(t),
        );
        assert.deepEqual(logged, []);
    });
});
