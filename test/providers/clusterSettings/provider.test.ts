import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";

import { PartialStateError } from "../../../src/providers/kernel/partialState";
import { provider } from "../../../src/providers/clusterSettings/provider";
import type { ClusterSettingsOutputs } from "../../../src/providers/clusterSettings/types";
import { type CockroachTestServer, startCockroachTestServer } from "../../support/cockroach";
import { runSql } from "../../support/cockroach/testHelpers";
import { POSTGRES_ADMIN_URL, requireService } from "../../support/services";

const REFRESH = "kv.rangefeed.closed_timestamp_refresh_interval";
const TARGET = "kv.closed_timestamp.target_duration";
const RANGEFEED = "kv.rangefeed.enabled";

const servers: CockroachTestServer[] = [];

async function newServer(
    options: Parameters<typeof startCockroachTestServer>[0] = {},
): Promise<CockroachTestServer> {
    const server = await startCockroachTestServer(options);
    servers.push(server);
    return server;
}

/** Runs statements on the test server as root (the operator, out of band). */
function sql(
    server: CockroachTestServer,
    ...statements: string[]
): Promise<Record<string, unknown>[]> {
    return runSql(server.url, statements);
}

/** Statements the provider sent since `mark` that change settings. */
function writesSince(server: CockroachTestServer, mark: number): string[] {
    return server.statements.slice(mark).filter((s) => /^(SET|RESET) CLUSTER SETTING/i.test(s));
}

async function create(
    inputs: Record<string, unknown>,
): Promise<{ id: string; outs: ClusterSettingsOutputs }> {
    const result = await provider.create(inputs);
    return { id: result.id, outs: result.outs as ClusterSettingsOutputs };
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
});

afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
});

after(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe("ClusterSettings provider against the CockroachDB test server", () => {
    it("create records previous values, sets what differs, and reads back typed values", async () => {
        const server = await newServer();
        const mark = server.statements.length;
        const { outs } = await create({
            connection: server.url,
            closedTimestampRefreshInterval: "250ms",
            settings: { "jobs.retention_time": "72h" },
        });
        assert.deepEqual(writesSince(server, mark), [
            `SET CLUSTER SETTING ${RANGEFEED} = true`,
            `SET CLUSTER SETTING ${REFRESH} = '250ms'`,
            "SET CLUSTER SETTING jobs.retention_time = '72h'",
        ]);
        assert.equal(outs.values[RANGEFEED], true);
        assert.equal(outs.values[REFRESH], "00:00:00.25");
        assert.equal(outs.values["jobs.retention_time"], "72:00:00");
        assert.deepEqual(outs.previous[RANGEFEED], {
            value: "false",
            origin: "default",
            type: "b",
        });
        assert.deepEqual(outs.previous[REFRESH], { value: "3s", origin: "default", type: "d" });
        assert.equal(outs.stateVersion, 1);
        assert.match(outs.clusterId, /^[0-9a-f-]{36}$/);
        // Nothing more to do: the same inputs diff as no change.
        assert.deepEqual(
            await provider.diff("x", outs, {
                connection: server.url,
                closedTimestampRefreshInterval: "250ms",
                settings: { "jobs.retention_time": "72h" },
            }),
            { changes: false },
        );
    });

    it("issues no SET when the value already holds (durations compared normalized)", async () => {
        const server = await newServer();
        await sql(
            server,
            `SET CLUSTER SETTING ${RANGEFEED} = true`,
            `SET CLUSTER SETTING ${REFRESH} = '250ms'`,
        );
        const mark = server.statements.length;
        const { outs } = await create({
            connection: server.url,
            closedTimestampRefreshInterval: "00:00:00.25",
            closedTimestampTargetDuration: "3s",
        });
        assert.deepEqual(writesSince(server, mark), []);
        assert.ok(server.statements.slice(mark).includes("SHOW ALL CLUSTER SETTINGS"));
        assert.deepEqual(outs.previous[RANGEFEED], {
            value: "true",
            origin: "override",
            type: "b",
        });
        assert.deepEqual(outs.previous[TARGET], { value: "3s", origin: "default", type: "d" });
    });

    it("read shows drift, diff reports it, update repairs it", async () => {
        const server = await newServer();
        const inputs = { connection: server.url, closedTimestampRefreshInterval: "250ms" };
        const { id, outs } = await create(inputs);
        await sql(server, `SET CLUSTER SETTING ${REFRESH} = '5s'`);
        const refreshed = (await provider.read(id, outs)).props as ClusterSettingsOutputs;
        assert.equal(refreshed.values[REFRESH], "00:00:05");
        assert.deepEqual(await provider.diff(id, refreshed, inputs), { changes: true });
        const mark = server.statements.length;
        const updated = (await provider.update(id, refreshed, inputs))
            .outs as ClusterSettingsOutputs;
        assert.deepEqual(writesSince(server, mark), [`SET CLUSTER SETTING ${REFRESH} = '250ms'`]);
        assert.equal(updated.values[REFRESH], "00:00:00.25");
        // The prior value is the one from before this resource first changed it, not the drift.
        assert.deepEqual(updated.previous[REFRESH], { value: "3s", origin: "default", type: "d" });
    });

    it("update restores a removed setting and records the previous value of an added one", async () => {
        const server = await newServer();
        await sql(server, "SET CLUSTER SETTING jobs.retention_time = '48h'");
        const { id, outs } = await create({
            connection: server.url,
            closedTimestampRefreshInterval: "250ms",
            settings: { "jobs.retention_time": "72h" },
        });
        await sql(server, `SET CLUSTER SETTING ${TARGET} = '2s'`);
        const mark = server.statements.length;
        const updated = (
            await provider.update(id, outs, {
                connection: server.url,
                closedTimestampTargetDuration: "1s",
            })
        ).outs as ClusterSettingsOutputs;
        assert.deepEqual(writesSince(server, mark), [
            `RESET CLUSTER SETTING ${REFRESH}`,
            "SET CLUSTER SETTING jobs.retention_time = '48h0m0s'",
            `SET CLUSTER SETTING ${TARGET} = '1s'`,
        ]);
        assert.deepEqual(Object.keys(updated.previous).sort(), [TARGET, RANGEFEED].sort());
        assert.deepEqual(updated.previous[TARGET], { value: "2s", origin: "override", type: "d" });
        assert.deepEqual(Object.keys(updated.values).sort(), [TARGET, RANGEFEED].sort());
    });

    it("delete with onDelete restore: RESET when the prior origin was default, SET the prior value otherwise", async () => {
        const server = await newServer();
        await sql(server, "SET CLUSTER SETTING jobs.retention_time = '48h'");
        const { id, outs } = await create({
            connection: server.url,
            closedTimestampRefreshInterval: "250ms",
            settings: { "jobs.retention_time": "72h" },
        });
        const mark = server.statements.length;
        await provider.delete(id, outs);
        assert.deepEqual(writesSince(server, mark), [
            `RESET CLUSTER SETTING ${RANGEFEED}`,
            `RESET CLUSTER SETTING ${REFRESH}`,
            "SET CLUSTER SETTING jobs.retention_time = '48h0m0s'",
        ]);
        const [row] = await sql(server, `SHOW CLUSTER SETTING ${RANGEFEED}`);
        assert.equal(row?.[RANGEFEED], false);
        // Idempotent: a second delete finds everything restored and changes nothing.
        const second = server.statements.length;
        await provider.delete(id, outs);
        assert.deepEqual(writesSince(server, second), []);
    });

    it("delete with onDelete reset resets every managed setting; retain leaves them", async () => {
        const server = await newServer();
        await sql(server, "SET CLUSTER SETTING jobs.retention_time = '48h'");
        const reset = await create({
            connection: server.url,
            settings: { "jobs.retention_time": "72h" },
            onDelete: "reset",
        });
        let mark = server.statements.length;
        await provider.delete(reset.id, reset.outs);
        assert.deepEqual(writesSince(server, mark), [
            `RESET CLUSTER SETTING ${RANGEFEED}`,
            "RESET CLUSTER SETTING jobs.retention_time",
        ]);

        const retain = await create({
            connection: server.url,
            closedTimestampRefreshInterval: "250ms",
            onDelete: "retain",
        });
        mark = server.statements.length;
        await provider.delete(retain.id, retain.outs);
        assert.deepEqual(writesSince(server, mark), []);
        const [row] = await sql(server, `SHOW CLUSTER SETTING ${REFRESH}`);
        assert.equal(row?.[REFRESH], "00:00:00.25");
    });

    it("a new connection to the same cluster is an update; another cluster is refused by update", async () => {
        const server = await newServer();
        await sql(
            server,
            "CREATE USER operator2",
            "GRANT SYSTEM MODIFYCLUSTERSETTING TO operator2",
        );
        const { id, outs } = await create({
            connection: server.url,
            closedTimestampRefreshInterval: "250ms",
        });
        const news = {
            connection: server.urlFor("operator2"),
            closedTimestampRefreshInterval: "1s",
        };
        assert.deepEqual(await provider.diff(id, outs, news), { changes: true });
        const updated = (await provider.update(id, outs, news)).outs as ClusterSettingsOutputs;
        assert.equal(updated.connection, news.connection);
        assert.equal(updated.values[REFRESH], "00:00:01");

        const other = await newServer();
        await assert.rejects(
            provider.update(id, updated, {
                connection: other.url,
                closedTimestampRefreshInterval: "1s",
            }),
            (err: Error) => {
                assert.match(
                    err.message,
                    /reaches CockroachDB cluster .* but these settings were applied to cluster/,
                );
                return true;
            },
        );
    });

    it("throws a PartialStateError recording what was applied when a later SET fails", async () => {
        const server = await newServer();
        const err = await provider
            .create({
                connection: server.url,
                closedTimestampRefreshInterval: "250ms",
                settings: { "jobs.retention_time": "not-a-duration" },
            })
            .then(
                () => assert.fail("create should fail"),
                (e: unknown) => e,
            );
        assert.ok(err instanceof PartialStateError, String(err));
        const props = err.properties as unknown as ClusterSettingsOutputs;
        assert.ok(err.id.startsWith("clustersettings-"));
        assert.equal(props.values[REFRESH], "00:00:00.25");
        assert.deepEqual(props.previous[REFRESH], { value: "3s", origin: "default", type: "d" });
        assert.match(
            err.reasons[0]!,
            /cannot set cluster setting jobs\.retention_time: .*already applied: kv\.rangefeed\.enabled, kv\.rangefeed\.closed_timestamp_refresh_interval/,
        );
        // The next up converges from that state.
        const fixed = (
            await provider.update(err.id, props, {
                connection: server.url,
                closedTimestampRefreshInterval: "250ms",
            })
        ).outs as ClusterSettingsOutputs;
        assert.equal(fixed.values[REFRESH], "00:00:00.25");
    });

    it("a user without MODIFYCLUSTERSETTING is told the GRANT to run", async () => {
        const server = await newServer();
        await sql(server, "CREATE USER viewer", "GRANT SYSTEM VIEWCLUSTERSETTING TO viewer");
        await assert.rejects(
            provider.create({ connection: server.urlFor("viewer") }),
            (err: Error) => {
                assert.match(err.message, /lacks the MODIFYCLUSTERSETTING privilege/);
                assert.match(err.message, /GRANT SYSTEM MODIFYCLUSTERSETTING TO "viewer";/);
                return true;
            },
        );
    });
});

describe("ClusterSettings on a CockroachDB Cloud virtual cluster", () => {
    it("skips kv.rangefeed.enabled (already true) and turns 'only settable by the operator' into guidance", async () => {
        const server = await newServer({ virtualCluster: true });
        const mark = server.statements.length;
        await assert.rejects(
            provider.create({ connection: server.url, closedTimestampRefreshInterval: "250ms" }),
            (err: Error) => {
                assert.match(err.message, /CockroachDB Cloud Basic\/Standard virtual cluster/);
                assert.match(err.message, /Rangefeeds are already enabled/);
                assert.match(
                    err.message,
                    /remove closedTimestampRefreshInterval from the ClusterSettings args/,
                );
                assert.ok(!(err instanceof PartialStateError));
                return true;
            },
        );
        assert.deepEqual(writesSince(server, mark), [`SET CLUSTER SETTING ${REFRESH} = '250ms'`]);
        // With only the default rangefeedEnabled the resource works there: nothing to set.
        const { outs } = await create({ connection: server.url });
        assert.equal(outs.values[RANGEFEED], true);
    });

    it("explains the system-only concurrent_catchup_iterators (42P02 on SET, XXUUU on SHOW)", async () => {
        const server = await newServer({ virtualCluster: true });
        await assert.rejects(
            provider.create({ connection: server.url, concurrentCatchupIterators: 32 }),
            (err: Error) => {
                assert.match(err.message, /kv\.rangefeed\.concurrent_catchup_iterators/);
                assert.match(
                    err.message,
                    /CockroachDB Cloud Basic\/Standard virtual cluster, where it is a system-only setting/,
                );
                assert.match(
                    err.message,
                    /remove concurrentCatchupIterators from the ClusterSettings args/,
                );
                return true;
            },
        );
    });
});
