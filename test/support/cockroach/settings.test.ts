import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { startCockroachTestServer, type CockroachTestServer } from "./index";
import { connect, rejects } from "./testHelpers";

describe("CockroachDB test server: cluster settings (§6.8, §6.9)", () => {
    let server: CockroachTestServer;
    let db: Client & { tags: string[] };

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer();
        db = await connect(server.url);
    });
    after(async () => {
        await db?.end();
        await server?.stop();
    });

    it("SHOW CLUSTER SETTING returns one typed column named like the setting", async () => {
        const bool = await db.query("SHOW CLUSTER SETTING kv.rangefeed.enabled");
        assert.deepEqual(
            bool.fields.map((f) => [f.name, f.dataTypeID]),
            [["kv.rangefeed.enabled", 16]],
        );
        assert.equal(bool.rows[0]["kv.rangefeed.enabled"], false);
        const int = await db.query(
            "SHOW CLUSTER SETTING kv.rangefeed.concurrent_catchup_iterators",
        );
        assert.equal(int.fields[0]?.dataTypeID, 20);
        assert.equal(int.rows[0]["kv.rangefeed.concurrent_catchup_iterators"], "16");
        const interval = await db.query({
            text: "SHOW CLUSTER SETTING kv.closed_timestamp.target_duration",
            rowMode: "array",
            types: { getTypeParser: () => (v: string) => v },
        });
        assert.equal(interval.fields[0]?.dataTypeID, 1186);
        assert.deepEqual(interval.rows, [["00:00:03"]]);
        assert.equal(db.tags.at(-1), "SHOW CLUSTER SETTING 1");
    });

    it("SET accepts =, TO, strings for durations, and SHOW prints intervals the PostgreSQL way", async () => {
        await db.query("SET CLUSTER SETTING kv.closed_timestamp.target_duration = '250ms'");
        assert.equal(db.tags.at(-1), "SET CLUSTER SETTING");
        await db.query(
            "SET CLUSTER SETTING kv.rangefeed.closed_timestamp_refresh_interval TO '96h'",
        );
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true");
        await db.query("SET CLUSTER SETTING kv.rangefeed.concurrent_catchup_iterators = 32");
        const raw = { rowMode: "array" as const, types: { getTypeParser: () => (v: string) => v } };
        const shown = async (name: string) =>
            (await db.query({ text: `SHOW CLUSTER SETTING ${name}`, ...raw })).rows[0]?.[0];
        assert.equal(await shown("kv.closed_timestamp.target_duration"), "00:00:00.25");
        assert.equal(await shown("kv.rangefeed.closed_timestamp_refresh_interval"), "96:00:00");
        assert.equal(await shown("KV.RANGEFEED.ENABLED"), "t");
        assert.equal(await shown("kv.rangefeed.concurrent_catchup_iterators"), "32");
    });

    it("SHOW ALL CLUSTER SETTINGS has the documented columns, text values and origins", async () => {
        const result = await db.query("SHOW ALL CLUSTER SETTINGS");
        assert.deepEqual(
            result.fields.map((f) => [f.name, f.dataTypeID]),
            [
                ["variable", 25],
                ["value", 25],
                ["setting_type", 25],
                ["public", 16],
                ["description", 25],
                ["default_value", 25],
                ["origin", 25],
            ],
        );
        const byName = new Map(result.rows.map((r) => [r.variable, r]));
        assert.deepEqual(
            ["value", "setting_type", "default_value", "origin"].map(
                (k) => byName.get("kv.closed_timestamp.target_duration")?.[k],
            ),
            ["250ms", "d", "3s", "override"],
        );
        assert.equal(
            byName.get("kv.rangefeed.closed_timestamp_refresh_interval")?.value,
            "96h0m0s",
        );
        assert.equal(byName.get("kv.rangefeed.enabled")?.value, "true");
        assert.equal(byName.get("changefeed.protect_timestamp.max_age")?.origin, "default");
        assert.equal(byName.get("kv.rangefeed.concurrent_catchup_iterators")?.public, false);
    });

    it("RESET and = DEFAULT restore the default and the origin", async () => {
        await db.query("RESET CLUSTER SETTING kv.closed_timestamp.target_duration");
        await db.query("SET CLUSTER SETTING kv.rangefeed.enabled = DEFAULT");
        const rows = (await db.query("SHOW ALL CLUSTER SETTINGS")).rows;
        const row = (name: string) => rows.find((r) => r.variable === name);
        assert.deepEqual(
            [
                row("kv.closed_timestamp.target_duration")?.value,
                row("kv.closed_timestamp.target_duration")?.origin,
            ],
            ["3s", "default"],
        );
        assert.deepEqual(
            [row("kv.rangefeed.enabled")?.value, row("kv.rangefeed.enabled")?.origin],
            ["false", "default"],
        );
    });

    it("accepts a placeholder value through the extended protocol", async () => {
        await db.query("SET CLUSTER SETTING kv.closed_timestamp.target_duration = $1", ["1s"]);
        const rows = (await db.query("SHOW ALL CLUSTER SETTINGS")).rows;
        assert.equal(
            rows.find((r) => r.variable === "kv.closed_timestamp.target_duration")?.value,
            "1s",
        );
        await db.query("RESET CLUSTER SETTING kv.closed_timestamp.target_duration");
    });

    it("rejects what CockroachDB rejects", async () => {
        // SHOW: errors.Errorf → no SQLSTATE (XXUUU); SET: pgcode.UndefinedParameter (42P02).
        // See docs/cockroachdb-behaviour.md, "Cluster settings".
        await rejects(
            db.query("SHOW CLUSTER SETTING no.such.setting"),
            "XXUUU",
            'unknown setting: "no.such.setting"',
        );
        await rejects(
            db.query("SET CLUSTER SETTING No.Such = 1"),
            "42P02",
            "unknown cluster setting 'no.such'",
        );
        await rejects(
            db.query("RESET CLUSTER SETTING no.such"),
            "42P02",
            "unknown cluster setting 'no.such'",
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.rangefeed.enabled = 1"),
            "42804",
            "argument of SET CLUSTER SETTING kv.rangefeed.enabled must be type bool, not type int",
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.rangefeed.enabled = 'maybe'"),
            "22P02",
            'could not parse "maybe" as type bool: invalid bool value',
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.closed_timestamp.target_duration = 5"),
            "42804",
            "argument of SET CLUSTER SETTING kv.closed_timestamp.target_duration must be type interval, not type int",
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.closed_timestamp.target_duration = '-1s'"),
            "XXUUU",
            "cannot be set to a negative duration: -1s",
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.closed_timestamp.target_duration = '1 day'"),
            "XXUUU",
            "cannot use day or month specifiers: '1 day'",
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.rangefeed.concurrent_catchup_iterators = 0"),
            "XXUUU",
            "cannot be set to a non-positive value: 0",
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.rangefeed.concurrent_catchup_iterators = 'lots'"),
            "22P02",
            'could not parse "lots" as type int: strconv.ParseInt: parsing "lots": invalid syntax',
        );
        await rejects(
            db.query("SET CLUSTER SETTING kv.rangefeed.enabled"),
            "42601",
            'at or near "EOF": syntax error',
        );
        await rejects(db.query("SHOW CLUSTER SETTING"), "42601", 'at or near "EOF": syntax error');
    });

    it("refuses SET CLUSTER SETTING inside a transaction and aborts it", async () => {
        await db.query("BEGIN");
        await rejects(
            db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true"),
            "XXUUU",
            "SET CLUSTER SETTING cannot be used inside a multi-statement transaction",
        );
        await rejects(
            db.query("SELECT 1"),
            "25P02",
            "current transaction is aborted, commands ignored until end of transaction block",
        );
        await db.query("ROLLBACK");
        await rejects(
            db.query("SET CLUSTER SETTING kv.rangefeed.enabled = true; SELECT 1"),
            "XXUUU",
            "SET CLUSTER SETTING cannot be used inside a multi-statement transaction",
        );
        assert.equal(
            (await db.query("SHOW CLUSTER SETTING kv.rangefeed.enabled")).rows[0][
                "kv.rangefeed.enabled"
            ],
            false,
        );
    });
});

describe("CockroachDB test server: virtual cluster settings (§6.8)", () => {
    let server: CockroachTestServer;
    let db: Client;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer({ virtualCluster: true });
        db = await connect(server.url);
    });
    after(async () => {
        await db?.end();
        await server?.stop();
    });

    it("system-visible settings are readable but only settable by the operator", async () => {
        const shown = await db.query("SHOW CLUSTER SETTING kv.closed_timestamp.target_duration");
        assert.equal(shown.rows.length, 1);
        for (const name of [
            "kv.rangefeed.enabled",
            "kv.closed_timestamp.target_duration",
            "kv.rangefeed.closed_timestamp_refresh_interval",
        ]) {
            await rejects(
                db.query(`SET CLUSTER SETTING ${name} = DEFAULT`),
                "42501",
                `setting ${name} is only settable by the operator`,
            );
        }
    });

    it("system-only settings do not exist there, not even for SHOW", async () => {
        const name = "kv.rangefeed.concurrent_catchup_iterators";
        await rejects(
            db.query(`SHOW CLUSTER SETTING ${name}`),
            "XXUUU",
            `unknown setting: "${name}"`,
        );
        await rejects(
            db.query(`SET CLUSTER SETTING ${name} = 32`),
            "42P02",
            `unknown cluster setting '${name}'`,
        );
        const all = await db.query("SHOW ALL CLUSTER SETTINGS");
        assert.ok(!all.rows.some((r) => r.variable === name));
    });

    it("application settings stay settable", async () => {
        await db.query("SET CLUSTER SETTING changefeed.protect_timestamp.max_age = '24h'");
        await db.query("SET CLUSTER SETTING sql.defaults.distsql = 'off'");
        const rows = (await db.query("SHOW ALL CLUSTER SETTINGS")).rows;
        assert.equal(
            rows.find((r) => r.variable === "changefeed.protect_timestamp.max_age")?.value,
            "24h0m0s",
        );
        assert.equal(rows.find((r) => r.variable === "sql.defaults.distsql")?.value, "off");
    });
});
