/**
 * A PostgreSQL read keeps its table pairs by catalog group (`tableGroups.ts`), and reconciliation,
 * `attachGrantors`, `missingGrants`, `coveredTables` and a refresh's kept record use the groups
 * when they can. Seeded random catalogs and recorded states prove every result equal to the
 * pair-by-pair computation over the same held list without groups, on states that take the
 * grouped path and on ones that must not (a pair dropped, held from another grantor, recorded
 * twice, pending, out of order, a new table).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { currentState } from "../../../src/providers/targetGrants/apply/read";
import { outputsOf } from "../../../src/providers/targetGrants/apply/outputs";
import { keptRecord } from "../../../src/providers/targetGrants/keptRecord";
import { coveredTables, missingGrants } from "../../../src/providers/targetGrants/plan";
import { encodeGrantLists, readGrantLists } from "../../../src/providers/targetGrants/stateCodec";
import {
    fromStoredOutputs,
    storedOutputsWithoutLists,
    toStoredOutputsAfterRead,
    withGroupedRecord,
} from "../../../src/providers/targetGrants/storedOutputs";
import { parseConnection } from "../../../src/providers/targets/connection";
import {
    type RecordedGrants,
    attachGrantors,
    reconcile,
} from "../../../src/providers/targetGrants/reconcile";
import { recordedTablesExactlyHeld } from "../../../src/providers/targetGrants/reconcileTables";
import type {
    GrantScopeConfig,
    TargetGrantsConfig,
    TargetGrantsOutputs,
} from "../../../src/providers/targetGrants/types";
import { requireDialect } from "../../../src/providers/targets";
import { type PgCatalogRow, parsePgCatalog } from "../../../src/providers/targets/postgresCatalog";
import { tableGroupsOf } from "../../../src/providers/targets/tableGroups";
import {
    type CatalogSnapshot,
    type GrantPair,
    sortPairs,
} from "../../../src/providers/targets/types";
import { seededRandom } from "../../support/seededRandom";

const random = seededRandom;

const PRIVILEGES = ["DELETE", "INSERT", "SELECT", "UPDATE"];
const ROLES = ["admin", "owner_a", "owner_b"];

/** Random catalog rows: the meta row, schema USAGE, a few ACL groups and default ACLs. */
function catalogRows(next: () => number): PgCatalogRow[] {
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const rows: PgCatalogRow[] = [
        {
            kind: "meta",
            name: "admin",
            owner: "admin",
            relkind: "superuser",
            schema_exists: true,
            grantee_exists: true,
            server_version: 150000,
            privileges: [...ROLES],
        },
        {
            kind: "schema",
            name: "s",
            owner: null,
            relkind: null,
            schema_exists: null,
            grantee_exists: null,
            privileges: ["USAGE:admin"],
        },
    ];
    const tables = Array.from({ length: 2 + Math.floor(next() * 10) }, (_, i) => `t${i}`);
    let at = 0;
    while (at < tables.length) {
        const size = 1 + Math.floor(next() * 4);
        const members = tables.slice(at, at + size);
        at += size;
        const privileges = PRIVILEGES.filter(() => next() < 0.7).map(
            (p) => `${p}:${next() < 0.85 ? "admin" : pick(ROLES)}`,
        );
        // Now and then one privilege from two grantors.
        if (privileges.length > 0 && next() < 0.1)
            privileges.push(`${privileges[0]!.split(":")[0]}:owner_b`);
        rows.push({
            kind: "relations",
            name: "",
            owner: next() < 0.8 ? "admin" : pick(ROLES),
            relkind: next() < 0.9 ? "r" : "v",
            schema_exists: null,
            grantee_exists: null,
            privileges,
            members: JSON.stringify(members),
        });
    }
    if (next() < 0.6) {
        rows.push({
            kind: "default",
            name: "admin",
            owner: null,
            relkind: null,
            schema_exists: null,
            grantee_exists: null,
            privileges: PRIVILEGES.filter(() => next() < 0.6).map((p) => `${p}:admin`),
        });
    }
    return rows;
}

/** The held pairs of `rows`, one by one in the order of the rows (what the parser must list). */
function heldOfRows(rows: readonly PgCatalogRow[]): GrantPair[] {
    const held: GrantPair[] = [];
    const split = (entry: string) => {
        const at = entry.indexOf(":");
        return { privilege: entry.slice(0, at), grantor: entry.slice(at + 1) };
    };
    for (const row of rows) {
        const entries = (row.privileges ?? []).map(split);
        if (row.kind === "relations") {
            for (const object of JSON.parse(row.members!) as string[]) {
                for (const e of entries) held.push({ kind: "table", object, ...e });
            }
        } else if (row.kind === "schema" || row.kind === "default") {
            const kind = row.kind === "schema" ? "schema" : "defaultTables";
            for (const e of entries) held.push({ kind, object: row.name, ...e });
        }
    }
    return held;
}

/** A recorded state derived from `snapshot`, then changed in a few random ways. */
function recordedFrom(snapshot: CatalogSnapshot, next: () => number): RecordedGrants {
    const granted: GrantPair[] = [];
    const preexisting: GrantPair[] = [];
    const pending: GrantPair[] = [];
    for (const pair of snapshot.held) {
        const roll = next();
        if (roll < 0.08) continue; // not recorded: a new grant someone else made
        if (roll < 0.2) preexisting.push(pair);
        else granted.push(pair);
    }
    const sorted = { granted: sortPairs(granted), preexisting: sortPairs(preexisting), pending };
    const change = next();
    if (change < 0.1 && sorted.granted.length > 0) {
        const i = Math.floor(next() * sorted.granted.length);
        sorted.granted[i] = { ...sorted.granted[i]!, grantor: "owner_b" };
    } else if (change < 0.2 && sorted.granted.length > 0) {
        sorted.preexisting.push(sorted.granted[Math.floor(next() * sorted.granted.length)]!);
    } else if (change < 0.3 && sorted.granted.length > 1) {
        sorted.granted.reverse();
    } else if (change < 0.4) {
        sorted.pending.push({ kind: "table", object: "t0", privilege: "TRUNCATE" });
        sorted.pending.push({ kind: "table", object: "t1", privilege: "SELECT" });
    } else if (change < 0.5) {
        sorted.granted.push({
            kind: "table",
            object: "gone",
            privilege: "SELECT",
            grantor: "admin",
        });
    } else if (change < 0.55 && sorted.granted.length > 0) {
        const { grantor: _, ...noGrantor } = sorted.granted[0]!;
        sorted.granted[0] = noGrantor;
    } else if (change < 0.6 && sorted.granted.length > 0) {
        sorted.granted.push(sorted.granted[sorted.granted.length - 1]!);
    }
    if (next() < 0.3)
        sorted.granted.push({
            kind: "defaultTables",
            object: "admin",
            privilege: "SELECT",
            grantor: "admin",
        });
    return sorted;
}

const config = (tables: string[] | null): GrantScopeConfig => ({
    dialect: requireDialect("postgres"),
    grantee: "app",
    granteeHost: undefined,
    schema: "s",
    tables,
    privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    defaultPrivileges: true,
    defaultPrivilegesFor: null,
});

describe("TargetGrants grouped PostgreSQL read", () => {
    it("reconciles, finds missing grants and covered tables exactly as pair by pair, on 2,000 random catalogs and states", () => {
        let grouped = 0;
        for (let seed = 1; seed <= 2000; seed++) {
            const next = random(seed);
            const rows = catalogRows(next);
            // Grouped lookups on a read whose held list nobody has asked for yet.
            const snapshot = parsePgCatalog(rows);
            assert.ok(tableGroupsOf(snapshot), `seed ${seed}: the parser recorded its groups`);
            // The same held pairs in a new list: no groups, every lookup pair by pair.
            const reference = parsePgCatalog(rows);
            const ungrouped: CatalogSnapshot = { ...reference, held: [...reference.held] };
            assert.equal(tableGroupsOf(ungrouped), undefined);
            const previous = recordedFrom(reference, next);
            if (recordedTablesExactlyHeld(previous, snapshot)) grouped++;
            assert.deepEqual(
                reconcile(previous, snapshot),
                reconcile(previous, ungrouped),
                `seed ${seed}`,
            );
            // Grantors as a change batch records them: from the catalog, where it shows one.
            const asGranted = [
                ...reference.held.map(({ grantor: _, ...pair }) => pair),
                { kind: "table" as const, object: "gone", privilege: "SELECT" },
                { kind: "table" as const, object: "t0", privilege: "TRUNCATE", grantor: "x" },
            ];
            assert.deepEqual(
                attachGrantors(asGranted, snapshot),
                attachGrantors(asGranted, ungrouped),
                `seed ${seed}`,
            );
            for (const c of [config(null), config(["t1", "t0", "missing"])]) {
                assert.deepEqual(
                    missingGrants(c, snapshot),
                    missingGrants(c, ungrouped),
                    `seed ${seed}`,
                );
                assert.deepEqual(
                    coveredTables(c, snapshot),
                    coveredTables(c, ungrouped),
                    `seed ${seed}`,
                );
            }
        }
        // Both paths are exercised.
        assert.ok(
            grouped > 200 && grouped < 1800,
            `${grouped} of 2,000 states took the grouped path`,
        );
    });

    it("lists the held pairs, built when first read, exactly as the catalog rows give them, on 2,000 random catalogs", () => {
        for (let seed = 1; seed <= 2000; seed++) {
            const rows = catalogRows(random(seed));
            const snapshot = parsePgCatalog(rows);
            assert.deepEqual(snapshot.held, heldOfRows(rows), `seed ${seed}`);
            assert.equal(snapshot.held, snapshot.held, "built once");
            assert.ok(tableGroupsOf(snapshot), "the groups stay once the list is built");
            const copy = { ...snapshot };
            assert.deepEqual(copy.held, snapshot.held);
            assert.equal(tableGroupsOf(copy), undefined, "a copy has no groups");
        }
    });

    it("drops the groups of a read whose held list is replaced", () => {
        const snapshot = parsePgCatalog(catalogRows(random(3)));
        assert.ok(tableGroupsOf(snapshot));
        snapshot.held = snapshot.held.filter((p) => p.kind !== "table");
        assert.equal(tableGroupsOf(snapshot), undefined);
        assert.deepEqual(
            coveredTables(config(null), snapshot),
            [],
            "lookups read the new list, not the groups",
        );
    });

    it("lists every pair of a table that two groups name, and looks nothing up by group", () => {
        const rows = catalogRows(random(11));
        const relations = rows.filter((r) => r.kind === "relations");
        const twice = JSON.parse(relations[0]!.members!) as unknown[];
        rows.push({
            ...relations[0]!,
            privileges: ["TRUNCATE:admin"],
            members: JSON.stringify(twice),
        });
        const snapshot = parsePgCatalog(rows);
        assert.equal(tableGroupsOf(snapshot), undefined);
        assert.deepEqual(snapshot.held, heldOfRows(rows));
    });

    it("keeps the recorded table pairs only when they are exactly what the catalog holds", () => {
        const rows = catalogRows(random(7));
        const snapshot = parsePgCatalog(rows);
        const tablePairs = sortPairs(snapshot.held.filter((p) => p.kind === "table"));
        const exact: RecordedGrants = { granted: tablePairs, preexisting: [] };
        assert.ok(recordedTablesExactlyHeld(exact, snapshot));
        assert.equal(
            recordedTablesExactlyHeld({ granted: tablePairs.slice(1), preexisting: [] }, snapshot),
            undefined,
            "a held pair not recorded",
        );
        assert.equal(
            recordedTablesExactlyHeld(
                { granted: [...tablePairs].reverse(), preexisting: [] },
                snapshot,
            ),
            tablePairs.length > 1 ? undefined : recordedTablesExactlyHeld(exact, snapshot),
            "out of order",
        );
        assert.equal(
            recordedTablesExactlyHeld(
                { granted: tablePairs, preexisting: tablePairs.slice(0, 1) },
                snapshot,
            ),
            undefined,
            "recorded twice",
        );
        assert.equal(
            recordedTablesExactlyHeld(
                { ...exact, pending: [{ kind: "table", object: "t0", privilege: "SELECT" }] },
                snapshot,
            ),
            undefined,
            "a table pair pending",
        );
        assert.equal(
            recordedTablesExactlyHeld(exact, { ...snapshot, held: [...snapshot.held] }),
            undefined,
            "no groups recorded",
        );
    });

    it("keeps a stored grouped record exactly when the pair-by-pair read would store it unchanged, on 2,000 random states", () => {
        const connection = parseConnection("postgres://admin@db.example:5432/app");
        assert.ok(connection.ok);
        let kept = 0;
        let unchanged = 0;
        for (let seed = 1; seed <= 2000; seed++) {
            const next = random(seed);
            const snapshot = parsePgCatalog(catalogRows(next));
            const c: TargetGrantsConfig = {
                ...config(next() < 0.8 ? null : ["t1", "t0"]),
                connection: connection.value,
            };
            // What an earlier read stored: the catalog as the recorded pairs say, then changed.
            const earlier = outputsOf(c, ["admin"], recordedFrom(snapshot, next), snapshot);
            if (next() < 0.15)
                earlier.missing = [{ kind: "table", object: "t0", privilege: "SELECT" }];
            if (next() < 0.15) earlier.coveredTables = earlier.coveredTables.slice(1);
            const stored = withGroupedRecord(
                earlier,
                encodeGrantLists(readGrantLists(earlier as never)),
            );
            const before = fromStoredOutputs<TargetGrantsOutputs>(stored);
            const state = currentState(before);
            const slow = toStoredOutputsAfterRead(
                outputsOf(c, state.defaultPrivilegeOwners, reconcile(state, snapshot), snapshot),
                stored,
                before,
            );
            if (slow["groupedGrants"] === stored["groupedGrants"]) unchanged++;
            const shell = currentState(storedOutputsWithoutLists(stored));
            const fast = keptRecord(c, shell, stored["groupedGrants"] as never, snapshot);
            if (!fast) continue;
            kept++;
            assert.deepEqual(fast, slow, `seed ${seed}`);
            assert.equal(
                fast["groupedGrants"],
                stored["groupedGrants"],
                `seed ${seed}: the record is kept`,
            );
        }
        // Both ways are exercised. A read that leaves the lists unchanged while the grantee also
        // holds table pairs this resource does not record goes pair by pair: it is not kept.
        assert.ok(kept > 100 && kept < unchanged, `${kept} kept, ${unchanged} unchanged`);
    });
});
