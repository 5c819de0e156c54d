/**
 * TargetGrants on the real MariaDB server leaves the account exactly as found (full snapshot:
 * global, database, table and column rows, SHOW GRANTS) when the grantee holds column-level
 * privileges (a table-level REVOKE clears them too), and when the acknowledgement of a committed
 * GRANT batch is lost (create and update).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PartialStateError } from "../../../src/providers/kernel/partialState";
import {
    type TargetGrantsOutputs,
    makeTargetGrantsProvider,
} from "../../../src/providers/targetGrants/provider";
import { type SessionOpener } from "../../../src/providers/targets/session";
import { openMysqlSession } from "../../../src/providers/targets/mysqlSession";
import { MARIADB_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { snapshotMysql } from "../../support/snapshot/mysql";
import { lifecycle, myq, withMysql } from "../../support/grants/fixtures";

const url = MARIADB_ADMIN_URL;
const database = uniqueName("tg_exact");
const grantee = uniqueName("tg_exact").slice(0, 32);
const account = `'${grantee}'@'%'`;
const provider = lifecycle(makeTargetGrantsProvider());
const snapshot = () =>
    snapshotMysql(url, { accounts: [{ user: grantee, host: "%" }], databases: [database] });
const unused: SessionOpener = () => Promise.reject(new Error("unused"));

/** A provider whose first change batch runs on the server but whose answer is lost. */
function ackLostProvider() {
    let lost = false;
    const opener: SessionOpener = async (connection, options) => {
        const real = await openMysqlSession(connection, options);
        return {
            ...real,
            async applyChange(revokes, grants, readAfter) {
                const result = await real.applyChange(revokes, grants, readAfter);
                if (lost || revokes.length + grants.length === 0) return result;
                lost = true;
                throw Object.assign(
                    new Error("Connection lost: The server closed the connection."),
                    {
                        code: "PROTOCOL_CONNECTION_LOST",
                    },
                );
            },
        };
    };
    return makeTargetGrantsProvider({
        openers: { mysql: opener, postgres: unused, oracle: unused },
    });
}

describe("TargetGrants on MariaDB: exact restoration (issue 11)", () => {
    before(async () => {
        await requireService("MariaDB", url);
        await withMysql(url, (c) =>
            c.query(
                `CREATE DATABASE ${myq(database)};` +
                    ["t", "u", "v"]
                        .map(
                            (t) =>
                                `CREATE TABLE ${myq(database)}.${t} (id INT PRIMARY KEY, pub TEXT, sec TEXT)`,
                        )
                        .join(";") +
                    `;CREATE USER ${account}`,
            ),
        );
    });

    after(async () => {
        await withMysql(url, (c) =>
            c.query(`DROP DATABASE IF EXISTS ${myq(database)}; DROP USER IF EXISTS ${account}`),
        );
    });

    it("keeps column-level privileges (tables listed), through create, narrowing, widening and delete", async () => {
        await withMysql(url, (c) =>
            c.query(`GRANT SELECT (id, pub), UPDATE (pub) ON ${myq(database)}.t TO ${account}`),
        );
        const before = await snapshot();
        const inputs = { connection: url, grantee, schema: database, tables: ["t", "u"] };
        const { id, outs } = await provider.create(inputs);
        const narrowed = await provider.update(id, outs, { ...inputs, privileges: ["DELETE"] });
        const widened = await provider.update(id, narrowed, inputs);
        await provider.delete(id, widened);
        assert.deepEqual(await snapshot(), before);
        await withMysql(url, (c) =>
            c.query(`REVOKE SELECT (id, pub), UPDATE (pub) ON ${myq(database)}.t FROM ${account}`),
        );
    });

    it("a lost acknowledgement after a committed GRANT batch is reconciled (create and update)", async () => {
        const before = await snapshot();
        const inputs = {
            connection: url,
            grantee,
            schema: database,
            tables: ["v"],
            privileges: ["SELECT"],
        };
        const created = await ackLostProvider()
            .create(inputs)
            .then(
                (r) => ({ id: r.id, outs: r.outs as TargetGrantsOutputs }),
                (e: unknown) => {
                    assert.ok(e instanceof PartialStateError, String(e));
                    return { id: e.id, outs: e.properties as unknown as TargetGrantsOutputs };
                },
            );
        assert.deepEqual(
            created.outs.granted.map((p) => `${p.object}:${p.privilege}`),
            ["v:SELECT"],
            "the committed grant is recorded as granted",
        );
        const wider = { ...inputs, privileges: ["SELECT", "INSERT"] };
        const updated = await ackLostProvider()
            .update(created.id, created.outs, wider)
            .then(
                (r) => r.outs as TargetGrantsOutputs,
                (e: unknown) => {
                    assert.ok(e instanceof PartialStateError, String(e));
                    return e.properties as unknown as TargetGrantsOutputs;
                },
            );
        const converged = await provider.update(created.id, updated, wider);
        await provider.delete(created.id, converged);
        assert.deepEqual(await snapshot(), before);
    });
});
