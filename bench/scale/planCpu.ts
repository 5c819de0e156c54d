/**
 * CPU cost of TargetGrants planning alone (no database): the pure steps `read` (refresh) and
 * `create` run on a catalog snapshot of N tables, on synthetic PostgreSQL and MySQL catalogs,
 * medians of `--reps` runs, in CPU time of the process (user + system). Shows what the provider adds on the client at 10,000 tables.
 *
 *   node --import tsx bench/scale/planCpu.ts --tables 10000 --reps 9
 */
import { parseTargetGrants } from "../../src/providers/targetGrants/check";
import {
    changeSteps,
    coveredTables,
    desiredGrants,
    heldAfter,
    missingGrants,
    missingTables,
    planChange,
} from "../../src/providers/targetGrants/plan";
import {
    attachGrantors,
    columnsToRestore,
    reconcile,
    reconcileColumnGrants,
} from "../../src/providers/targetGrants/reconcile";
import type { CatalogSnapshot, GrantPair } from "../../src/providers/targets/types";
import { median } from "../lib/stats";
import { argument } from "../lib/cpuStages";

const tables = Number(argument("tables", "10000"));
const reps = Number(argument("reps", "9"));
const names = Array.from({ length: tables }, (_, i) => `t${i + 1}`);

function snapshotWith(held: GrantPair[]): CatalogSnapshot {
    return {
        schemaExists: true,
        granteeExists: true,
        currentUser: "admin",
        schemaOwner: "admin",
        superuser: true,
        tables: names.map((name) => ({ name, owner: "admin", baseTable: true })),
        held,
        columns: [],
    };
}

function run(label: string, connection: string, explicit: boolean): void {
    const config = parseTargetGrants({
        connection,
        grantee: "r",
        schema: "s",
        ...(explicit ? { tables: names } : {}),
    });
    const empty = snapshotWith([]);
    // create: what converge does from an empty catalog.
    const create = () => {
        const recorded = reconcile({ granted: [], preexisting: [] }, empty);
        const desired = desiredGrants(config, empty);
        const change = planChange(recorded.granted, desired.pairs, empty.held);
        const restore = columnsToRestore(change.toRevoke, [], empty, []);
        changeSteps(config, change, {
            partialRevokes: false,
            snapshot: empty,
            restoreColumns: restore,
        });
        const final = { ...empty, held: heldAfter(empty.held, change) };
        const granted = attachGrantors(change.granted, final);
        reconcileColumnGrants([], granted, final);
        missingGrants(config, final);
        missingTables(config, final);
        coveredTables(config, final);
        reconcile({ granted: change.toRevoke, preexisting: [] }, final);
        return { granted, final };
    };
    const { granted, final } = create();
    const held = final.held.map((p) => ({ ...p, grantor: "admin" }));
    // read (refresh): reconcile with the recorded pairs, then the outputs.
    // A fresh held list per run, as each real read has: indexes built over a catalog's list are
    // cached per list, and must not carry over from one run to the next.
    const read = () => {
        const after = snapshotWith([...held]);
        const recorded = reconcile({ granted, preexisting: [] }, after);
        missingGrants(config, after);
        missingTables(config, after);
        coveredTables(config, after);
        return recorded;
    };
    const time = (work: () => unknown) => {
        const samples: number[] = [];
        for (let i = 0; i < reps; i++) {
            // CPU time of this thread (user + system): stable on a loaded machine, unlike wall time.
            const t = process.cpuUsage();
            work();
            const used = process.cpuUsage(t);
            samples.push((used.user + used.system) / 1000);
        }
        return median(samples).toFixed(1);
    };
    time(create);
    time(read);
    console.log(`| ${label} | ${tables} | ${granted.length} | ${time(create)} | ${time(read)} |`);
}

console.log("| case | tables | pairs | create planning (CPU ms) | read planning (CPU ms) |");
console.log("| --- | ---: | ---: | ---: | ---: |");
run("postgres, whole schema", "postgres://admin@127.0.0.1:5432/db", false);
run("postgres, explicit tables", "postgres://admin@127.0.0.1:5432/db", true);
run("mysql, explicit tables", "mysql://root@127.0.0.1:3306/db", true);
