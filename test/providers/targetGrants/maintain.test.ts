/**
 * PostgreSQL 17's `MAINTAIN` table privilege: `check` accepts it (it cannot know the server
 * version); on an older server the create stops before changing anything, naming the privilege
 * and the server's version; on PostgreSQL 17 or later it is granted and revoked like any other.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../../src/providers/targetGrants/provider";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { pgq, urlWith, withPg } from "../../support/grants/fixtures";

const provider = makeTargetGrantsProvider();
const database = uniqueName("tg_maint");
const grantee = uniqueName("tg_maint_g");
const url = urlWith(POSTGRES_ADMIN_URL, database);
const inputs = { connection: url, grantee, schema: "app", privileges: ["SELECT", "maintain"] };

/** The grantee's privileges on app.t, as the server reports them. */
async function heldOnTable(): Promise<string[]> {
    return withPg(url, async (c) => {
        const { rows } = await c.query<{ p: string }>(
            "SELECT a.privilege_type AS p FROM pg_class t, aclexplode(t.relacl) a " +
                "WHERE t.oid = 'app.t'::regclass AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) ORDER BY 1",
            [grantee],
        );
        return rows.map((r) => r.p);
    });
}

describe("TargetGrants: PostgreSQL MAINTAIN", () => {
    let versionNum = 0;
    let versionText = "";

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${pgq(database)}`);
            await c.query(`CREATE ROLE ${pgq(grantee)}`);
            const { rows } = await c.query<{ n: string; v: string }>(
                "SELECT current_setting('server_version_num') AS n, current_setting('server_version') AS v",
            );
            versionNum = Number(rows[0]?.n);
            versionText = String(rows[0]?.v);
        });
        await withPg(url, (c) =>
            c.query("CREATE SCHEMA app; CREATE TABLE app.t (id INT PRIMARY KEY)"),
        );
    });

    after(async () => {
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${pgq(grantee)}`);
        });
    });

    it("check accepts MAINTAIN as a PostgreSQL table privilege", async () => {
        const { failures } = await provider.check({}, inputs);
        assert.deepEqual(failures, []);
    });

    it("create fails with the privilege and the server version before 17, grants it from 17 on", async () => {
        if (versionNum >= 170000) {
            const created = await provider.create(inputs);
            assert.deepEqual(await heldOnTable(), ["MAINTAIN", "SELECT"]);
            await provider.delete(created.id, created.outs);
            assert.deepEqual(await heldOnTable(), []);
            return;
        }
        const major = Math.floor(versionNum / 10000);
        await assert.rejects(provider.create(inputs), (err: Error) => {
            assert.match(err.message, /MAINTAIN needs PostgreSQL 17\.0 or later/);
            assert.match(err.message, new RegExp(`runs PostgreSQL ${major}\\.`));
            assert.match(err.message, /nothing was changed/);
            assert.ok(!err.message.includes(url), "no connection string in the error");
            return true;
        });
        assert.deepEqual(await heldOnTable(), [], `nothing granted on PostgreSQL ${versionText}`);
    });
});
