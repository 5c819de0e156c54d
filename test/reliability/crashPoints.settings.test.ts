/**
 * Crash points for ClusterSettings: for every lifecycle operation (create, update, delete, and
 * read, which writes nothing) and for every statement k that operation sends — the list is
 * taken from a clean run of the operation itself, so new statements are covered automatically —
 * the statement proxy cuts the connection (a) before the server receives statement k and (b)
 * after the server executed k, before its answer reaches the provider. Then the suite does what
 * Pulumi does next: rerun with the state the engine keeps (the old state, or the partial-state
 * error's `properties`), then destroy, and the settings snapshot (value and origin of every
 * setting) must equal the one taken before.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { makeClusterSettingsProvider } from "../../src/providers/clusterSettings/provider";
import type { ClusterSettingsOutputs } from "../../src/providers/clusterSettings/types";
import { PartialStateError } from "../../src/providers/kernel/partialState";
import { type CockroachTestServer, startCockroachTestServer } from "../support/cockroach";
import { runSql } from "../support/cockroach/testHelpers";
import {
    type CutPoint,
    startStatementProxy,
    type StatementProxy,
} from "../support/faults/statementProxy";
import { POSTGRES_ADMIN_URL, requireService } from "../support/services";
import {
    type SettingsSnapshot,
    settingsDifferences,
    snapshotClusterSettings,
} from "../support/snapshot/cockroachSettings";

const warnings: string[] = [];
const provider = makeClusterSettingsProvider({
    sessionOptions: { connectMs: 3000, statementMs: 5000 },
    warn: (message) => {
        warnings.push(message);
    },
});

/** What the engine holds for the resource after a step. */
type EngineState = { id: string; outs: ClusterSettingsOutputs } | undefined;

let server: CockroachTestServer;
let proxy: StatementProxy;
let baseline: SettingsSnapshot;
const exercised: Record<string, number> = {};

/** The args the stack starts with and the args it is updated to. */
const createArgs = () => ({
    connection: proxy.urlFor(server.url),
    closedTimestampRefreshInterval: "250ms",
    closedTimestampTargetDuration: "1s",
    settings: { "jobs.retention_time": "72h" },
});
const updateArgs = () => ({
    connection: proxy.urlFor(server.url),
    closedTimestampRefreshInterval: "500ms",
    settings: { "changefeed.protect_timestamp.max_age": "24h" },
});

/** Puts every setting back to the baseline (only needed after a failed point). */
async function restoreBaseline(): Promise<void> {
    const now = await snapshotClusterSettings(server.url);
    const statements: string[] = [];
    for (const [name, entry] of Object.entries(baseline)) {
        if (now[name] === entry) continue;
        const [value, origin] = entry.split("|");
        statements.push(
            origin === "default"
                ? `RESET CLUSTER SETTING ${name}`
                : `SET CLUSTER SETTING ${name} = '${value}'`,
        );
    }
    if (statements.length > 0) await runSql(server.url, statements);
}

/** Runs `step`, returning the state Pulumi keeps: its result, the partial state, or `kept`. */
async function engineStep(
    kept: EngineState,
    step: () => Promise<EngineState>,
): Promise<{ state: EngineState; failed: boolean }> {
    try {
        return { state: await step(), failed: false };
    } catch (err) {
        if (err instanceof PartialStateError) {
            return {
                state: { id: err.id, outs: err.properties as unknown as ClusterSettingsOutputs },
                failed: true,
            };
        }
        return { state: kept, failed: true };
    }
}

const create = async (): Promise<EngineState> => {
    const result = await provider.create(createArgs());
    return { id: result.id, outs: result.outs as ClusterSettingsOutputs };
};
const update = (state: NonNullable<EngineState>) => async (): Promise<EngineState> => {
    const result = await provider.update(state.id, state.outs, updateArgs());
    return { id: state.id, outs: result.outs as ClusterSettingsOutputs };
};
const destroy = (state: NonNullable<EngineState>) => async (): Promise<EngineState> => {
    await provider.delete(state.id, state.outs);
    return undefined;
};
const read = (state: NonNullable<EngineState>) => async (): Promise<EngineState> => {
    const result = await provider.read(state.id, state.outs);
    return { id: state.id, outs: result.props as ClusterSettingsOutputs };
};

/** The lifecycle operations under test: set-up (unfaulted), the faulted step, and its rerun. */
interface Operation {
    name: string;
    setUp(): Promise<EngineState>;
    step(state: EngineState): () => Promise<EngineState>;
    /** What Pulumi runs next on the state it kept, after the faulted step failed. */
    rerun(state: EngineState): Promise<EngineState>;
    /** The settings the converged state must hold. */
    converged?: Record<string, string>;
}

const mustHave = (state: EngineState) => {
    assert.ok(state, "the engine holds no state here");
    return state;
};

const OPERATIONS: Operation[] = [
    {
        name: "create",
        setUp: async () => undefined,
        step: () => create,
        rerun: async (state) => (state ? update(state)() : create()),
    },
    {
        name: "update",
        setUp: create,
        step: (state) => update(mustHave(state)),
        rerun: (state) => update(mustHave(state))(),
    },
    {
        name: "delete",
        setUp: create,
        step: (state) => destroy(mustHave(state)),
        rerun: (state) => destroy(mustHave(state))(),
    },
    {
        name: "read",
        setUp: create,
        step: (state) => read(mustHave(state)),
        rerun: (state) => read(mustHave(state))(),
    },
];

/** The statements `operation` sends on a clean run (count-only proxy). */
async function statementsOf(operation: Operation): Promise<string[]> {
    const state = await operation.setUp();
    proxy.reset();
    const result = await operation.step(state)();
    const statements = [...proxy.statements];
    const last = result ?? state;
    if (last && operation.name !== "delete") await destroy(last)();
    return statements;
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
    server = await startCockroachTestServer();
    proxy = await startStatementProxy({ protocol: "pgwire", targetPort: server.port });
    // An operator's explicit value equal to the default (origin override) must survive too.
    await runSql(server.url, ["SET CLUSTER SETTING kv.closed_timestamp.target_duration = '3s'"]);
    baseline = await snapshotClusterSettings(server.url);
});

after(async () => {
    const total = Object.values(exercised).reduce((a, b) => a + b, 0);
    console.log(`ClusterSettings crash points exercised: ${total} ${JSON.stringify(exercised)}`);
    await proxy?.close();
    await server?.stop();
});

describe("ClusterSettings crash points (cut before/after every statement)", () => {
    for (const operation of OPERATIONS) {
        it(`${operation.name}: every statement, both cut points, converges to the snapshot`, async () => {
            const statements = await statementsOf(operation);
            assert.ok(statements.length > 0);
            assert.deepEqual(
                settingsDifferences(baseline, await snapshotClusterSettings(server.url)),
                [],
                "the clean run itself must leave the baseline",
            );
            const failures: string[] = [];
            for (let k = 1; k <= statements.length; k += 1) {
                for (const when of ["before", "after"] as CutPoint[]) {
                    const point = `${operation.name} ${when} #${k} (${statements[k - 1]})`;
                    warnings.length = 0;
                    try {
                        const setUp = await operation.setUp();
                        proxy.reset();
                        proxy.armCut({ statement: k, when });
                        const faulted = await engineStep(setUp, operation.step(setUp));
                        proxy.disarm();
                        assert.equal(proxy.fired.length, 1, "the cut did not fire");
                        assert.ok(faulted.failed, "the operation hid the cut");
                        const rerun = await operation.rerun(faulted.state);
                        if (rerun && operation.name !== "read") {
                            const desired = rerun.outs.desired;
                            for (const [name, value] of Object.entries(desired)) {
                                assert.ok(name in rerun.outs.values, `${name} not read back`);
                                assert.ok(
                                    rerun.outs.previous[name],
                                    `${name} (${String(value)}) has no prior value recorded`,
                                );
                            }
                        }
                        if (rerun) await destroy(rerun)();
                        const differences = settingsDifferences(
                            baseline,
                            await snapshotClusterSettings(server.url),
                        );
                        assert.deepEqual(differences, []);
                        assert.deepEqual(warnings, []);
                        exercised[operation.name] = (exercised[operation.name] ?? 0) + 1;
                    } catch (err) {
                        failures.push(`${point}: ${(err as Error).message}`);
                        proxy.disarm();
                        await restoreBaseline();
                    }
                }
            }
            assert.deepEqual(failures, []);
        });
    }
});
