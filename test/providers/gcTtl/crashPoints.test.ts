/**
 * Crash points for GcTtl, in the style of the ClusterSettings suite: for create, update, delete
 * and read, and for every statement k that operation sends on a clean run, the statement proxy
 * cuts the connection (a) before the server receives statement k and (b) after the server ran
 * it, before the answer arrives. Then what Pulumi does next: rerun with the state the engine
 * keeps (the old state, or the partial-state error's `properties`), destroy, and the snapshot of
 * every zone configuration must equal the one taken before.
 *
 * The stack manages two table zones: `orders`, whose zone sets gc.ttlseconds and num_replicas
 * (origin "set"), and `items`, which has no zone (origin "inherited"). The update drops `items`
 * and changes the TTL, so restoring runs inside an update too.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { PartialStateError } from "../../../src/providers/kernel/partialState";
import { makeGcTtlProvider } from "../../../src/providers/gcTtl/provider";
import type { GcTtlOutputs } from "../../../src/providers/gcTtl/types";
import { type CockroachTestServer, startCockroachTestServer } from "../../support/cockroach";
import { runSql } from "../../support/cockroach/testHelpers";
import {
    type CutPoint,
    startStatementProxy,
    type StatementProxy,
} from "../../support/faults/statementProxy";
import { POSTGRES_ADMIN_URL, requireService } from "../../support/services";

type EngineState = { id: string; outs: GcTtlOutputs } | undefined;

/** One test server and statement proxy per operation, so the four operations run side by side. */
interface Bench {
    /** A provider of its own, so a warning is attributed to the operation that caused it. */
    provider: ReturnType<typeof makeGcTtlProvider>;
    warnings: string[];
    server: CockroachTestServer;
    proxy: StatementProxy;
    baseline: string;
}
const exercised: Record<string, number> = {};

const BASELINE_ZONES = [
    "ALTER TABLE orders CONFIGURE ZONE USING gc.ttlseconds = 600, num_replicas = 5",
];

const createArgs = ({ proxy, server }: Bench) => ({
    connection: proxy.urlFor(server.url),
    database: "defaultdb",
    tables: ["orders", "items"],
    ttl: "1h",
});
const updateArgs = ({ proxy, server }: Bench) => ({
    connection: proxy.urlFor(server.url),
    database: "defaultdb",
    tables: ["orders"],
    ttl: "3h",
});

/** Every zone configuration, as crdb_internal.zones lists it. */
async function snapshot({ server }: Pick<Bench, "server">): Promise<string> {
    const rows = await runSql(server.url, [
        "SELECT target, raw_config_sql FROM crdb_internal.zones",
    ]);
    return rows
        .map((r) => `${String(r.target)}: ${String(r.raw_config_sql)}`)
        .sort()
        .join("\n");
}

async function restoreBaseline({ server }: Bench): Promise<void> {
    await runSql(server.url, [
        "ALTER TABLE orders CONFIGURE ZONE DISCARD",
        "ALTER TABLE items CONFIGURE ZONE DISCARD",
        ...BASELINE_ZONES,
    ]);
}

async function engineStep(
    kept: EngineState,
    step: () => Promise<EngineState>,
): Promise<{ state: EngineState; failed: boolean }> {
    try {
        return { state: await step(), failed: false };
    } catch (err) {
        if (err instanceof PartialStateError) {
            return {
                state: { id: err.id, outs: err.properties as unknown as GcTtlOutputs },
                failed: true,
            };
        }
        return { state: kept, failed: true };
    }
}

const create = (bench: Bench) => async (): Promise<EngineState> => {
    const result = await bench.provider.create(createArgs(bench) as never);
    return { id: result.id, outs: result.outs as GcTtlOutputs };
};
const update =
    (bench: Bench, state: NonNullable<EngineState>) => async (): Promise<EngineState> => {
        const result = await bench.provider.update(
            state.id,
            state.outs,
            updateArgs(bench) as never,
        );
        return { id: state.id, outs: result.outs as GcTtlOutputs };
    };
const destroy =
    (bench: Bench, state: NonNullable<EngineState>) => async (): Promise<EngineState> => {
        await bench.provider.delete(state.id, state.outs);
        return undefined;
    };
const read = (bench: Bench, state: NonNullable<EngineState>) => async (): Promise<EngineState> => {
    const result = await bench.provider.read(state.id, state.outs);
    return { id: state.id, outs: result.props as GcTtlOutputs };
};

interface Operation {
    name: string;
    setUp(bench: Bench): Promise<EngineState>;
    step(bench: Bench, state: EngineState): () => Promise<EngineState>;
    rerun(bench: Bench, state: EngineState): Promise<EngineState>;
}

const mustHave = (state: EngineState) => {
    assert.ok(state, "the engine holds no state here");
    return state;
};

const OPERATIONS: Operation[] = [
    {
        name: "create",
        setUp: async () => undefined,
        step: (bench) => create(bench),
        rerun: async (bench, state) => (state ? update(bench, state)() : create(bench)()),
    },
    {
        name: "update",
        setUp: (bench) => create(bench)(),
        step: (bench, state) => update(bench, mustHave(state)),
        rerun: (bench, state) => update(bench, mustHave(state))(),
    },
    {
        name: "delete",
        setUp: (bench) => create(bench)(),
        step: (bench, state) => destroy(bench, mustHave(state)),
        rerun: (bench, state) => destroy(bench, mustHave(state))(),
    },
    {
        name: "read",
        setUp: (bench) => create(bench)(),
        step: (bench, state) => read(bench, mustHave(state)),
        rerun: (bench, state) => read(bench, mustHave(state))(),
    },
];

async function statementsOf(bench: Bench, operation: Operation): Promise<string[]> {
    const state = await operation.setUp(bench);
    bench.proxy.reset();
    const result = await operation.step(bench, state)();
    const statements = [...bench.proxy.statements];
    const last = result ?? state;
    if (last && operation.name !== "delete") await destroy(bench, last)();
    return statements;
}

const benches: Bench[] = [];

async function newBench(): Promise<Bench> {
    const server = await startCockroachTestServer();
    const proxy = await startStatementProxy({ protocol: "pgwire", targetPort: server.port });
    await runSql(server.url, [
        "CREATE TABLE orders (id INT PRIMARY KEY)",
        "CREATE TABLE items (id INT PRIMARY KEY)",
        ...BASELINE_ZONES,
    ]);
    const warnings: string[] = [];
    const provider = makeGcTtlProvider({
        sessionOptions: { connectMs: 2000, statementMs: 2000 },
        warn: (message) => {
            warnings.push(message);
        },
    });
    const bench = { provider, warnings, server, proxy, baseline: await snapshot({ server }) };
    benches.push(bench);
    return bench;
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
});

after(async () => {
    const total = Object.values(exercised).reduce((a, b) => a + b, 0);
    console.log(`GcTtl crash points exercised: ${total} ${JSON.stringify(exercised)}`);
    for (const { proxy, server } of benches) {
        await proxy.close();
        await server.stop();
    }
});

describe(
    "GcTtl crash points (cut before/after every statement)",
    { concurrency: OPERATIONS.length },
    () => {
        for (const operation of OPERATIONS) {
            it(`${operation.name}: every statement, both cut points, converges to the snapshot`, async () => {
                const bench = await newBench();
                const { proxy, baseline, warnings } = bench;
                const statements = await statementsOf(bench, operation);
                assert.ok(statements.length > 0);
                assert.equal(
                    await snapshot(bench),
                    baseline,
                    "the clean run itself must leave the baseline",
                );
                const failures: string[] = [];
                for (let k = 1; k <= statements.length; k += 1) {
                    for (const when of ["before", "after"] as CutPoint[]) {
                        const point = `${operation.name} ${when} #${k} (${statements[k - 1]})`;
                        warnings.length = 0;
                        try {
                            const setUp = await operation.setUp(bench);
                            proxy.reset();
                            proxy.armCut({ statement: k, when });
                            const faulted = await engineStep(setUp, operation.step(bench, setUp));
                            proxy.disarm();
                            assert.equal(proxy.fired.length, 1, "the cut did not fire");
                            assert.ok(faulted.failed, "the operation hid the cut");
                            const rerun = await operation.rerun(bench, faulted.state);
                            if (rerun && operation.name !== "read") {
                                for (const name of Object.keys(rerun.outs.current)) {
                                    assert.ok(
                                        rerun.outs.previous[name],
                                        `${name} has no prior value`,
                                    );
                                }
                            }
                            if (rerun) await destroy(bench, rerun)();
                            assert.equal(await snapshot(bench), baseline);
                            assert.deepEqual(warnings, []);
                            exercised[operation.name] = (exercised[operation.name] ?? 0) + 1;
                        } catch (err) {
                            failures.push(`${point}: ${(err as Error).message}`);
                            proxy.disarm();
                            await restoreBaseline(bench);
                        }
                    }
                }
                assert.deepEqual(failures, []);
            });
        }
    },
);
