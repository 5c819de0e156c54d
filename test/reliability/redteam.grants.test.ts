/**
 * Outside ("red team") checks of TargetGrants on the real PostgreSQL server, for cases the
 * lifecycle and crash-point suites do not take.
 *
 * The connection URL names the server the resource identifies (`server` in state). Parts the URL
 * leaves out (the port, the database) must mean the documented defaults, not whatever the
 * provider process's environment says: libpq-style variables such as PGPORT and PGDATABASE would
 * otherwise send the grants to another server or database than the one recorded.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { pgq, urlWith, withPg } from "../support/grants/fixtures";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../support/services";

describe("TargetGrants red team: PostgreSQL connection defaults", () => {
    const database = uniqueName("rt_db");
    const grantee = uniqueName("rt_grantee");
    const saved = { PGPORT: process.env.PGPORT, PGDATABASE: process.env.PGDATABASE };

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${pgq(database)}`);
            await c.query(`CREATE ROLE ${pgq(grantee)}`);
        });
        await withPg(urlWith(POSTGRES_ADMIN_URL, database), async (c) => {
            await c.query("CREATE SCHEMA s; CREATE TABLE s.t (id int)");
        });
    });

    after(async () => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${pgq(grantee)}`);
        });
    });

    it("a URL without a port or database uses 5432 and the user's database, never PGPORT/PGDATABASE", async () => {
        const admin = new URL(urlWith(POSTGRES_ADMIN_URL, database));
        if (admin.port !== "" && admin.port !== "5432") return; // the server is elsewhere
        admin.port = "";
        const provider = makeTargetGrantsProvider();
        process.env.PGPORT = "1"; // nothing listens there
        process.env.PGDATABASE = "postgres";
        try {
            const inputs = { connection: admin.toString(), grantee, schema: "s", tables: ["t"] };
            const { id, outs } = await provider.create!(inputs);
            assert.match(String(outs.server), /:5432\//);
            const held = await withPg(urlWith(POSTGRES_ADMIN_URL, database), (c) =>
                c.query("SELECT has_table_privilege($1, 's.t', 'SELECT') AS ok", [grantee]),
            );
            assert.equal(held.rows[0]?.ok, true);
            await provider.delete!(id, outs);

            // Without a database in the URL, the database named after the user (pg's own
            // default), not PGDATABASE.
            process.env.PGDATABASE = database;
            admin.pathname = "/";
            const bare = { connection: admin.toString(), grantee, schema: "s", tables: ["t"] };
            await assert.rejects(provider.create!(bare), /schema "s" does not exist|"s"/);
        } finally {
            delete process.env.PGPORT;
            delete process.env.PGDATABASE;
        }
    });
});
