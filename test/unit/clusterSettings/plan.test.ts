import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { checkClusterSettings } from "../../../src/providers/clusterSettings/check";
import { diffClusterSettings } from "../../../src/providers/clusterSettings/diff";
import {
    desiredSettings,
    normalizeSettingValue,
    readBackValue,
    settingLiteral,
    settingValuesEqual,
} from "../../../src/providers/clusterSettings/values";
import type { ClusterSettingsOutputs } from "../../../src/providers/clusterSettings/types";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";
import { parseDuration } from "../../../src/providers/cockroach";

describe("setting value normalization", () => {
    it("compares durations however they are written", () => {
        assert.ok(settingValuesEqual("d", "250ms", "00:00:00.25"));
        assert.ok(settingValuesEqual("d", "3s", "00:00:03"));
        assert.ok(settingValuesEqual("d", "96h0m0s", "96:00:00"));
        assert.ok(settingValuesEqual("d", "1m30s", "90s"));
        assert.ok(settingValuesEqual("d", "0", "00:00:00"));
        assert.ok(!settingValuesEqual("d", "250ms", "00:00:00.5"));
        assert.equal(parseDuration("-00:00:03"), -3_000_000_000n);
        assert.equal(parseDuration("1.5s"), 1_500_000_000n);
        assert.equal(parseDuration("250"), undefined);
        assert.equal(parseDuration("1d"), undefined);
    });

    it("compares bools, ints, floats and byte sizes by value", () => {
        assert.ok(settingValuesEqual("b", true, "true"));
        assert.ok(!settingValuesEqual("b", true, "false"));
        assert.ok(settingValuesEqual("i", 16, "16"));
        assert.ok(settingValuesEqual("i", "016", 16));
        assert.ok(settingValuesEqual("f", "0.50", 0.5));
        assert.ok(settingValuesEqual("z", "16 MiB", "16777216"));
        assert.ok(settingValuesEqual("s", "x", "x"));
        assert.equal(normalizeSettingValue("b", "yes"), undefined);
    });

    it("renders literals per type", () => {
        assert.equal(settingLiteral("b", true), "true");
        assert.equal(settingLiteral("i", 16), "16");
        assert.equal(settingLiteral("d", "250ms"), "'250ms'");
        assert.equal(settingLiteral("s", "it's"), "'it''s'");
        assert.equal(settingLiteral("f", 0.5), "'0.5'");
    });

    it("keeps read-back values typed", () => {
        assert.equal(readBackValue(true), true);
        assert.equal(readBackValue("16"), 16);
        assert.equal(readBackValue("00:00:00.25"), "00:00:00.25");
    });

    it("plans the named args (rangefeedEnabled defaults to true) plus settings", () => {
        assert.deepEqual(
            desiredSettings({
                connection: "x",
                closedTimestampRefreshInterval: "250ms",
                settings: { "Jobs.Retention_Time": "72h" },
            }),
            {
                "kv.rangefeed.enabled": true,
                "kv.rangefeed.closed_timestamp_refresh_interval": "250ms",
                "jobs.retention_time": "72h",
            },
        );
    });
});

describe("ClusterSettings check", () => {
    it("accepts valid inputs and unknown values", () => {
        assert.equal(
            checkClusterSettings({
                connection: "postgresql://root@crdb:26257/defaultdb",
                rangefeedEnabled: true,
                closedTimestampRefreshInterval: "250ms",
                closedTimestampTargetDuration: "1s",
                concurrentCatchupIterators: 32,
                settings: { "jobs.retention_time": "72h", "sql.defaults.distsql": "on" },
                onDelete: "reset",
            }).failures,
            undefined,
        );
        assert.equal(
            checkClusterSettings({ connection: UNKNOWN, settings: UNKNOWN }).failures,
            undefined,
        );
    });

    it("reports every problem at once, naming the property", () => {
        assert.deepEqual(
            checkClusterSettings({
                connection: "postgresql://root:s3cret@",
                rangefeedEnabled: "yes",
                closedTimestampRefreshInterval: "250",
                closedTimestampTargetDuration: "-1s",
                concurrentCatchupIterators: 0,
                settings: {
                    "not a name": 1,
                    "kv.rangefeed.enabled": true,
                    "jobs.retention_time": "3 days",
                    "changefeed.sink_io_workers": 1.5,
                    "x.y": { nested: true },
                },
                onDelete: "forget",
            }).failures,
            [
                {
                    property: "",
                    reason: "connection: must be a CockroachDB SQL URL such as postgresql://user:password@host:26257/defaultdb?sslmode=verify-full",
                },
                {
                    property: "rangefeedEnabled",
                    reason: "kv.rangefeed.enabled takes a boolean (true or false)",
                },
                {
                    property: "closedTimestampRefreshInterval",
                    reason: "kv.rangefeed.closed_timestamp_refresh_interval takes a duration such as '250ms', '3s' or '1m30s' (no day units)",
                },
                {
                    property: "closedTimestampTargetDuration",
                    reason: "kv.closed_timestamp.target_duration cannot be negative",
                },
                {
                    property: "concurrentCatchupIterators",
                    reason: "kv.rangefeed.concurrent_catchup_iterators must be a positive integer",
                },
                {
                    property: 'settings["not a name"]',
                    reason: '"not a name" is not a cluster setting name: names are dot-separated lower-case words such as kv.rangefeed.enabled',
                },
                {
                    property: 'settings["kv.rangefeed.enabled"]',
                    reason: "kv.rangefeed.enabled is also set by rangefeedEnabled; set it in one place only",
                },
                {
                    property: 'settings["jobs.retention_time"]',
                    reason: "jobs.retention_time takes a duration such as '250ms', '3s' or '1m30s' (no day units)",
                },
                {
                    property: 'settings["changefeed.sink_io_workers"]',
                    reason: "changefeed.sink_io_workers takes an integer",
                },
                { property: 'settings["x.y"]', reason: "must be a string, number or boolean" },
                {
                    property: "onDelete",
                    reason: 'must be "restore" (default), "reset" or "retain"',
                },
            ],
        );
    });
});

describe("ClusterSettings diff", () => {
    const olds: ClusterSettingsOutputs = {
        connection: "postgresql://root:old@crdb:26257/defaultdb",
        closedTimestampRefreshInterval: "250ms",
        onDelete: "restore",
        stateVersion: 1,
        desired: {
            "kv.rangefeed.enabled": true,
            "kv.rangefeed.closed_timestamp_refresh_interval": "250ms",
        },
        values: {
            "kv.rangefeed.enabled": true,
            "kv.rangefeed.closed_timestamp_refresh_interval": "00:00:00.25",
        },
        previous: {},
        types: {
            "kv.rangefeed.enabled": "b",
            "kv.rangefeed.closed_timestamp_refresh_interval": "d",
        },
        clusterId: "c",
    };
    const news = { connection: olds.connection, closedTimestampRefreshInterval: "250ms" };

    it("no change when the read-back values equal the args (normalized)", () => {
        assert.deepEqual(diffClusterSettings(olds, news), { changes: false });
    });

    it("reports drift seen by refresh as a change", () => {
        const drifted = { ...olds, values: { ...olds.values, "kv.rangefeed.enabled": false } };
        assert.deepEqual(diffClusterSettings(drifted, news), { changes: true });
    });

    it("a new value, an added or removed setting, or a new onDelete is an update", () => {
        assert.deepEqual(
            diffClusterSettings(olds, { ...news, closedTimestampRefreshInterval: "1s" }),
            { changes: true },
        );
        assert.deepEqual(
            diffClusterSettings(olds, { ...news, settings: { "jobs.retention_time": "72h" } }),
            {
                changes: true,
            },
        );
        assert.deepEqual(diffClusterSettings(olds, { connection: olds.connection }), {
            changes: true,
        });
        assert.deepEqual(diffClusterSettings(olds, { ...news, onDelete: "retain" }), {
            changes: true,
        });
    });

    it("a new connection to the same host:port/database is an update; another cluster replaces, delete first", () => {
        assert.deepEqual(
            diffClusterSettings(olds, {
                ...news,
                connection: "postgresql://admin:new@CRDB:26257/defaultdb?sslmode=require",
            }),
            { changes: true },
        );
        assert.deepEqual(
            diffClusterSettings(olds, {
                ...news,
                connection: "postgresql://root:old@crdb2:26257/defaultdb",
            }),
            {
                changes: true,
                replaces: ["connection"],
                deleteBeforeReplace: true,
            },
        );
        assert.deepEqual(
            diffClusterSettings(olds, {
                ...news,
                connection: "postgresql://root:old@crdb:26258/defaultdb",
            }),
            {
                changes: true,
                replaces: ["connection"],
                deleteBeforeReplace: true,
            },
        );
    });

    it("an unknown connection in preview is an update, decided at apply", () => {
        assert.deepEqual(diffClusterSettings(olds, { ...news, connection: UNKNOWN }), {
            changes: true,
        });
    });
});
