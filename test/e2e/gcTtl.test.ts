/**
 * Engine test (real `pulumi`): GcTtl raises gc.ttlseconds of a database zone that inherited it,
 * a refresh shows drift an operator made, the next `up` converges, and destroy makes the zone
 * inherit again (the zone configuration snapshot equals the one before). The connection is in
 * no state or output in plaintext.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { startCockroachTestServer, type CockroachTestServer } from "../support/cockroach";
import { runSql } from "../support/cockroach/testHelpers";
import {
    createEngineStack,
    findLeaks,
    resourcesExceptDynamicProvider,
    type EngineStack,
} from "../support/engine/engine";
import { REPO_ROOT } from "../support/engine/packageInstall";
import { requireService, POSTGRES_ADMIN_URL } from "../support/services";

const PROGRAM = path.join(REPO_ROOT, "test", "e2e", "programs", "gc-ttl");

describe("GcTtl through the real engine", () => {
    let crdb: CockroachTestServer;
    let engine: EngineStack | undefined;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        crdb = await startCockroachTestServer();
    });

    after(async () => {
        await engine?.dispose();
        await crdb?.stop();
    });

    async function zones(): Promise<string> {
        const rows = await runSql(crdb.url, [
            "SELECT target, raw_config_sql FROM crdb_internal.zones",
        ]);
        return rows.map((r) => `${String(r.target)}: ${String(r.raw_config_sql)}`).join("\n");
    }

    it("up raises the TTL, refresh shows drift, up converges, destroy restores inheritance", async () => {
        const before = await zones();
        const password = "gc-ttl-secret-pw";
        const connection = crdb.url.replace("root@", `root:${password}@`);
        engine = await createEngineStack({
            programDir: PROGRAM,
            config: { ttl: "25h" },
            secrets: { cockroachConnection: connection },
        });
        const preview = await engine.preview();
        assert.match(
            preview.stdout,
            /ALTER DATABASE "defaultdb" CONFIGURE ZONE USING gc\.ttlseconds = 90000/,
        );
        const up = await engine.up();
        assert.equal(up.outputs.ttlSeconds?.value, 90000);
        assert.deepEqual(up.outputs.previous?.value, {
            "DATABASE defaultdb": {
                target: { database: "defaultdb" },
                ttlSeconds: 14400,
                origin: "inherited",
                setTo: 90000,
            },
        });
        assert.match(await zones(), /DATABASE defaultdb: .*gc\.ttlseconds = 90000/s);

        await runSql(crdb.url, [
            "ALTER DATABASE defaultdb CONFIGURE ZONE USING gc.ttlseconds = 60",
        ]);
        const refresh = await engine.refresh();
        assert.equal(refresh.changeSummary.update, 1, "refresh records the drift");
        const again = await engine.up();
        assert.match(again.stdout, /1 updated/);
        assert.match(await zones(), /DATABASE defaultdb: .*gc\.ttlseconds = 90000/s);

        const state = await engine.exportState();
        assert.deepEqual(findLeaks(resourcesExceptDynamicProvider(state), [password]), []);
        assert.deepEqual(findLeaks(engine.log(), [password]), []);

        await engine.destroy();
        assert.equal(await zones(), before);
    });
});
