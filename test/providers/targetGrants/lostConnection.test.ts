/**
 * TargetGrants on the real MariaDB server when the connection is lost in the middle of a GRANT
 * batch (MySQL GRANT is not transactional): state never records an unconfirmed pair as granted,
 * the next update converges, and delete restores the grantee's privileges exactly. Also: the
 * new session ends a connection the server is still running a batch on, so a re-read is certain.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PartialStateError } from "../../../src/providers/kernel/partialState";
import {
    type TargetGrantsOutputs,
    makeTargetGrantsProvider,
} from "../../../src/providers/targetGrants/provider";
import { parseConnection } from "../../../src/providers/targets/connection";
import {
    DEFAULT_SESSION_OPTIONS,
    type SessionOpener,
} from "../../../src/providers/targets/session";
import { openMysqlSession } from "../../../src/providers/targets/mysqlSession";
import { MARIADB_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { snapshotMysqlPrivileges } from "../../support/grants/snapshots";
import { myq, withMysql } from "../../support/grants/fixtures";

const url = MARIADB_ADMIN_URL;
const database = uniqueName("tg_lost");
const grantee = uniqueName("tg_lost").slice(0, 32);
const TABLES = ["t0", "t1", "t2", "t3"];
const sqlString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
const unused: SessionOpener = () => Promise.reject(new Error("unused"));
const pairKeys = (list: unknown) =>
    ((list ?? []) as { object: string; privilege: string }[])
        .map((p) => `${p.object}:${p.privilege}`)
        .sort();

/** `table:privilege` the grantee holds in the test database. */
async function catalog(): Promise<string[]> {
    return withMysql(url, async (c) => {
        const [rows] = await c.query(
            "SELECT TABLE_NAME AS t, PRIVILEGE_TYPE AS p FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?",
            [`'${grantee}'@'%'`, database],
        );
        return (rows as { t: string; p: string }[]).map((r) => `${r.t}:${r.p}`).sort();
    });
}

describe("TargetGrants on MariaDB: lost connection during a GRANT batch", () => {
    before(async () => {
        await requireService("MariaDB", url);
        await withMysql(url, async (c) => {
            await c.query(`CREATE DATABASE ${myq(database)}`);
            for (const t of TABLES) {
                await c.query(`CREATE TABLE ${myq(database)}.${myq(t)} (id INT PRIMARY KEY)`);
            }
            await c.query(`CREATE USER ${sqlString(grantee)}@'%' IDENTIFIED BY 'x'`);
            await c.query(`GRANT SELECT ON ${myq(database)}.t0 TO ${sqlString(grantee)}@'%'`);
        });
    });

    after(async () => {
        await withMysql(url, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${myq(database)}`);
            await c.query(`DROP USER IF EXISTS ${sqlString(grantee)}@'%'`);
        });
    });

    const inputs = { connection: url, grantee, schema: database, tables: TABLES };

    it("catalog cannot be re-read: nothing unconfirmed is recorded as granted; update converges; delete restores", async () => {
        const before = await snapshotMysqlPrivileges(url, grantee, "%");
        let opens = 0;
        // First session: runs half the GRANT statements, then "loses the connection". Every later
        // connection attempt fails (the server is unreachable).
        const flaky: SessionOpener = async (connection, options) => {
            opens++;
            if (opens > 1) throw new Error("connect ECONNREFUSED (simulated)");
            const real = await openMysqlSession(connection, options);
            return {
                ...real,
                connection: real.connection,
                partialRevokes: real.partialRevokes,
                serverSessionId: real.serverSessionId,
                async applyChange(revokes, grants) {
                    await real.applyChange(revokes, grants.slice(0, 2));
                    throw Object.assign(
                        new Error("Connection lost: The server closed the connection."),
                        {
                            code: "PROTOCOL_CONNECTION_LOST",
                        },
                    );
                },
            };
        };
        const broken = makeTargetGrantsProvider({
            openers: { mysql: flaky, postgres: unused, oracle: unused },
        });
        const error = await broken.create(inputs).then(
            () => undefined,
            (err: unknown) => err,
        );
        assert.ok(error instanceof PartialStateError, String(error));
        assert.equal(opens, 2, "the catalog re-read was tried on a new session");
        const props = error.properties as unknown as TargetGrantsOutputs;
        const held = await catalog();
        assert.ok(held.length > 1, "half of the batch got through");
        assert.deepEqual(props.granted, [], "no unconfirmed pair is recorded as granted");
        assert.deepEqual(pairKeys(props.preexisting), ["t0:SELECT"]);
        const wanted = TABLES.flatMap((t) =>
            ["SELECT", "INSERT", "UPDATE", "DELETE"].map((p) => `${t}:${p}`),
        ).sort();
        assert.deepEqual(
            pairKeys(props.pending),
            wanted.filter((p) => p !== "t0:SELECT"),
        );
        assert.match(error.reasons[0]!, /Connection lost/);
        assert.match(error.reasons[1]!, /could not be re-read on a new connection/);
        assert.match(error.reasons[1]!, /next `pulumi up` re-reads the catalog and converges/);

        // The next `up` (update from the recorded state) converges; delete restores exactly.
        const grants = makeTargetGrantsProvider();
        const refreshed = (await grants.read(error.id, props)).props as TargetGrantsOutputs;
        assert.deepEqual(refreshed.pending, [], "a read resolves pending pairs");
        assert.deepEqual(
            pairKeys(refreshed.granted),
            held.filter((p) => p !== "t0:SELECT"),
            "refresh counts the pending pairs it finds held as granted",
        );
        const { outs } = await grants.update(error.id, props, inputs);
        assert.deepEqual(await catalog(), wanted, "converged");
        assert.deepEqual(
            pairKeys(outs.granted),
            wanted.filter((p) => p !== "t0:SELECT"),
        );
        assert.deepEqual(outs.pending, []);
        await grants.delete(error.id, outs);
        assert.deepEqual(await snapshotMysqlPrivileges(url, grantee, "%"), before);
    });

    it("a new session ends a connection the server is still running a batch on", async () => {
        const connection = parseConnection(url);
        assert.ok(connection.ok);
        const options = { ...DEFAULT_SESSION_OPTIONS, statementTimeoutMs: 10_000 };
        const busy = await openMysqlSession(connection.value, options);
        const other = await openMysqlSession(connection.value, options);
        try {
            assert.ok(busy.serverSessionId !== undefined && busy.serverSessionId > 0);
            const grant = `GRANT INSERT ON ${myq(database)}.t3 TO ${sqlString(grantee)}@'%'`;
            const running = busy.applyChange(["DO SLEEP(8)", grant], []).then(
                () => undefined,
                (err: unknown) => err,
            );
            await new Promise((resolve) => setTimeout(resolve, 200));
            const started = Date.now();
            assert.equal(await other.endServerSession!(busy.serverSessionId!), true);
            assert.ok(Date.now() - started < 5_000, "ended without waiting for the batch");
            assert.ok((await running) instanceof Error, "the batch failed");
            assert.ok(!(await catalog()).includes("t3:INSERT"), "the rest of the batch never ran");
            // Ending a connection that is already gone is not an error.
            assert.equal(await other.endServerSession!(busy.serverSessionId!), true);
        } finally {
            await busy.close();
            await other.close();
        }
    });
});
