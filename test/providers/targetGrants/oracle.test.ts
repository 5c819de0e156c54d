/**
 * TargetGrants on Oracle. Without a server here, the lifecycle runs against the recording
 * stand-in (test/support/grants/recordingOracle.ts), which checks statement text and counts
 * round trips. The last test runs on a real server when TEST_ORACLE_URL is set.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    type TargetGrantsOutputs,
    makeTargetGrantsProvider,
} from "../../../src/providers/targetGrants/provider";
import { DEFAULT_SESSION_OPTIONS } from "../../../src/providers/targets/session";
import { oracleSessionOpener } from "../../../src/providers/targets/oracleSession";
import { PartialStateError } from "../../../src/providers/kernel/partialState";
import { ORACLE_URL, uniqueName } from "../../support/services";
import { OracleError, RecordingOracle } from "../../support/grants/recordingOracle";
import { lifecycle, pairs } from "../../support/grants/fixtures";

const URL_ = "oracle://admin:pw@oracle.test:1521/FREEPDB1";

function setup(tableCount: number) {
    const db = new RecordingOracle();
    db.users.add("REPLICATOR");
    const tables = Array.from({ length: tableCount }, (_, i) => `T${String(i).padStart(4, "0")}`);
    for (const t of tables) db.addTable("APP", t);
    db.addTable("APP", "Order Items");
    db.addTable("APP", "x; DROP TABLE t; --");
    db.addTable("APP", "it's");
    const opener = oracleSessionOpener(db.connector());
    const provider = lifecycle(
        makeTargetGrantsProvider({
            openers: {
                oracle: opener,
                postgres: () => Promise.reject(new Error("unused")),
                mysql: () => Promise.reject(new Error("unused")),
            },
        }),
    );
    return { db, tables, provider };
}

describe("TargetGrants on Oracle (recording client)", () => {
    it("creates with one round trip for all grants, records pre-existing, shows drift, updates the delta, revokes exactly what it granted", async () => {
        const { db, tables, provider } = setup(1000);
        db.privileges.set(["APP", "T0000", "REPLICATOR", "SELECT"].join("\0"), "APP");
        const inputs = {
            connection: URL_,
            grantee: "REPLICATOR",
            schema: "APP",
            tables: [...tables, "Order Items", "x; DROP TABLE t; --", "it's"],
        };
        const { id, outs } = await provider.create(inputs);
        assert.equal(db.calls.length, 2, "catalog query + one PL/SQL block");
        assert.equal(db.connects, 1);
        const block = db.calls[1]!.sql;
        assert.equal(block.split("EXECUTE IMMEDIATE").length - 1, 1003, "one GRANT per table");
        assert.ok(
            block.includes(
                `EXECUTE IMMEDIATE 'GRANT SELECT, INSERT, UPDATE, DELETE, FLASHBACK ON "APP"."it''s" TO "REPLICATOR"';`,
            ),
        );
        assert.ok(
            block.includes(
                `EXECUTE IMMEDIATE 'GRANT INSERT, UPDATE, DELETE, FLASHBACK ON "APP"."T0000" TO "REPLICATOR"';`,
            ),
        );
        assert.deepEqual(pairs(outs.preexisting), ["table:T0000:SELECT"]);
        assert.equal(outs.granted.length, 1003 * 5 - 1);
        assert.equal(outs.coveredTables.length, 1003);

        db.privileges.delete(["APP", "T0001", "REPLICATOR", "DELETE"].join("\0"));
        const read = await provider.read(id, outs);
        assert.deepEqual(pairs(read.missing), ["table:T0001:DELETE"]);
        assert.equal(read.granted.length, 1003 * 5 - 2);
        assert.equal((await provider.diff(id, read, inputs)).changes, true);

        db.calls.length = 0;
        const updated = await provider.update(id, read, { ...inputs, tables: ["T0000", "T0001"] });
        assert.equal(db.calls.length, 2);
        assert.deepEqual(read.missing.length, 1);
        assert.deepEqual(db.heldBy("REPLICATOR"), [
            "APP.T0000:DELETE",
            "APP.T0000:FLASHBACK",
            "APP.T0000:INSERT",
            "APP.T0000:SELECT",
            "APP.T0000:UPDATE",
            "APP.T0001:DELETE",
            "APP.T0001:FLASHBACK",
            "APP.T0001:INSERT",
            "APP.T0001:SELECT",
            "APP.T0001:UPDATE",
        ]);

        db.calls.length = 0;
        await provider.delete(id, updated);
        assert.equal(db.calls.length, 2, "catalog query + one PL/SQL block");
        assert.deepEqual(
            db.heldBy("REPLICATOR"),
            ["APP.T0000:SELECT"],
            "pre-existing SELECT survives",
        );
    });

    it("a GRANT failing half-way records what was granted (PartialStateError)", async () => {
        const { db, provider } = setup(3);
        db.failGrantOn = {
            table: "T0002",
            error: new OracleError(1031, "insufficient privileges"),
        };
        const err = await provider
            .create({
                connection: URL_,
                grantee: "REPLICATOR",
                schema: "APP",
                tables: ["T0000", "T0001", "T0002"],
            })
            .then(
                () => undefined,
                (e: unknown) => e,
            );
        assert.ok(err instanceof PartialStateError, String(err));
        assert.match(err.reasons[0]!, /ORA-01031: insufficient privileges/);
        assert.ok(!err.message.includes(":pw@"), "password redacted");
        const granted = (err.properties.granted as { object: string }[]).map((p) => p.object);
        assert.deepEqual([...new Set(granted)], ["T0000", "T0001"]);
        assert.equal(err.properties.connection, URL_);
    });

    it("a lost connection mid-block: grants seen on a new session are granted, the rest pending, never claimed", async () => {
        const { db, provider } = setup(3);
        // A broken connection carries no ORA- number (node-oracledb NJS-/DPY- error).
        db.failGrantOn = {
            table: "T0002",
            error: Object.assign(
                new Error("DPY-4011: the database or network closed the connection"),
                {
                    code: "DPY-4011",
                },
            ) as OracleError,
        };
        const connectsBefore = db.connects;
        const err = await provider
            .create({
                connection: URL_,
                grantee: "REPLICATOR",
                schema: "APP",
                tables: ["T0000", "T0001", "T0002"],
            })
            .then(
                () => undefined,
                (e: unknown) => e,
            );
        assert.ok(err instanceof PartialStateError, String(err));
        assert.equal(db.connects - connectsBefore, 2, "the catalog was re-read on a new session");
        const objects = (list: unknown) => [
            ...new Set((list as { object: string }[]).map((p) => p.object)),
        ];
        assert.deepEqual(objects(err.properties.granted), ["T0000", "T0001"]);
        assert.deepEqual(objects(err.properties.pending), ["T0002"]);
        assert.match(err.reasons[1]!, /pending/);

        // The next up: T0002's grants did not happen, so they are granted now, once.
        db.failGrantOn = undefined;
        const outs = await provider.update(
            err.id,
            err.properties as unknown as TargetGrantsOutputs,
            {
                connection: URL_,
                grantee: "REPLICATOR",
                schema: "APP",
                tables: ["T0000", "T0001", "T0002"],
            },
        );
        assert.deepEqual(objects(outs.granted), ["T0000", "T0001", "T0002"]);
        assert.deepEqual(outs.pending, []);
        await provider.delete(err.id, outs);
        assert.deepEqual(db.heldBy("REPLICATOR"), []);
    });

    it("delete succeeds when tables or the grantee are gone", async () => {
        const { db, provider } = setup(2);
        const { id, outs } = await provider.create({
            connection: URL_,
            grantee: "REPLICATOR",
            schema: "APP",
            tables: ["T0000", "T0001"],
        });
        db.dropTable("APP", "T0000");
        await provider.delete(id, outs);
        assert.deepEqual(db.heldBy("REPLICATOR"), []);
        const again = await provider.create({
            connection: URL_,
            grantee: "REPLICATOR",
            schema: "APP",
            tables: ["T0001"],
        });
        db.dropUser("REPLICATOR");
        await provider.delete(again.id, again.outs);
    });

    it("refuses unknown tables, naming the case rule", async () => {
        const { provider } = setup(1);
        await assert.rejects(
            provider.create({
                connection: URL_,
                grantee: "REPLICATOR",
                schema: "APP",
                tables: ["t0000"],
            }),
            /tables not found in owning schema \(user\) "APP": "t0000" \(names are exact and case-sensitive; unquoted Oracle names are stored in upper case\); nothing was changed/,
        );
    });
});

describe("TargetGrants on a real Oracle server", () => {
    it("grants, reads and revokes on TEST_ORACLE_URL", async (t) => {
        if (!ORACLE_URL) {
            console.log("# skipping the real Oracle test: TEST_ORACLE_URL not set");
            t.skip("TEST_ORACLE_URL not set");
            return;
        }
        const oracledb = require("oracledb") as typeof import("oracledb");
        const parsed = new URL(ORACLE_URL);
        const admin = await oracledb.getConnection({
            user: decodeURIComponent(parsed.username),
            password: decodeURIComponent(parsed.password),
            connectString: `${parsed.hostname}:${parsed.port || 1521}${parsed.pathname}`,
        });
        const owner = uniqueName("TG_OWNER").toUpperCase();
        const grantee = uniqueName("TG_REPL").toUpperCase();
        try {
            await admin.execute(
                `CREATE USER "${owner}" IDENTIFIED BY "Pw_12345678" QUOTA UNLIMITED ON USERS`,
            );
            await admin.execute(`CREATE USER "${grantee}" IDENTIFIED BY "Pw_12345678"`);
            await admin.execute(
                `CREATE TABLE "${owner}"."ORDERS" (ID NUMBER PRIMARY KEY, V VARCHAR2(10))`,
            );
            await admin.execute(
                `CREATE TABLE "${owner}"."Order Items" (ID NUMBER PRIMARY KEY, V VARCHAR2(10))`,
            );
            const provider = lifecycle(
                makeTargetGrantsProvider({
                    openers: {
                        oracle: oracleSessionOpener(),
                        postgres: () => Promise.reject(new Error("unused")),
                        mysql: () => Promise.reject(new Error("unused")),
                    },
                    sessionOptions: DEFAULT_SESSION_OPTIONS,
                }),
            );
            const inputs = {
                connection: ORACLE_URL,
                grantee,
                schema: owner,
                tables: ["ORDERS", "Order Items"],
            };
            const { id, outs } = await provider.create(inputs);
            assert.equal(outs.granted.length, 10);
            const read = await provider.read(id, outs);
            assert.deepEqual(pairs(read.granted), pairs(outs.granted));
            await provider.delete(id, read);
            const after = await provider.read(id, read);
            assert.deepEqual(after.granted, []);
        } finally {
            await admin.execute(`DROP USER "${grantee}" CASCADE`).catch(() => undefined);
            await admin.execute(`DROP USER "${owner}" CASCADE`).catch(() => undefined);
            await admin.close();
        }
    });
});
