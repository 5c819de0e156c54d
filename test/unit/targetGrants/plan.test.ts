/** Pure planning: what to grant/revoke and what to record (table-driven). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { planChange, reconcile } from "../../../src/providers/targetGrants/plan";
import type { CatalogSnapshot, GrantPair } from "../../../src/providers/dialects/types";

const p = (object: string, privilege: string, kind: GrantPair["kind"] = "table"): GrantPair => ({
    kind,
    object,
    privilege,
});
const keys = (list: GrantPair[]) => list.map((x) => `${x.kind}:${x.object}:${x.privilege}`);

describe("planChange", () => {
    const CASES: {
        name: string;
        previous: GrantPair[];
        desired: GrantPair[];
        held: GrantPair[];
        grant: string[];
        revoke: string[];
        granted: string[];
        preexisting: string[];
    }[] = [
        {
            name: "create grants only what is missing; what is held is pre-existing",
            previous: [],
            desired: [p("a", "SELECT"), p("a", "DELETE")],
            held: [p("a", "SELECT")],
            grant: ["table:a:DELETE"],
            revoke: [],
            granted: ["table:a:DELETE"],
            preexisting: ["table:a:SELECT"],
        },
        {
            name: "update revokes only what this resource granted and no longer wants",
            previous: [p("a", "DELETE"), p("b", "DELETE")],
            desired: [p("a", "SELECT"), p("a", "DELETE")],
            held: [p("a", "SELECT"), p("a", "DELETE"), p("b", "DELETE"), p("c", "DELETE")],
            grant: [],
            revoke: ["table:b:DELETE"],
            granted: ["table:a:DELETE"],
            preexisting: ["table:a:SELECT"],
        },
        {
            name: "a pair of ours revoked by hand is granted again",
            previous: [p("a", "DELETE")],
            desired: [p("a", "DELETE")],
            held: [],
            grant: ["table:a:DELETE"],
            revoke: [],
            granted: ["table:a:DELETE"],
            preexisting: [],
        },
    ];
    for (const c of CASES) {
        it(c.name, () => {
            const change = planChange(c.previous, c.desired, c.held);
            assert.deepEqual(keys(change.toGrant), c.grant);
            assert.deepEqual(keys(change.toRevoke), c.revoke);
            assert.deepEqual(keys(change.granted), c.granted);
            assert.deepEqual(keys(change.preexisting), c.preexisting);
        });
    }
});

describe("reconcile", () => {
    it("drops what is no longer held and adopts tables created by owners our default privileges cover", () => {
        const snapshot: CatalogSnapshot = {
            schemaExists: true,
            granteeExists: true,
            currentUser: "admin",
            tables: [
                { name: "old", owner: "admin", baseTable: true },
                { name: "new", owner: "admin", baseTable: true },
                { name: "foreign", owner: "someone", baseTable: true },
            ],
            held: [
                p("admin", "SELECT", "defaultTables"),
                p("old", "SELECT"),
                p("new", "SELECT"),
                p("new", "DELETE"),
                p("foreign", "SELECT"),
            ],
        };
        const result = reconcile(
            {
                granted: [
                    p("admin", "SELECT", "defaultTables"),
                    p("old", "SELECT"),
                    p("old", "DELETE"),
                ],
                preexisting: [],
            },
            snapshot,
        );
        assert.deepEqual(keys(result.granted), [
            "table:new:SELECT",
            "table:old:SELECT",
            "defaultTables:admin:SELECT",
        ]);
    });
});
