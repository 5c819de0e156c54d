/**
 * Where a TargetGrants create spends its CPU on the client, stage by stage, on a real PostgreSQL
 * schema of N tables (whole-schema grant with default privileges, as the grants suite's
 * `postgres` case): the steps `apply/converge.ts` runs between its round trips — parsing the
 * catalog read before the change, the desired pairs, the plan, the statements, parsing the read
 * that ends the change batch, grantors, outputs — and the state encoding of `provider.create`,
 * each timed in CPU time of the process (user + system, GC included) over `--reps` runs on the
 * same catalog rows, medians after 5 warm-up runs. The server's share is the `own SQL` contender
 * of the grants suite.
 *
 *   node --import tsx bench/scale/createStages.ts --tables 10000 --reps 25
 */
import { Client } from "pg";
import { listsTables, outputsOf } from "../../src/providers/targetGrants/apply/outputs";
import { parseTargetGrants } from "../../src/providers/targetGrants/check";
import {
    changeSteps,
    desiredGrants,
    planChange,
    statementsOf,
} from "../../src/providers/targetGrants/plan";
import {
    attachGrantors,
    columnsToRestore,
    reconcile,
    reconcileColumnGrants,
} from "../../src/providers/targetGrants/reconcile";
import { toStoredOutputs } from "../../src/providers/targetGrants/storedOutputs";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import {
    PG_CATALOG_QUERY,
    type PgCatalogRow,
    parsePgCatalog,
} from "../../src/providers/targets/postgresCatalog";
import { POSTGRES_ADMIN_URL, requireService } from "../../test/support/services";
import { createPostgresFixture } from "../grants/fixtures";
import { CpuStages, argument } from "../lib/cpuStages";

const WARMUP = 5;

async function catalogRows(url: string, schema: string, grantee: string): Promise<PgCatalogRow[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        return (await client.query<PgCatalogRow>(PG_CATALOG_QUERY, [schema, grantee])).rows;
    } finally {
        await client.end();
    }
}

async function main(): Promise<void> {
    const tables = Number(argument("tables", "10000"));
    const reps = Number(argument("reps", "25"));
    await requireService("postgres", POSTGRES_ADMIN_URL);
    const fixture = await createPostgresFixture(tables);
    const provider = makeTargetGrantsProvider();
    const inputs = { connection: fixture.url, grantee: fixture.grantee, schema: fixture.schema };
    try {
        const rowsBefore = await catalogRows(fixture.url, fixture.schema, fixture.grantee);
        const created = await provider.create(inputs);
        const rowsAfter = await catalogRows(fixture.url, fixture.schema, fixture.grantee);
        const config = parseTargetGrants(inputs);
        const stages = new CpuStages();
        const stage = <T>(name: string, work: () => T): T => stages.stage(name, work);
        let statements = 0;
        for (let i = 0; i < WARMUP + reps; i++) {
            // The stages of apply/converge.ts for a create (nothing recorded before).
            const snapshot = stage("parse the read before", () => parsePgCatalog(rowsBefore));
            const recorded = stage("reconcile (nothing recorded)", () =>
                reconcile({ granted: [], preexisting: [] }, snapshot),
            );
            const desired = stage("desired pairs", () => desiredGrants(config, snapshot));
            const change = stage("plan", () =>
                planChange(recorded.granted, desired.pairs, snapshot.held),
            );
            const steps = stage("statements", () => {
                const restoreColumns = columnsToRestore(change.toRevoke, [], snapshot, []);
                return statementsOf(
                    changeSteps(config, change, {
                        partialRevokes: false,
                        snapshot,
                        restoreColumns,
                    }),
                );
            });
            statements = steps.grants.length + steps.revokes.length;
            const after = stage("parse the read after", () => parsePgCatalog(rowsAfter));
            const granted = stage("grantors", () => attachGrantors(change.granted, after));
            const outs = stage("outputs", () =>
                outputsOf(
                    config,
                    desired.defaultPrivilegeOwners,
                    {
                        granted,
                        preexisting: change.preexisting,
                        columnGrants: reconcileColumnGrants([], granted, after),
                    },
                    after,
                    listsTables(config),
                ),
            );
            stage("encode state", () => toStoredOutputs(outs));
        }
        console.log(
            `| stage (${tables} tables, ${statements} statements, CPU ms, median of ${reps}) | CPU ms |`,
        );
        console.log("| --- | ---: |");
        let total = 0;
        for (const [name, ms] of stages.medians(WARMUP)) {
            total += ms;
            console.log(`| ${name} | ${ms.toFixed(1)} |`);
        }
        console.log(`| total | ${total.toFixed(1)} |`);
        await provider.delete(created.id, created.outs);
    } finally {
        await fixture.drop();
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
