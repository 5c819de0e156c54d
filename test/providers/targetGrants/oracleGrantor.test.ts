/**
 * TargetGrants on Oracle (recording client): Oracle lets only the grantor revoke an object
 * privilege, and ORA-01927 ("cannot REVOKE privileges you did not grant") means the privilege is
 * still there — never "already gone". A delete after the connection switched to another user
 * fails naming the grantor and the fix, keeps the state, and succeeds once run as the grantor.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../../src/providers/targetGrants/provider";
import { oracleSessionOpener } from "../../../src/providers/targets/oracleSession";
import { RecordingOracle } from "../../support/grants/recordingOracle";
import { lifecycle } from "../../support/grants/fixtures";

describe("TargetGrants on Oracle: grantor switch", () => {
    it("a REVOKE refused with ORA-01927 fails the delete, naming the grantor and the fix", async () => {
        const db = new RecordingOracle();
        db.users.add("REPLICATOR");
        db.users.add("OTHER_ADMIN");
        db.addTable("APP", "T1");
        const unused = () => Promise.reject(new Error("unused"));
        const provider = lifecycle(
            makeTargetGrantsProvider({
                openers: {
                    oracle: oracleSessionOpener(db.connector()),
                    postgres: unused,
                    mysql: unused,
                },
            }),
        );
        const inputs = {
            connection: "oracle://admin:pw@oracle.test:1521/FREEPDB1",
            grantee: "REPLICATOR",
            schema: "APP",
            tables: ["T1"],
        };
        const { id, outs } = await provider.create(inputs);
        assert.equal(db.heldBy("REPLICATOR").length, 5);
        const switched = {
            ...outs,
            connection: "oracle://other_admin:pw@oracle.test:1521/FREEPDB1",
        };
        await assert.rejects(provider.delete(id, switched), (err: Error) => {
            assert.match(err.message, /ORA-01927/);
            assert.match(err.message, /granted by "ADMIN"/);
            assert.match(err.message, /Fix: set `connection` to "ADMIN"/);
            return true;
        });
        assert.equal(
            db.heldBy("REPLICATOR").length,
            5,
            "nothing was reported revoked that is still there",
        );
        await provider.delete(id, outs);
        assert.deepEqual(db.heldBy("REPLICATOR"), []);
    });
});
