/**
 * What TargetGrants records after a non-transactional change failed half-way: pending pairs and
 * their resolution by the next catalog read, and which driver errors mean the server finished
 * the batch (so a re-read is certain).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { reconcile } from "../../../src/providers/targetGrants/reconcile";
import { requireDialect } from "../../../src/providers/targets";
import { compareForDiff } from "../../../src/providers/targetGrants/provider";
import type { TargetGrantsOutputs } from "../../../src/providers/targetGrants/provider";
import { mysqlKillConnection } from "../../../src/providers/targets/mysqlCodes";
import type { CatalogSnapshot, GrantPair } from "../../../src/providers/targets/types";

const serverAnswered = (dialect: string, err: unknown): boolean =>
    requireDialect(dialect).serverAnswered(err);

const p = (object: string, privilege: string): GrantPair => ({ kind: "table", object, privilege });
const keys = (list: GrantPair[] | undefined) =>
    (list ?? []).map((x) => `${x.object}:${x.privilege}`);
const snapshot = (held: GrantPair[]): CatalogSnapshot => ({
    schemaExists: true,
    granteeExists: true,
    currentUser: "admin",
    tables: ["a", "b", "c"].map((name) => ({ name, owner: "admin", baseTable: true })),
    held,
});

describe("reconcile with pending pairs", () => {
    it("a pending pair now held becomes granted; one not held is dropped; none stays pending", () => {
        const out = reconcile(
            {
                granted: [p("a", "SELECT")],
                preexisting: [p("c", "SELECT")],
                pending: [p("b", "SELECT"), p("b", "INSERT")],
            },
            snapshot([p("a", "SELECT"), p("b", "SELECT"), p("c", "SELECT")]),
        );
        assert.deepEqual(keys(out.granted), ["a:SELECT", "b:SELECT"]);
        assert.deepEqual(keys(out.preexisting), ["c:SELECT"]);
        assert.equal(out.pending, undefined);
    });

    it("a pending pair recorded as pre-existing stays pre-existing (never revoked)", () => {
        const out = reconcile(
            { granted: [], preexisting: [p("a", "SELECT")], pending: [p("a", "SELECT")] },
            snapshot([p("a", "SELECT")]),
        );
        assert.deepEqual(keys(out.granted), []);
        assert.deepEqual(keys(out.preexisting), ["a:SELECT"]);
    });

    it("state without the field (older shape) reconciles as before", () => {
        const out = reconcile(
            { granted: [p("a", "SELECT"), p("b", "SELECT")], preexisting: [] },
            snapshot([p("a", "SELECT")]),
        );
        assert.deepEqual(keys(out.granted), ["a:SELECT"]);
    });
});

describe("diff after a partial failure", () => {
    it("pending pairs in state make the next up run update", () => {
        const olds: TargetGrantsOutputs = {
            connection: "mysql://root@127.0.0.1:3306/",
            dialect: "mysql",
            grantee: "r",
            granteeHost: "%",
            schema: "app",
            tables: ["a"],
            privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
            defaultPrivileges: false,
            defaultPrivilegesFor: null,
            server: "mysql://127.0.0.1:3306",
            defaultPrivilegeOwners: [],
            granted: [],
            preexisting: [],
            pending: [p("a", "SELECT")],
            missing: [],
            coveredTables: [],
            stateVersion: 1,
        };
        const inputs = {
            connection: olds.connection,
            grantee: "r",
            schema: "app",
            tables: ["a"],
        };
        assert.deepEqual(compareForDiff(olds, inputs), { replaces: [], changed: ["pending"] });
        assert.deepEqual(compareForDiff({ ...olds, pending: [] }, inputs), {
            replaces: [],
            changed: [],
        });
    });
});

describe("serverAnswered", () => {
    const withCodes = (codes: { code?: string; errno?: number; errorNum?: number }) =>
        Object.assign(new Error("x"), codes);

    it("MySQL: a server errno means the batch stopped there; client and socket errors do not", () => {
        assert.equal(serverAnswered("mysql", withCodes({ errno: 1146 })), true);
        assert.equal(serverAnswered("mysql", withCodes({ errno: 3118 })), true);
        assert.equal(serverAnswered("mysql", withCodes({ errno: 2013 })), false);
        assert.equal(
            serverAnswered("mysql", withCodes({ errno: -104, code: "ECONNRESET" })),
            false,
        );
        assert.equal(
            serverAnswered("mysql", withCodes({ code: "PROTOCOL_CONNECTION_LOST" })),
            false,
        );
    });

    it("Oracle: an ORA- error answers the call, unless it means the connection broke", () => {
        assert.equal(serverAnswered("oracle", withCodes({ errorNum: 1031 })), true);
        assert.equal(serverAnswered("oracle", withCodes({ errorNum: 3113 })), false);
        assert.equal(serverAnswered("oracle", withCodes({ errorNum: 3135 })), false);
        assert.equal(serverAnswered("oracle", withCodes({ code: "NJS-500" })), false);
    });
});

describe("mysqlKillConnection", () => {
    it("renders only a positive integer connection id", () => {
        assert.equal(mysqlKillConnection(42), "KILL CONNECTION 42");
        for (const bad of [0, -1, 1.5, Number.NaN]) {
            assert.throws(() => mysqlKillConnection(bad), /invalid MySQL connection id/);
        }
    });
});
