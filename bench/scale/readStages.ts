/**
 * Where a TargetGrants refresh spends its CPU on the client, stage by stage, on a real
 * PostgreSQL schema of N tables (whole-schema grant with default privileges, as the grants
 * suite's `postgres` case): state decoding, catalog parsing, reconciliation, outputs and state
 * encoding (what a refresh that finds changes runs), and the grouped refresh that keeps an
 * exactly held record instead (`keptRecord`), each timed in CPU time of the process (user +
 * system, GC included) over `--reps` runs on the same catalog rows, medians after 5 warm-up
 * runs. The server's share is the `own SQL` contender of the grants suite.
 *
 *   node --import tsx bench/scale/readStages.ts --tables 10000 --reps 25
 */
import { Client } from "pg";
import { outputsOf } from "../../src/providers/targetGrants/apply/outputs";
import { currentState } from "../../src/providers/targetGrants/apply/read";
import { configFromState } from "../../src/providers/targetGrants/check";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { reconcile } from "../../src/providers/targetGrants/reconcile";
import { keptRecord } from "../../src/providers/targetGrants/keptRecord";
import {
    fromStoredOutputs,
    groupedRecordOf,
    storedOutputsWithoutLists,
    toStoredOutputs,
} from "../../src/providers/targetGrants/storedOutputs";
import type { TargetGrantsOutputs } from "../../src/providers/targetGrants/types";
import {
    PG_CATALOG_QUERY,
    type PgCatalogRow,
    parsePgCatalog,
} from "../../src/providers/targets/postgresCatalog";
import { POSTGRES_ADMIN_URL, requireService } from "../../test/support/services";
import { createPostgresFixture } from "../grants/fixtures";
import { CpuStages, argument } from "../lib/cpuStages";

const WARMUP = 5;

async function main(): Promise<void> {
    const tables = Number(argument("tables", "10000"));
    const reps = Number(argument("reps", "25"));
    await requireService("postgres", POSTGRES_ADMIN_URL);
    const fixture = await createPostgresFixture(tables);
    const provider = makeTargetGrantsProvider();
    const inputs = { connection: fixture.url, grantee: fixture.grantee, schema: fixture.schema };
    try {
        const created = await provider.create(inputs);
        const client = new Client({ connectionString: fixture.url });
        await client.connect();
        const rows = (
            await client.query<PgCatalogRow>(PG_CATALOG_QUERY, [fixture.schema, fixture.grantee])
        ).rows;
        await client.end();
        const stages = new CpuStages();
        const stage = <T>(name: string, work: () => T): T => stages.stage(name, work);
        for (let i = 0; i < WARMUP + reps; i++) {
            const plain = stage("decode state", () =>
                fromStoredOutputs<TargetGrantsOutputs>(created.outs),
            );
            const state = currentState(plain);
            const config = configFromState(state);
            const snapshot = stage("parse catalog rows", () => parsePgCatalog(rows));
            const recorded = stage("reconcile", () => reconcile(state, snapshot));
            const outs = stage("outputs", () =>
                outputsOf(config, state.defaultPrivilegeOwners, recorded, snapshot),
            );
            stage("encode state", () => toStoredOutputs(outs));
            // What a refresh that finds the grouped record exactly held runs instead of the
            // stages above (apply/read.ts): no decoding, no pair-by-pair reconciliation.
            const grouped = groupedRecordOf(created.outs)!;
            const kept = stage("grouped refresh: parse + keptRecord", () => {
                const parsed = parsePgCatalog(rows);
                const shell = currentState(storedOutputsWithoutLists(created.outs));
                return keptRecord(configFromState(shell), shell, grouped, parsed);
            });
            if (!kept) throw new Error("the grouped refresh did not keep the record");
        }
        console.log(`| stage (${tables} tables, CPU ms, median of ${reps}) | CPU ms |`);
        console.log("| --- | ---: |");
        let total = 0;
        for (const [name, ms] of stages.medians(WARMUP)) {
            if (name.startsWith("grouped")) {
                console.log(`| total, pair by pair | ${total.toFixed(1)} |`);
                console.log(`| ${name} | ${ms.toFixed(1)} |`);
                continue;
            }
            total += ms;
            console.log(`| ${name} | ${ms.toFixed(1)} |`);
        }
        await provider.delete(created.id, created.outs);
    } finally {
        await fixture.drop();
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
