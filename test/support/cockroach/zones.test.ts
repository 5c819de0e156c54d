import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { type CockroachTestServer, startCockroachTestServer } from "./index";
import { runSql } from "./testHelpers";
import { POSTGRES_ADMIN_URL, requireService } from "../services";

describe("zone configurations of the CockroachDB test server", () => {
    let server: CockroachTestServer;
    const sql = (...statements: string[]) => runSql(server.url, statements);
    const own = async (target: string) =>
        (await sql(`SELECT raw_config_sql FROM crdb_internal.zones WHERE target = '${target}'`))[0]
            ?.raw_config_sql;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer();
        await sql("CREATE TABLE t (id INT PRIMARY KEY)");
    });
    after(() => server?.stop());

    it("inherits table → database → RANGE default, and SHOW names the zone that applies", async () => {
        const shown = await sql("SHOW ZONE CONFIGURATION FROM TABLE t");
        assert.equal(shown[0]?.target, "RANGE default");
        assert.match(String(shown[0]?.raw_config_sql), /gc\.ttlseconds = 14400/);
        await sql("ALTER DATABASE defaultdb CONFIGURE ZONE USING gc.ttlseconds = 600");
        const again = await sql("SHOW ZONE CONFIGURATION FOR TABLE defaultdb.public.t");
        assert.equal(again[0]?.target, "DATABASE defaultdb");
        assert.equal(
            await own("DATABASE defaultdb"),
            "ALTER DATABASE defaultdb CONFIGURE ZONE USING\n\tgc.ttlseconds = 600",
        );
        await sql("ALTER DATABASE defaultdb CONFIGURE ZONE DISCARD");
        assert.equal(await own("DATABASE defaultdb"), undefined);
    });

    it("COPY FROM PARENT copies the parent's value into the zone (it stays set)", async () => {
        await sql(
            "ALTER TABLE t CONFIGURE ZONE USING num_replicas = 5, gc.ttlseconds = COPY FROM PARENT",
        );
        assert.equal(
            await own("TABLE defaultdb.public.t"),
            "ALTER TABLE defaultdb.public.t CONFIGURE ZONE USING\n\tgc.ttlseconds = 14400,\n\tnum_replicas = 5",
        );
        await sql("ALTER TABLE t CONFIGURE ZONE DISCARD");
    });

    it("validates like CockroachDB: int32 truncation, minimum 1, default zone kept", async () => {
        await assert.rejects(
            sql("ALTER DATABASE defaultdb CONFIGURE ZONE USING gc.ttlseconds = 0"),
            (err: Error & { code?: string }) =>
                err.code === "23514" &&
                /GC.TTLSeconds 0 less than minimum allowed 1/.test(err.message),
        );
        await assert.rejects(
            sql("ALTER DATABASE defaultdb CONFIGURE ZONE USING gc.ttlseconds = 2147483648"),
            /GC.TTLSeconds -2147483648 less than minimum allowed 1/,
        );
        await assert.rejects(
            sql("ALTER RANGE default CONFIGURE ZONE DISCARD"),
            /cannot remove default zone/,
        );
        await assert.rejects(
            sql("ALTER TABLE nope CONFIGURE ZONE USING gc.ttlseconds = 5"),
            (err: Error & { code?: string }) => err.code === "42P01",
        );
        await sql("CREATE USER app");
        await assert.rejects(
            runSql(server.urlFor("app"), [
                "ALTER DATABASE defaultdb CONFIGURE ZONE USING gc.ttlseconds = 5",
            ]),
            /user app does not have ZONECONFIG or CREATE privilege on database defaultdb/,
        );
    });
});
