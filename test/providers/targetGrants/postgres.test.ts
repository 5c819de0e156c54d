/**
 * TargetGrants against the real PostgreSQL server: create/read/update/delete, pre-existing
 * privileges, tables created later (default privileges), drift after a manual REVOKE, hostile
 * names, and the proof that the default privileges let the grantee run the replicator's exact
 * upsert/delete statements while the MOLT docs' list does not.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../../src/providers/targetGrants/provider";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { snapshotPostgresPrivileges } from "../../support/grants/snapshots";
import { lifecycle, pairs, pgq, urlWith, withPg } from "../../support/grants/fixtures";

const provider = lifecycle(makeTargetGrantsProvider());
const database = uniqueName("tg_pg");
const grantee = uniqueName("tg_app");
const moltGrantee = uniqueName("tg_molt");
const otherOwner = uniqueName("tg_owner");
const hostileGrantee = `${uniqueName("tg")} we"ird role`;
const PASSWORD = "grantee-pw";
const url = urlWith(POSTGRES_ADMIN_URL, database);
const HOSTILE_SCHEMA = "x; DROP TABLE t; --";
const HOSTILE_TABLES = ["Order Items", 'we"ird', "x; DROP TABLE t; --", "MixedCase", "Ünïcödé 表"];

async function createTables(schema: string, tables: readonly string[]): Promise<void> {
    await withPg(url, async (c) => {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${pgq(schema)}`);
        for (const t of tables) {
            await c.query(`CREATE TABLE ${pgq(schema)}.${pgq(t)} (id INT8 PRIMARY KEY, v TEXT)`);
        }
    });
}

/** Runs the replicator's PostgreSQL upsert and delete shapes (replicator.md §8) as `user`. */
async function replicatorApply(user: string, schema: string, table: string): Promise<void> {
    const target = `${pgq(database)}.${pgq(schema)}.${pgq(table)}`;
    await withPg(urlWith(POSTGRES_ADMIN_URL, database, user, PASSWORD), async (c) => {
        const upsert =
            `INSERT INTO ${target} ("id","v") VALUES ($1::INT8,$2::TEXT),($3::INT8,$4::TEXT) ` +
            `ON CONFLICT ("id") DO UPDATE SET ("v") = ROW(excluded."v")`;
        await c.query(upsert, [1, "a", 2, "b"]);
        await c.query(upsert, [1, "a2", 3, "c"]);
        await c.query(`DELETE FROM ${target} WHERE ("id")IN(($1::INT8),($2::INT8))`, [1, 2]);
    });
}

describe("TargetGrants on PostgreSQL", () => {
    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${pgq(database)}`);
            for (const role of [grantee, moltGrantee, hostileGrantee]) {
                await c.query(`CREATE ROLE ${pgq(role)} LOGIN PASSWORD '${PASSWORD}'`);
            }
            await c.query(`CREATE ROLE ${pgq(otherOwner)}`);
        });
    });

    after(async () => {
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
            for (const role of [grantee, moltGrantee, hostileGrantee, otherOwner]) {
                await c.query(`DROP ROLE IF EXISTS ${pgq(role)}`);
            }
        });
    });

    it("grants only what is missing, covers later tables, shows drift, updates the delta and revokes exactly what it granted", async () => {
        const schema = "app";
        await createTables(schema, ["orders", "items"]);
        await withPg(url, async (c) => {
            await c.query(`ALTER TABLE app.items OWNER TO ${pgq(otherOwner)}`);
            await c.query(`GRANT SELECT ON app.orders TO ${pgq(grantee)}`);
        });
        const before = await snapshotPostgresPrivileges(url, schema);

        const inputs = { connection: url, grantee, schema };
        const { id, outs } = await provider.create(inputs);
        assert.deepEqual(pairs(outs.preexisting), ["table:orders:SELECT"]);
        assert.deepEqual(outs.defaultPrivilegeOwners, ["postgres", otherOwner].sort());
        assert.deepEqual(
            pairs(outs.granted),
            [
                ...["DELETE", "INSERT", "SELECT", "UPDATE"].map(
                    (p) => `defaultTables:${otherOwner}:${p}`,
                ),
                ...["DELETE", "INSERT", "SELECT", "UPDATE"].map(
                    (p) => `defaultTables:postgres:${p}`,
                ),
                "schema:app:USAGE",
                ...["DELETE", "INSERT", "SELECT", "UPDATE"].map((p) => `table:items:${p}`),
                ...["DELETE", "INSERT", "UPDATE"].map((p) => `table:orders:${p}`),
            ].sort(),
        );
        assert.deepEqual(outs.coveredTables, ["items", "orders"]);
        assert.deepEqual(outs.missing, []);
        assert.equal(outs.stateVersion, 1);

        // A table created later by a covered owner gets the privileges from the default ACL.
        await withPg(url, async (c) => {
            await c.query(`CREATE TABLE app.later (id INT8 PRIMARY KEY, v TEXT)`);
            await c.query(`REVOKE DELETE ON app.orders FROM ${pgq(grantee)}`);
        });
        const refreshed = await provider.read(id, outs);
        assert.ok(pairs(refreshed.granted).includes("table:later:INSERT"));
        assert.ok(
            !pairs(refreshed.granted).includes("table:orders:DELETE"),
            "manual REVOKE shows as drift",
        );
        assert.deepEqual(pairs(refreshed.missing), ["table:orders:DELETE"]);
        assert.deepEqual(refreshed.coveredTables, ["items", "later"]);
        await replicatorApply(grantee, schema, "later");

        const diff = await provider.diff(id, refreshed, inputs);
        assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });

        const converged = await provider.update(id, refreshed, inputs);
        assert.ok(pairs(converged.granted).includes("table:orders:DELETE"));
        assert.deepEqual(converged.missing, []);
        assert.deepEqual(await provider.diff(id, converged, inputs), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });

        // Narrowing privileges revokes only the delta; the pre-existing SELECT stays recorded.
        const narrowed = await provider.update(id, converged, {
            ...inputs,
            privileges: ["select"],
        });
        assert.deepEqual(pairs(narrowed.preexisting), ["table:orders:SELECT"]);
        assert.deepEqual(
            pairs(narrowed.granted),
            [
                `defaultTables:${otherOwner}:SELECT`,
                "defaultTables:postgres:SELECT",
                "schema:app:USAGE",
                "table:items:SELECT",
                "table:later:SELECT",
            ].sort(),
        );

        await provider.delete(id, narrowed);
        await withPg(url, (c) => c.query("DROP TABLE app.later"));
        assert.deepEqual(await snapshotPostgresPrivileges(url, schema), before);
    });

    it("with explicit tables, grants per table without default privileges", async () => {
        const schema = "explicit";
        await createTables(schema, ["a", "b", "c"]);
        const { id, outs } = await provider.create({
            connection: url,
            grantee,
            schema,
            tables: ["a", "b"],
        });
        assert.equal(outs.defaultPrivileges, false);
        assert.deepEqual(outs.coveredTables, ["a", "b"]);
        const grown = await provider.update(id, outs, {
            connection: url,
            grantee,
            schema,
            tables: ["b", "c"],
        });
        assert.deepEqual(grown.coveredTables, ["b", "c"]);
        assert.ok(!pairs(grown.granted).some((p) => p.startsWith("table:a:")));
        await provider.delete(id, grown);
        const left = await snapshotPostgresPrivileges(url, schema);
        assert.ok(!left.some((l) => l.includes(`grantee=${grantee}`)), left.join("\n"));
    });

    it("refuses a missing table or grantee before changing anything", async () => {
        const schema = "refuse";
        await createTables(schema, ["t"]);
        await assert.rejects(
            provider.create({ connection: url, grantee, schema, tables: ["t", "nope"] }),
            /tables not found in schema "refuse": "nope" \(names are exact and case-sensitive\); nothing was changed/,
        );
        await assert.rejects(
            provider.create({ connection: url, grantee: "no_such_role_tg", schema }),
            /grantee "no_such_role_tg" does not exist; create it first/,
        );
        const left = await snapshotPostgresPrivileges(url, schema);
        assert.ok(!left.some((l) => l.includes(`grantee=${grantee}`)));
    });

    it("treats hostile names as names", async () => {
        await createTables(HOSTILE_SCHEMA, HOSTILE_TABLES);
        const before = await snapshotPostgresPrivileges(url, HOSTILE_SCHEMA);
        const { id, outs } = await provider.create({
            connection: url,
            grantee: hostileGrantee,
            schema: HOSTILE_SCHEMA,
        });
        assert.deepEqual(outs.coveredTables, [...HOSTILE_TABLES].sort());
        for (const table of HOSTILE_TABLES)
            await replicatorApply(hostileGrantee, HOSTILE_SCHEMA, table);
        const read = await provider.read(id, outs);
        assert.deepEqual(pairs(read.granted), pairs(outs.granted));
        await provider.delete(id, read);
        assert.deepEqual(await snapshotPostgresPrivileges(url, HOSTILE_SCHEMA), before);
    });

    it("proof: the defaults let the grantee run the replicator's upsert and delete; the MOLT docs' INSERT, UPDATE do not", async () => {
        const schema = "proof";
        const tables = ["plain", ...HOSTILE_TABLES];
        await createTables(schema, tables);
        const full = await provider.create({ connection: url, grantee, schema });
        for (const table of tables) await replicatorApply(grantee, schema, table);

        const molt = await provider.create({
            connection: url,
            grantee: moltGrantee,
            schema,
            tables,
            privileges: ["INSERT", "UPDATE"],
        });
        for (const table of tables) {
            const target = `${pgq(database)}.${pgq(schema)}.${pgq(table)}`;
            await withPg(
                urlWith(POSTGRES_ADMIN_URL, database, moltGrantee, PASSWORD),
                async (c) => {
                    await assert.rejects(
                        c.query(
                            `INSERT INTO ${target} ("id","v") VALUES ($1::INT8,$2::TEXT) ` +
                                `ON CONFLICT ("id") DO UPDATE SET ("v") = ROW(excluded."v")`,
                            [10, "x"],
                        ),
                        (err: { code?: string }) => err.code === "42501",
                        "ON CONFLICT needs SELECT on the conflict columns",
                    );
                    await assert.rejects(
                        c.query(`DELETE FROM ${target} WHERE ("id")IN(($1::INT8))`, [10]),
                        (err: { code?: string }) => err.code === "42501",
                        "DELETE needs DELETE (and SELECT for the WHERE)",
                    );
                },
            );
        }
        await provider.delete(molt.id, molt.outs);
        await provider.delete(full.id, full.outs);
    });

    it("delete succeeds when the tables, the schema or the grantee are already gone", async () => {
        const schema = "vanishing";
        const role = uniqueName("tg_gone");
        await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE ROLE ${pgq(role)}`));
        await createTables(schema, ["t1", "t2"]);
        const first = await provider.create({ connection: url, grantee, schema });
        const second = await provider.create({
            connection: url,
            grantee: role,
            schema,
            tables: ["t1"],
        });
        await withPg(url, (c) => c.query(`DROP TABLE ${pgq(schema)}.t1`));
        await withPg(url, (c) => c.query(`DROP OWNED BY ${pgq(role)}`));
        await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`DROP ROLE ${pgq(role)}`));
        await provider.delete(second.id, second.outs);
        await withPg(url, (c) => c.query(`DROP SCHEMA ${pgq(schema)} CASCADE`));
        await provider.delete(first.id, first.outs);
    });

    it("delete succeeds when the database is gone", async () => {
        const gone = uniqueName("tg_gone_db");
        await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE DATABASE ${pgq(gone)}`));
        const goneUrl = urlWith(POSTGRES_ADMIN_URL, gone);
        await withPg(goneUrl, (c) =>
            c.query("CREATE SCHEMA s; CREATE TABLE s.t (id INT8 PRIMARY KEY)"),
        );
        const { id, outs } = await provider.create({ connection: goneUrl, grantee, schema: "s" });
        await withPg(POSTGRES_ADMIN_URL, (c) => c.query(`DROP DATABASE ${pgq(gone)} WITH (FORCE)`));
        await provider.delete(id, outs);
    });
});
