/**
 * Large TargetGrants state is stored grouped (version 2) and every lifecycle step reads it: on a
 * real PostgreSQL schema of 1,500 tables (6,000+ pairs) and a MariaDB database with a per-table
 * grant, create stores grouped state, diff sees no change, read and update keep it exact, delete
 * revokes everything it granted and nothing the grantee held before.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../../src/providers/targetGrants/provider";
import { fromStoredOutputs } from "../../../src/providers/targetGrants/storedOutputs";
import type { TargetGrantsOutputs } from "../../../src/providers/targetGrants/types";
import { MARIADB_ADMIN_URL } from "../../support/services";
import { manyTablesFixture, pgq, urlWith, withMysql, withPg } from "../../support/grants/fixtures";

const TABLES = 1500;
const provider = makeTargetGrantsProvider();

function plain(state: unknown): TargetGrantsOutputs {
    return fromStoredOutputs<TargetGrantsOutputs>(state);
}

async function pgHeld(url: string, grantee: string): Promise<number> {
    return withPg(url, async (c) => {
        const r = await c.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                aclexplode(c.relacl) a WHERE n.nspname = 's' AND a.grantee = $1::regrole`,
            [grantee],
        );
        return r.rows[0]!.n;
    });
}

describe(`grouped state on ${TABLES} tables`, () => {
    const fx = manyTablesFixture(
        "tg_gs",
        TABLES,
        (grantee) => `GRANT SELECT ON s.t1 TO ${pgq(grantee)}`,
    );
    const { pgUrl, myDatabase, grantee } = fx;

    before(() => fx.create());
    after(() => fx.drop());

    it("PostgreSQL, whole schema: create, diff, read, update, delete on grouped state", async () => {
        const inputs = { connection: pgUrl, grantee, schema: "s" };
        const created = await provider.create(inputs);
        const stored = created.outs as Record<string, unknown>;
        assert.equal(stored["stateVersion"], 2);
        assert.equal(stored["granted"], undefined);
        assert.ok(JSON.stringify(stored).length < 64 * 1024, `${JSON.stringify(stored).length} B`);
        const outs = plain(stored);
        assert.equal(outs.granted.length, TABLES * 4 - 1 + 1 + 4, "tables, USAGE, defaults");
        assert.deepEqual(
            outs.preexisting.map((p) => `${p.kind}:${p.object}:${p.privilege}`),
            ["table:t1:SELECT"],
        );
        assert.ok(
            outs.granted.every((p) => p.grantor !== undefined),
            "grantors kept",
        );
        assert.equal((await provider.diff(created.id, stored, inputs)).changes, false);

        const read = await provider.read(created.id, stored);
        assert.deepEqual(plain(read.props), outs);

        const updated = await provider.update(created.id, read.props, {
            ...inputs,
            privileges: ["SELECT", "INSERT", "UPDATE"],
        });
        const after = plain(updated.outs);
        assert.equal(after.granted.filter((p) => p.privilege === "DELETE").length, 0);
        assert.equal(await pgHeld(pgUrl, grantee), TABLES * 3);

        await provider.delete(created.id, updated.outs);
        assert.equal(await pgHeld(pgUrl, grantee), 1, "only the pre-existing SELECT on t1 is left");
    });

    it("MariaDB, explicit tables: grouped state round-trips through read and delete", async () => {
        const tables = Array.from({ length: TABLES }, (_, i) => `t${i}`);
        const inputs = {
            connection: urlWith(MARIADB_ADMIN_URL, myDatabase),
            grantee,
            schema: myDatabase,
            tables,
            privileges: ["SELECT"],
        };
        const created = await provider.create(inputs);
        const stored = created.outs as Record<string, unknown>;
        assert.equal(stored["stateVersion"], 2);
        assert.equal(plain(stored).granted.length, TABLES);
        const read = await provider.read(created.id, stored);
        assert.equal(plain(read.props).coveredTables.length, TABLES);
        assert.equal((await provider.diff(created.id, read.props, inputs)).changes, false);
        await provider.delete(created.id, read.props);
        const left = await withMysql(MARIADB_ADMIN_URL, async (c) => {
            const [rows] = await c.query(
                "SELECT COUNT(*) AS n FROM mysql.tables_priv WHERE User = ? AND Db = ?",
                [grantee, myDatabase],
            );
            return Number((rows as { n: number }[])[0]!.n);
        });
        assert.equal(left, 0);
    });
});
