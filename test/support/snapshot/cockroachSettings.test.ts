/** The settings snapshot: value and origin of every setting, so equal means equal. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { type CockroachTestServer, startCockroachTestServer } from "../cockroach";
import { runSql } from "../cockroach/testHelpers";
import { POSTGRES_ADMIN_URL, requireService } from "../services";
import { settingsDifferences, snapshotClusterSettings } from "./cockroachSettings";

const TARGET = "kv.closed_timestamp.target_duration";

describe("snapshotClusterSettings", () => {
    let server: CockroachTestServer;
    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer();
    });
    after(async () => {
        await server?.stop();
    });

    it("sees a setting SET back to its default value as different from one never set", async () => {
        const untouched = await snapshotClusterSettings(server.url);
        assert.equal(untouched[TARGET], "3s|default");
        await runSql(server.url, [`SET CLUSTER SETTING ${TARGET} = '3s'`]);
        const overridden = await snapshotClusterSettings(server.url);
        assert.deepEqual(settingsDifferences(untouched, overridden), [
            `${TARGET}: 3s|default → 3s|override`,
        ]);
        await runSql(server.url, [`RESET CLUSTER SETTING ${TARGET}`]);
        assert.deepEqual(
            settingsDifferences(untouched, await snapshotClusterSettings(server.url)),
            [],
        );
    });
});
