/** TargetGrants state codec: grouped lists round-trip exactly and stay small at 10,000 tables. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    type GrantLists,
    PLAIN_LIMIT,
    decodeGrantLists,
    decodeRanges,
    encodeGrantLists,
    encodeRanges,
    readGrantLists,
    storeGrantLists,
} from "../../../src/providers/targetGrants/stateCodec";
import {
    fromStoredOutputs,
    toStoredOutputs,
    toStoredOutputsAfterRead,
} from "../../../src/providers/targetGrants/storedOutputs";
import { readVersionedState } from "../../../src/providers/kernel/stateVersion";
import {
    type ColumnGrant,
    type GrantPair,
    sortColumnGrants,
    sortPairs,
} from "../../../src/providers/targets/types";

const PRIVILEGES = ["DELETE", "INSERT", "SELECT", "UPDATE"];

function tables(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `t${i + 1}`);
}

function tablePairs(names: readonly string[], grantor?: string): GrantPair[] {
    return names.flatMap((object) =>
        PRIVILEGES.map((privilege) => {
            const pair: GrantPair = { kind: "table", object, privilege };
            if (grantor !== undefined) pair.grantor = grantor;
            return pair;
        }),
    );
}

function empty(): GrantLists {
    return {
        granted: [],
        preexisting: [],
        pending: [],
        missing: [],
        columnGrants: [],
        coveredTables: [],
    };
}

/** A PostgreSQL-like resource over `count` tables, with every list and field variant in it. */
function postgresLists(count: number): GrantLists {
    const names = tables(count);
    const granted = sortPairs([
        { kind: "schema", object: "s", privilege: "USAGE", grantor: "admin" },
        ...tablePairs(names.slice(0, Math.ceil(count / 2)), "admin"),
        // Tables created by another owner: granted by that owner through default privileges.
        ...tablePairs(names.slice(Math.ceil(count / 2), count - 1), "app_owner"),
        ...PRIVILEGES.map((privilege) => ({
            kind: "defaultTables" as const,
            object: "admin",
            privilege,
            grantor: "admin",
        })),
        ...PRIVILEGES.map((privilege) => ({
            kind: "defaultTables" as const,
            object: "app_owner",
            privilege,
            grantor: "app_owner",
        })),
    ]);
    const last = names[count - 1]!;
    const preexisting = sortPairs([
        ...tablePairs([last], "admin").filter((p) => p.privilege === "SELECT"),
        { kind: "defaultTables", object: "etl", privilege: "SELECT", scope: "database" },
    ]);
    const missing = sortPairs(
        tablePairs([last], "admin")
            .filter((p) => p.privilege !== "SELECT")
            .map(({ kind, object, privilege }) => ({ kind, object, privilege })),
    );
    const columnGrants: ColumnGrant[] = sortColumnGrants([
        { table: "t1", column: "b", privilege: "UPDATE", grantor: "admin", grantable: true },
        { table: "t1", column: "a", privilege: "UPDATE", grantor: "admin", grantable: true },
        { table: "t2", column: "a", privilege: "SELECT", grantor: "admin", grantable: false },
        { table: "t2", column: "a", privilege: "SELECT", grantor: "other" },
    ]);
    return {
        granted,
        preexisting,
        pending: [{ kind: "table", object: "t3", privilege: "TRUNCATE" }],
        missing,
        columnGrants,
        coveredTables: [...names.slice(0, count - 1)].sort(),
    };
}

describe("index ranges", () => {
    for (const [indices, text] of [
        [[], ""],
        [[0], "0"],
        [[0, 1, 2, 5, 7, 8], "0-2,5,7-8"],
        [[3, 9999], "3,9999"],
    ] as [number[], string][]) {
        it(`${JSON.stringify(indices)} ⇄ ${JSON.stringify(text)}`, () => {
            assert.equal(encodeRanges(indices), text);
            assert.deepEqual(decodeRanges(text), indices);
        });
    }
    it("refuses text it did not write", () => {
        assert.throws(() => decodeRanges("1-x"), /bad index range/);
        assert.throws(() => decodeRanges("5-2"), /bad index range/);
    });
});

describe("grouped grants round trip", () => {
    for (const count of [1, 10, 1000, 10000]) {
        it(`PostgreSQL-like lists over ${count} tables (grantors, kinds, scope, column grants)`, () => {
            const lists = postgresLists(count);
            const grouped = encodeGrantLists(lists);
            assert.deepEqual(decodeGrantLists(grouped), lists);
            // Through JSON, as Pulumi stores it.
            const stored = JSON.parse(JSON.stringify(grouped)) as typeof grouped;
            assert.deepEqual(decodeGrantLists(stored), lists);
        });
    }

    it("MySQL db.* and per-table lists (no grantors)", () => {
        const names = tables(2500);
        const lists: GrantLists = {
            ...empty(),
            granted: sortPairs([
                ...PRIVILEGES.map((privilege) => ({
                    kind: "database" as const,
                    object: "shop",
                    privilege,
                })),
                ...tablePairs(names).filter((p) => p.privilege !== "DELETE"),
            ]),
            columnGrants: [{ table: "t9", column: "price", privilege: "UPDATE" }],
            coveredTables: [...names].sort(),
        };
        assert.deepEqual(decodeGrantLists(encodeGrantLists(lists)), lists);
    });

    it("Oracle names with quotes, spaces and mixed case", () => {
        const lists: GrantLists = {
            ...empty(),
            granted: sortPairs(tablePairs(["ORDERS", 'Order "Lines"', "a b", "ÄLTERE", "Z"], "HR")),
        };
        assert.deepEqual(decodeGrantLists(encodeGrantLists(lists)), lists);
    });

    it("an empty record round-trips", () => {
        assert.deepEqual(decodeGrantLists(encodeGrantLists(empty())), empty());
    });

    it("refuses an unknown format and out-of-range indices", () => {
        const grouped = encodeGrantLists(postgresLists(3));
        assert.throws(
            () => decodeGrantLists({ ...grouped, format: 2 as 1 }),
            /format 2 is not supported/,
        );
        assert.throws(
            () => decodeGrantLists({ ...grouped, coveredTables: "0", objects: [] }),
            /out of range|undefined/,
        );
        assert.throws(
            () =>
                decodeGrantLists({
                    ...grouped,
                    granted: [{ kind: "table", privileges: ["SELECT"], objects: "99" }],
                }),
            /object index 99 out of range/,
        );
    });
});

describe("size at 10,000 tables", () => {
    it("explicit table list: the grouped lists stay far below 256 KB", () => {
        const lists = postgresLists(10000);
        const plain = JSON.stringify(lists).length;
        const grouped = JSON.stringify(storeGrantLists(lists)).length;
        assert.ok(plain > 2_000_000, `plain ${plain} B`);
        assert.ok(grouped < 128 * 1024, `grouped ${grouped} B`);
        // Names are stored once; everything else is a handful of groups.
        assert.ok(encodeGrantLists(lists).granted.length <= 6);
    });

    it("a MySQL db.* grant is a few hundred bytes until refresh lists the covered tables", () => {
        const lists: GrantLists = {
            ...empty(),
            granted: PRIVILEGES.map((privilege) => ({
                kind: "database",
                object: "shop",
                privilege,
            })),
        };
        assert.ok(JSON.stringify(storeGrantLists(lists)).length < 600);
    });
});

describe("stored form and state migration", () => {
    it("small lists stay plain; large ones are grouped; both read back the same", () => {
        const small = postgresLists(10);
        assert.deepEqual(storeGrantLists(small), small);
        assert.deepEqual(readGrantLists({ ...storeGrantLists(small) }), small);
        const large = postgresLists(PLAIN_LIMIT);
        const stored = storeGrantLists(large);
        assert.ok("groupedGrants" in stored);
        assert.deepEqual(readGrantLists({ ...stored }), large);
    });

    it("plain state written before pending, columnGrants and missingTables existed reads", () => {
        const lists = readGrantLists({ granted: tablePairs(["a"]), preexisting: [] });
        assert.deepEqual(lists, { ...empty(), granted: tablePairs(["a"]) });
    });

    it("large state is stored grouped as version 2 and read back as the version 1 shape", () => {
        const v1 = {
            stateVersion: 1,
            dialect: "postgres",
            schema: "s",
            tables: null,
            missingTables: ["gone"],
            ...postgresLists(2000),
        };
        const stored = toStoredOutputs(v1);
        assert.equal(stored["stateVersion"], 2);
        assert.equal(stored["granted"], undefined, "large lists are not stored plain");
        assert.deepEqual(stored["missingTables"], ["gone"]);
        assert.ok(JSON.stringify(stored).length < JSON.stringify(v1).length / 10);
        assert.deepEqual(fromStoredOutputs(stored), v1);
        // Through JSON, as Pulumi stores it.
        assert.deepEqual(fromStoredOutputs(JSON.parse(JSON.stringify(stored))), v1);
        // A package that reads only version 1 refuses it.
        assert.throws(
            () => readVersionedState(stored, { resource: "TargetGrants", current: 1 }),
            /state version 2 was written by a newer version/,
        );
        // Version 1 state of any size, and unknown versions, are left as they are.
        assert.equal(fromStoredOutputs(v1), v1);
        const newer = { ...stored, stateVersion: 3 };
        assert.equal(fromStoredOutputs(newer), newer);
    });

    it("a refresh that changed no list keeps the stored grouped record; any change re-encodes", () => {
        const outs = {
            stateVersion: 1,
            dialect: "postgres",
            schema: "s",
            missingTables: [],
            ...postgresLists(2000),
        };
        const before = JSON.parse(JSON.stringify(toStoredOutputs(outs))) as Record<string, unknown>;
        const beforePlain = fromStoredOutputs<typeof outs>(before);
        // Unchanged lists (fresh objects, as a refresh builds them): the stored record is kept.
        const unchanged = JSON.parse(JSON.stringify(beforePlain)) as typeof outs;
        const kept = toStoredOutputsAfterRead(unchanged, before, beforePlain);
        assert.equal(kept["groupedGrants"], before["groupedGrants"]);
        assert.deepEqual(kept, toStoredOutputs(unchanged));
        // Other fields still come from the new outputs.
        const renamed = toStoredOutputsAfterRead(
            { ...unchanged, missingTables: ["gone"] },
            before,
            beforePlain,
        );
        assert.deepEqual(renamed["missingTables"], ["gone"]);
        // One field of one pair differs: encoded again, and it reads back as the new lists.
        const changes: ((o: typeof outs) => void)[] = [
            (o) => (o.granted[5] = { ...o.granted[5]!, grantor: "someone" }),
            (o) => o.granted.pop(),
            (o) =>
                (o.preexisting = sortPairs([
                    ...o.preexisting,
                    { kind: "table", object: "x", privilege: "SELECT" },
                ])),
            (o) => (o.missing = [{ kind: "table", object: "t1", privilege: "SELECT" }]),
            (o) => (o.coveredTables = o.coveredTables.slice(1)),
            (o) =>
                (o.columnGrants = o.columnGrants.map((c, i) =>
                    i === 0 ? { ...c, grantable: !c.grantable } : c,
                )),
        ];
        for (const change of changes) {
            const changed = JSON.parse(JSON.stringify(beforePlain)) as typeof outs;
            change(changed);
            const stored = toStoredOutputsAfterRead(changed, before, beforePlain);
            assert.notEqual(stored["groupedGrants"], before["groupedGrants"]);
            assert.deepEqual(fromStoredOutputs(stored), { ...changed, stateVersion: 1 });
        }
        // Plain (small) state before: nothing to keep, stored as usual.
        const small = { stateVersion: 1, schema: "s", missingTables: [], ...postgresLists(10) };
        assert.deepEqual(toStoredOutputsAfterRead(small, small, small), small);
    });

    it("small outputs are stored exactly as they are", () => {
        const outs = { stateVersion: 2, schema: "s", missingTables: [], ...postgresLists(10) };
        assert.deepEqual(toStoredOutputs(outs), outs);
        assert.equal(fromStoredOutputs(outs), outs);
    });
});
