/**
 * Outside ("red team") checks of TargetGrants on the real PostgreSQL server, for cases the
 * lifecycle and crash-point suites do not take.
 *
 * The connection URL names the server the resource identifies (`server` in state). Parts the URL
 * leaves out (the port, the database) must mean the documented defaults, not whatever the
 * provider process's environment says: libpq-style variables such as PGPORT and PGDATABASE would
 * otherwise send the grants to another server or database than the one recorded.
 *
 * A table-level REVOKE also removes the grantee's column privileges of the same privilege and
 * grantor. When the grantee holds such a column privilege WITH GRANT OPTION and has granted it on,
 * PostgreSQL refuses the REVOKE (2BP01). Destroy must then stop with nothing changed and a message
 * naming the column privilege and the fix, never CASCADE into other roles' privileges.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { pgq, urlWith, withPg } from "../support/grants/fixtures";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../support/services";
import { snapshotPostgres } from "../support/snapshot/postgres";

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

    it("a URL without a port or database uses 5432 and the user's database, never PGPORT/PGDATABASE", async (t) => {
        const admin = new URL(urlWith(POSTGRES_ADMIN_URL, database));
        if (admin.port !== "" && admin.port !== "5432") {
            // A URL without a port can only reach a server on 5432; say so instead of passing.
            t.skip(`needs PostgreSQL on port 5432 (TEST_POSTGRES_URL uses ${admin.port})`);
            return;
        }
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

describe("TargetGrants red team: PostgreSQL column grant option passed on", () => {
    const database = uniqueName("rt_db");
    const grantee = uniqueName("rt_grantee");
    const other = uniqueName("rt_other");
    const url = urlWith(POSTGRES_ADMIN_URL, database);
    const roles = [grantee, other];

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${pgq(database)}`);
            await c.query(`CREATE ROLE ${pgq(grantee)}`);
            await c.query(`CREATE ROLE ${pgq(other)}`);
        });
        await withPg(url, async (c) => {
            await c.query(
                `CREATE SCHEMA s; CREATE TABLE s.t (id int, pub int);
                 GRANT USAGE ON SCHEMA s TO ${pgq(grantee)};
                 GRANT SELECT (id) ON s.t TO ${pgq(grantee)} WITH GRANT OPTION;
                 SET ROLE ${pgq(grantee)}; GRANT SELECT (id) ON s.t TO ${pgq(other)}; RESET ROLE`,
            );
        });
    });

    after(async () => {
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${pgq(other)}`);
            await c.query(`DROP ROLE IF EXISTS ${pgq(grantee)}`);
        });
    });

    it("destroy stops with nothing changed and names the column privilege and the fix", async () => {
        const provider = makeTargetGrantsProvider();
        const found = await snapshotPostgres(url, { roles });
        const { id, outs } = await provider.create!({
            connection: url,
            grantee,
            schema: "s",
            tables: ["t"],
        });
        const created = await snapshotPostgres(url, { roles });
        await assert.rejects(
            provider.delete!(id, outs),
            /SELECT \("id"\) on "t", which it holds WITH GRANT OPTION.*Fix: revoke the grants/,
        );
        assert.deepEqual(await snapshotPostgres(url, { roles }), created);

        // The documented fix: take the dependent grant away, destroy, grant it again.
        const dependent = (verb: "GRANT" | "REVOKE") =>
            withPg(url, (c) =>
                c.query(
                    `SET ROLE ${pgq(grantee)}; ${verb} SELECT (id) ON s.t ` +
                        `${verb === "GRANT" ? "TO" : "FROM"} ${pgq(other)}; RESET ROLE`,
                ),
            );
        await dependent("REVOKE");
        await provider.delete!(id, outs);
        await dependent("GRANT");
        assert.deepEqual(await snapshotPostgres(url, { roles }), found);
    });
});
