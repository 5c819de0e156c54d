/**
 * `sortPairs`, `sortOwnPairs` and `groupByPrivileges` take a one-pass path for input already in order (what
 * planning hands them) and the general path for any other. Seeded random pair lists — sorted,
 * shuffled, with repeated pairs and names only known at apply — prove both paths give what the
 * plain definitions give: a stable sort by kind, object, privilege; objects grouped by their
 * privilege set in the order first met.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    type AtApply,
    type GrantKind,
    type PlannedName,
    type PlannedPair,
    groupByPrivileges,
    isAtApply,
    sortOwnPairs,
    sortPairs,
} from "../../../src/providers/targets/types";
import { seededRandom } from "../../support/seededRandom";

const random = seededRandom;

const KINDS: GrantKind[] = ["schema", "database", "table", "defaultTables"];
const PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"];
const LATER: AtApply[] = [{ atApply: "every table in s" }, { atApply: "the owners" }];

function text(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** The plain definition: a stable sort by kind, object (names known at apply last), privilege. */
function referenceSort(pairs: readonly PlannedPair[]): PlannedPair[] {
    const name = (a: PlannedName, b: PlannedName) =>
        isAtApply(a) || isAtApply(b)
            ? isAtApply(a) && isAtApply(b)
                ? text(a.atApply, b.atApply)
                : isAtApply(a)
                  ? 1
                  : -1
            : text(a, b);
    return [...pairs].sort(
        (a, b) =>
            KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) ||
            name(a.object, b.object) ||
            text(a.privilege, b.privilege),
    );
}

/** The plain definition: each object's privilege set, objects grouped by it in first-met order. */
function referenceGroups(pairs: readonly PlannedPair[], order: readonly string[]) {
    const byObject = new Map<PlannedName, Set<string>>();
    for (const p of pairs)
        byObject.set(p.object, (byObject.get(p.object) ?? new Set()).add(p.privilege));
    const rank = (p: string) => (order.indexOf(p) < 0 ? order.length : order.indexOf(p));
    const groups = new Map<string, { privileges: string[]; objects: PlannedName[] }>();
    for (const [object, set] of byObject) {
        const privileges = [...set].sort((a, b) => rank(a) - rank(b) || text(a, b));
        const group = groups.get(privileges.join(",")) ?? { privileges, objects: [] };
        group.objects.push(object);
        groups.set(privileges.join(","), group);
    }
    return [...groups.values()];
}

function randomPairs(next: () => number): PlannedPair[] {
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const objects: PlannedName[] = ["a", "b", "c", "d", "e", "t1", "t10", "t2", ...LATER];
    const pairs: PlannedPair[] = [];
    const count = Math.floor(next() * 30);
    for (let i = 0; i < count; i++) {
        const pair: PlannedPair = {
            kind: pick(KINDS),
            object: next() < 0.9 ? pick(objects.slice(0, 8)) : pick(LATER),
            privilege: pick(PRIVILEGES),
        };
        if (next() < 0.3) pair.grantor = pick(["x", "y"]);
        pairs.push(pair);
    }
    return pairs;
}

describe("pair order and grouping", () => {
    it("sorts exactly as the plain stable sort, sorted or not, on 3,000 random lists", () => {
        let sortedInputs = 0;
        for (let seed = 1; seed <= 3000; seed++) {
            const next = random(seed);
            let pairs = randomPairs(next);
            if (next() < 0.5) {
                pairs = referenceSort(pairs);
                sortedInputs++;
            }
            const sorted = sortPairs(pairs);
            assert.deepEqual(sorted, referenceSort(pairs), `seed ${seed}`);
            // Equal pairs keep their order: the very objects, in place.
            referenceSort(pairs).forEach((p, i) => assert.equal(sorted[i], p, `seed ${seed}`));
            assert.notEqual(sorted, pairs, "a new list, never the input itself");
            const own = [...pairs];
            assert.deepEqual(sortOwnPairs(own), sorted, `seed ${seed}`);
            assert.equal(sortOwnPairs(own), own, "an owned list is sorted in place");
        }
        assert.ok(sortedInputs > 1000);
    });

    it("groups exactly as the plain definition, sorted or not, of one kind or all, on 3,000 random lists", () => {
        for (let seed = 1; seed <= 3000; seed++) {
            const next = random(seed);
            const all = randomPairs(next);
            const pairs = next() < 0.5 ? referenceSort(all) : all;
            const order = ["SELECT", "INSERT", "UPDATE", "DELETE"];
            const kind = next() < 0.2 ? undefined : KINDS[Math.floor(next() * KINDS.length)]!;
            const ofKind = kind === undefined ? pairs : pairs.filter((p) => p.kind === kind);
            assert.deepEqual(
                groupByPrivileges(pairs, order, kind),
                referenceGroups(ofKind, order),
                `seed ${seed}`,
            );
        }
    });
});
