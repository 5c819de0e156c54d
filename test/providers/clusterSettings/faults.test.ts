/**
 * ClusterSettings under the faults of issue 11 on the CockroachDB test server: a lost
 * acknowledgement after SET CLUSTER SETTING, a connection that now reaches another cluster,
 * an operator's change after create, and connection query parameters that would redirect pg.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";

import { makeClusterSettingsProvider } from "../../../src/providers/clusterSettings/provider";
import type { ClusterSettingsOutputs } from "../../../src/providers/clusterSettings/types";
import { PartialStateError } from "../../../src/providers/kernel/partialState";
import { type CockroachTestServer, startCockroachTestServer } from "../../support/cockroach";
import { runSql } from "../../support/cockroach/testHelpers";
import { startStatementProxy, type StatementProxy } from "../../support/faults/statementProxy";
import { POSTGRES_ADMIN_URL, requireService } from "../../support/services";
import {
    settingsDifferences,
    snapshotClusterSettings,
} from "../../support/snapshot/cockroachSettings";

const RANGEFEED = "kv.rangefeed.enabled";
const REFRESH = "kv.rangefeed.closed_timestamp_refresh_interval";

const warnings: string[] = [];
const provider = makeClusterSettingsProvider({
    sessionOptions: { connectMs: 3000, statementMs: 5000 },
    warn: (message) => {
        warnings.push(message);
    },
});

const servers: CockroachTestServer[] = [];
const proxies: StatementProxy[] = [];

async function newServer(): Promise<CockroachTestServer> {
    const server = await startCockroachTestServer();
    servers.push(server);
    return server;
}

async function proxyFor(server: CockroachTestServer): Promise<StatementProxy> {
    const proxy = await startStatementProxy({ protocol: "pgwire", targetPort: server.port });
    proxies.push(proxy);
    return proxy;
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
});
afterEach(async () => {
    warnings.length = 0;
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
});
after(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe("ClusterSettings: a lost acknowledgement (issue 11 item 3)", () => {
    it("SET applied but unanswered: the rerun keeps the real prior value, destroy restores value and origin", async () => {
        const server = await newServer();
        const proxy = await proxyFor(server);
        const before = await snapshotClusterSettings(server.url);
        const inputs = {
            connection: proxy.urlFor(server.url),
            closedTimestampRefreshInterval: "250ms",
        };
        proxy.armCut({ statement: 3, when: "after" }); // cluster id, SHOW ALL, first SET
        const err = await provider.create(inputs).then(
            () => assert.fail("create should fail"),
            (e: unknown) => e,
        );
        assert.deepEqual(
            proxy.fired.map((f) => f.text),
            [`SET CLUSTER SETTING ${RANGEFEED} = true`],
        );
        assert.ok(err instanceof PartialStateError, String(err));
        const props = err.properties as unknown as ClusterSettingsOutputs;
        assert.deepEqual(props.previous[RANGEFEED], {
            value: "false",
            origin: "default",
            type: "b",
        });

        const rerun = (await provider.update(err.id, props, inputs)).outs as ClusterSettingsOutputs;
        assert.deepEqual(rerun.previous[RANGEFEED], {
            value: "false",
            origin: "default",
            type: "b",
        });
        assert.equal(rerun.values[REFRESH], "00:00:00.25");
        await provider.delete(err.id, rerun);
        assert.deepEqual(
            settingsDifferences(before, await snapshotClusterSettings(server.url)),
            [],
        );
    });
});

describe("ClusterSettings: the connection reaches another cluster (issue 11 item 6)", () => {
    it("refresh and destroy refuse, and the other cluster is left untouched", async () => {
        const first = await newServer();
        const second = await newServer();
        const { id, outs } = await provider.create({
            connection: first.url,
            closedTimestampRefreshInterval: "250ms",
        });
        const moved = { ...(outs as ClusterSettingsOutputs), connection: second.url };
        await runSql(second.url, [`SET CLUSTER SETTING ${RANGEFEED} = true`]);
        const secondBefore = await snapshotClusterSettings(second.url);
        const mark = second.statements.length;
        for (const operation of [
            () => provider.read(id, moved),
            () => provider.delete(id, moved),
        ]) {
            await assert.rejects(operation(), (err: Error) => {
                assert.match(err.message, /reaches CockroachDB cluster .* applied to cluster/);
                assert.match(err.message, /nothing was changed/);
                return true;
            });
        }
        const writes = second.statements
            .slice(mark)
            .filter((s) => /^(SET|RESET) CLUSTER SETTING/i.test(s));
        assert.deepEqual(writes, []);
        assert.deepEqual(
            settingsDifferences(secondBefore, await snapshotClusterSettings(second.url)),
            [],
        );
    });
});

describe("ClusterSettings: an operator's change after create (issue 11 item 8)", () => {
    it("destroy restores only what still holds this stack's value and warns about the rest", async () => {
        const server = await newServer();
        const { id, outs } = await provider.create({
            connection: server.url,
            closedTimestampRefreshInterval: "250ms",
        });
        await runSql(server.url, [`SET CLUSTER SETTING ${REFRESH} = '2s'`]);
        await provider.delete(id, outs);
        const rows = await runSql(server.url, ["SHOW ALL CLUSTER SETTINGS"]);
        const row = (name: string) => rows.find((r) => r.variable === name);
        assert.deepEqual([row(REFRESH)?.value, row(REFRESH)?.origin], ["2s", "override"]);
        assert.deepEqual([row(RANGEFEED)?.value, row(RANGEFEED)?.origin], ["false", "default"]);
        assert.equal(warnings.length, 1);
        assert.match(
            warnings[0]!,
            new RegExp(`cluster setting ${REFRESH} is now '2s', not '250ms'`),
        );
        assert.match(warnings[0]!, new RegExp(`RESET CLUSTER SETTING ${REFRESH}`));
    });

    it("an update dropping a setting the operator changed leaves it too", async () => {
        const server = await newServer();
        const { id, outs } = await provider.create({
            connection: server.url,
            closedTimestampRefreshInterval: "250ms",
        });
        await runSql(server.url, [`SET CLUSTER SETTING ${REFRESH} = '2s'`]);
        const updated = (await provider.update(id, outs, { connection: server.url }))
            .outs as ClusterSettingsOutputs;
        assert.ok(!(REFRESH in updated.previous));
        const [shown] = await runSql(server.url, [`SHOW CLUSTER SETTING ${REFRESH}`]);
        assert.equal(shown?.[REFRESH], "00:00:02");
        assert.equal(warnings.length, 1);
    });
});

describe("ClusterSettings: connection query parameters that redirect pg (issue 11 item 7)", () => {
    for (const query of ["port=5432", "host=10.0.0.9", "user=other", "sslmode=disable&host=x"]) {
        it(`check refuses ?${query} naming connection and the fix`, async () => {
            const result = await provider.check(
                {},
                { connection: `postgresql://root@127.0.0.1:26257/defaultdb?${query}` },
            );
            // Secret properties are reported without a property path, named in the reason.
            const failure = result.failures?.find((f) => f.reason.startsWith("connection: "));
            assert.ok(failure, JSON.stringify(result.failures));
            assert.match(failure.reason, /would make the driver connect somewhere other/);
            assert.match(
                failure.reason,
                /write the host, port, user and database in the URL itself/,
            );
        });
    }

    it("check still takes sslmode and friends", async () => {
        const result = await provider.check(
            {},
            {
                connection:
                    "postgresql://root@127.0.0.1:26257/defaultdb?sslmode=verify-full&sslrootcert=/ca.crt&application_name=x",
            },
        );
        assert.equal(result.failures, undefined);
    });

    it("another options=--cluster routing id is another cluster: replace, not update", async () => {
        const olds = {
            connection: "postgresql://u@free-tier.example:26257/defaultdb?options=--cluster%3Da-1",
            desired: { [RANGEFEED]: true },
            values: { [RANGEFEED]: true },
            previous: {},
            types: {},
        };
        const diff = await provider.diff("id", olds, {
            connection: "postgresql://u@free-tier.example:26257/defaultdb?options=--cluster%3Db-2",
        });
        assert.deepEqual(diff.replaces, ["connection"]);
    });
});
