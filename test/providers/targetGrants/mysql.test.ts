/**
 * TargetGrants against the real MariaDB server: `db.*` and per-table grants, pre-existing
 * privileges, tables created later, drift after a manual REVOKE, wildcard-safe database names,
 * hostile names, and the proof that the defaults let the grantee run the replicator's exact
 * statements (sql_mode=ansi) while the MOLT docs' SELECT, INSERT, UPDATE do not.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../../src/providers/targetGrants/provider";
import { MARIADB_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { snapshotMysqlPrivileges } from "../../support/grants/snapshots";
import { lifecycle, myq, pairs, urlWith, withMysql } from "../../support/grants/fixtures";

const provider = lifecycle(makeTargetGrantsProvider());
const PASSWORD = "grantee-pw";
const grantee = uniqueName("tg_app");
const moltGrantee = uniqueName("tg_molt");
const hostileGrantee = `${uniqueName("tg")}o'b\\r "x"`;
const database = uniqueName("tg_my");
const sibling = database.replace(/_/g, "X"); // matched by `database`.* if `_` were a wildcard
const HOSTILE_DATABASE = `${uniqueName("tg")} x; DROP TABLE t; --`;
const HOSTILE_TABLES = ["Order Items", 'we"ird', "x; DROP TABLE t; --", "MixedCase", "Ünïcödé 表"];
const url = MARIADB_ADMIN_URL;
const databases = [database, sibling, HOSTILE_DATABASE];
const accounts = [grantee, moltGrantee, hostileGrantee];
const sqlString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

async function createTables(db: string, tables: readonly string[]): Promise<void> {
    await withMysql(url, async (c) => {
        await c.query(`CREATE DATABASE IF NOT EXISTS ${myq(db)}`);
        for (const t of tables) {
            await c.query(`CREATE TABLE ${myq(db)}.${myq(t)} (id BIGINT PRIMARY KEY, v TEXT)`);
        }
    });
}

/** Runs the replicator's MySQL upsert and delete shapes (replicator.md §8) as `user`. */
async function replicatorApply(user: string, db: string, table: string): Promise<void> {
    const ansi = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const target = `${ansi(db)}.${ansi(table)}`;
    await withMysql(urlWith(url, "", user, PASSWORD), async (c) => {
        await c.query("SET SESSION sql_mode='ansi'");
        const upsert = `INSERT INTO ${target} ("id","v") VALUES (?,?),(?,?) ON DUPLICATE KEY UPDATE "v"=VALUES("v")`;
        await c.execute(upsert, [1, "a", 2, "b"]);
        await c.execute(upsert, [1, "a2", 3, "c"]);
        await c.execute(`DELETE FROM ${target} WHERE ("id")IN((?),(?))`, [1, 2]);
    });
}

describe("TargetGrants on MariaDB", () => {
    before(async () => {
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        await withMysql(url, async (c) => {
            for (const user of accounts) {
                await c.query(`CREATE USER ${sqlString(user)}@'%' IDENTIFIED BY '${PASSWORD}'`);
            }
        });
    });

    after(async () => {
        await withMysql(url, async (c) => {
            for (const db of databases) await c.query(`DROP DATABASE IF EXISTS ${myq(db)}`);
            for (const user of accounts)
                await c.query(`DROP USER IF EXISTS ${sqlString(user)}@'%'`);
        });
    });

    it("grants db.* (covering later tables), keeps pre-existing privileges, shows drift and revokes exactly what it granted", async () => {
        await createTables(database, ["orders", "items"]);
        await createTables(sibling, ["orders"]);
        const pattern = myq(database.replace(/_/g, "\\_"));
        await withMysql(url, (c) =>
            c.query(`GRANT SELECT ON ${pattern}.* TO ${sqlString(grantee)}@'%'`),
        );
        const before = await snapshotMysqlPrivileges(url, grantee, "%");

        const inputs = { connection: url, grantee, schema: database };
        const { id, outs } = await provider.create(inputs);
        assert.equal(outs.granteeHost, "%");
        assert.deepEqual(pairs(outs.preexisting), [`database:${database}:SELECT`]);
        assert.deepEqual(
            pairs(outs.granted),
            ["DELETE", "INSERT", "UPDATE"].map((p) => `database:${database}:${p}`),
        );
        assert.deepEqual(outs.coveredTables, [], "a db.* create does not list the tables");
        assert.deepEqual((await provider.read(id, outs)).coveredTables, ["items", "orders"]);

        await createTables(database, ["later"]);
        await replicatorApply(grantee, database, "later");
        await withMysql(urlWith(url, "", grantee, PASSWORD), async (c) => {
            await assert.rejects(
                c.query(`DELETE FROM ${myq(sibling)}.orders`),
                (err: { errno?: number }) => err.errno === 1142,
                "`_` in the database name must not act as a wildcard",
            );
        });

        await withMysql(url, (c) =>
            c.query(`REVOKE DELETE ON ${pattern}.* FROM ${sqlString(grantee)}@'%'`),
        );
        const refreshed = await provider.read(id, outs);
        assert.deepEqual(refreshed.coveredTables, [], "no table has DELETE any more");
        assert.deepEqual(pairs(refreshed.missing), [`database:${database}:DELETE`]);
        assert.ok(!pairs(refreshed.granted).includes(`database:${database}:DELETE`));
        assert.equal((await provider.diff(id, refreshed, inputs)).changes, true);

        const converged = await provider.update(id, refreshed, inputs);
        assert.deepEqual(converged.coveredTables, [], "a db.* update does not list the tables");
        assert.deepEqual((await provider.read(id, converged)).coveredTables, [
            "items",
            "later",
            "orders",
        ]);
        assert.equal((await provider.diff(id, converged, inputs)).changes, false);

        // Switching to explicit tables revokes db.* and grants per table.
        const perTable = await provider.update(id, converged, { ...inputs, tables: ["orders"] });
        assert.deepEqual(
            pairs(perTable.granted),
            ["DELETE", "INSERT", "SELECT", "UPDATE"].map((p) => `table:orders:${p}`),
        );
        assert.deepEqual(perTable.preexisting, []);
        assert.deepEqual(perTable.coveredTables, ["orders"]);

        const back = await provider.update(id, perTable, inputs);
        await provider.delete(id, back);
        assert.deepEqual(await snapshotMysqlPrivileges(url, grantee, "%"), before);
    });

    it("refuses a missing account or table before changing anything", async () => {
        await assert.rejects(
            provider.create({ connection: url, grantee: "tg_nobody", schema: database }),
            /account "tg_nobody"@"%" does not exist; create it first/,
        );
        await assert.rejects(
            provider.create({ connection: url, grantee, schema: database, tables: ["nope"] }),
            /tables not found in database .*: "nope"/,
        );
    });

    it("treats hostile names as names", async () => {
        await createTables(HOSTILE_DATABASE, HOSTILE_TABLES);
        const before = await snapshotMysqlPrivileges(url, hostileGrantee, "%");
        for (const tables of [undefined, HOSTILE_TABLES]) {
            const { id, outs } = await provider.create({
                connection: url,
                grantee: hostileGrantee,
                schema: HOSTILE_DATABASE,
                tables,
            });
            // A db.* grant (tables omitted) lists the tables on read only.
            if (tables) assert.deepEqual(outs.coveredTables, [...HOSTILE_TABLES].sort());
            else assert.deepEqual(outs.coveredTables, []);
            for (const table of HOSTILE_TABLES)
                await replicatorApply(hostileGrantee, HOSTILE_DATABASE, table);
            const read = await provider.read(id, outs);
            assert.deepEqual(read.coveredTables, [...HOSTILE_TABLES].sort());
            assert.deepEqual(pairs(read.granted), pairs(outs.granted));
            await provider.delete(id, read);
            assert.deepEqual(await snapshotMysqlPrivileges(url, hostileGrantee, "%"), before);
        }
    });

    it("proof: the defaults let the grantee run the replicator's upsert and delete; the MOLT docs' SELECT, INSERT, UPDATE do not", async () => {
        const tables = ["orders", "items"];
        const molt = await provider.create({
            connection: url,
            grantee: moltGrantee,
            schema: database,
            tables,
            privileges: ["SELECT", "INSERT", "UPDATE"],
        });
        const ansi = (s: string) => `"${s.replace(/"/g, '""')}"`;
        for (const table of tables) {
            await withMysql(urlWith(url, "", moltGrantee, PASSWORD), async (c) => {
                await c.query("SET SESSION sql_mode='ansi'");
                const target = `${ansi(database)}.${ansi(table)}`;
                await c.execute(
                    `INSERT INTO ${target} ("id","v") VALUES (?,?) ON DUPLICATE KEY UPDATE "v"=VALUES("v")`,
                    [20, "x"],
                );
                await assert.rejects(
                    c.execute(`DELETE FROM ${target} WHERE ("id")IN((?))`, [20]),
                    (err: { errno?: number }) => err.errno === 1142,
                    "DELETE command denied",
                );
            });
        }
        await provider.delete(molt.id, molt.outs);
        const full = await provider.create({
            connection: url,
            grantee: moltGrantee,
            schema: database,
            tables,
        });
        for (const table of tables) await replicatorApply(moltGrantee, database, table);
        await provider.delete(full.id, full.outs);
        assert.deepEqual(await snapshotMysqlPrivileges(url, moltGrantee, "%"), [
            `GRANT USAGE ON *.* TO \`${moltGrantee}\`@\`%\` IDENTIFIED BY PASSWORD '${await passwordHash(PASSWORD)}'`,
        ]);
    });

    it("delete succeeds when the tables, the database or the account are already gone", async () => {
        const db = uniqueName("tg_vanish");
        const user = uniqueName("tg_gone");
        databases.push(db);
        await withMysql(url, (c) => c.query(`CREATE USER ${sqlString(user)}@'%'`));
        await createTables(db, ["t1", "t2"]);
        const whole = await provider.create({ connection: url, grantee, schema: db });
        const some = await provider.create({
            connection: url,
            grantee,
            schema: db,
            tables: ["t1", "t2"],
        });
        const other = await provider.create({
            connection: url,
            grantee: user,
            schema: db,
            tables: ["t1"],
        });
        await withMysql(url, (c) => c.query(`DROP USER ${sqlString(user)}@'%'`));
        await provider.delete(other.id, other.outs);
        await withMysql(url, (c) => c.query(`DROP TABLE ${myq(db)}.t1`));
        await withMysql(url, (c) => c.query(`DROP DATABASE ${myq(db)}`));
        await provider.delete(some.id, some.outs);
        await provider.delete(whole.id, whole.outs);
        const left = await snapshotMysqlPrivileges(url, grantee, "%");
        assert.ok(
            !left.some((l) => l.includes(db.replace(/_/g, "\\\\_")) || l.includes(db)),
            left.join("\n"),
        );
    });
});

async function passwordHash(password: string): Promise<string> {
    return withMysql(url, async (c) => {
        const [rows] = await c.query("SELECT PASSWORD(?) AS h", [password]);
        return (rows as { h: string }[])[0]!.h;
    });
}
