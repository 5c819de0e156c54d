/**
 * Outside checks of ClusterSettings' promises that the crash-point suite does not take:
 *
 * - a stalled server (not a cut): the provider's statement timeout fires while the statement
 *   is still on its way, and the server executes it only after the provider gave up and re-read
 *   the cluster. "Nothing changed" on that re-read proves nothing: the late statement lands
 *   anyway, so the prior values must still be recorded;
 * - an operator who RESETs a setting after create, when this stack's value happens to equal
 *   the default value: the value alone cannot tell the operator's RESET from this stack's SET,
 *   the origin can;
 * - no password in any text the provider produces (errors, warnings, partial-state outputs);
 * - `onDelete: "reset"` with a cut before/after every statement of delete;
 * - two resources on one setting (one of them spelling the name in upper case).
 */
import assert from "node:assert/strict";
import { connect as netConnect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";

import { makeClusterSettingsProvider } from "../../src/providers/clusterSettings/provider";
import type {
    ClusterSettingsInputs,
    ClusterSettingsOutputs,
} from "../../src/providers/clusterSettings/types";
import { PartialStateError } from "../../src/providers/kernel/partialState";
import { type CockroachTestServer, startCockroachTestServer } from "../support/cockroach";
import { runSql } from "../support/cockroach/testHelpers";
import { listenOnLoopback, urlThroughProxy } from "../support/faults/loopback";
import { type CutPoint, startStatementProxy } from "../support/faults/statementProxy";
import { POSTGRES_ADMIN_URL, requireService } from "../support/services";
import {
    settingsDifferences,
    snapshotClusterSettings,
} from "../support/snapshot/cockroachSettings";

const STATEMENT_MS = 150;
const STALL_MS = 1_200;

/**
 * A loopback proxy that, once armed, holds the first client packet carrying a matching statement
 * (and everything the client sends after it on that connection) for `STALL_MS`, then delivers it
 * to the server even if the client has gone: a stalled network path, not a cut.
 */
async function startStallProxy(targetPort: number) {
    let armed: RegExp | undefined;
    const sockets = new Set<Socket>();
    const delivered: Promise<void>[] = [];
    const listener = await listenOnLoopback((client) => {
        const server = netConnect(targetPort, "127.0.0.1");
        sockets.add(client).add(server);
        let held: Buffer[] | undefined;
        let clientEnded = false;
        client.on("data", (chunk: Buffer) => {
            if (held) {
                held.push(chunk);
                return;
            }
            if (armed && armed.test(chunk.toString("latin1"))) {
                armed = undefined;
                held = [chunk];
                delivered.push(
                    new Promise((resolve) =>
                        setTimeout(() => {
                            for (const part of held ?? []) server.write(part);
                            held = undefined;
                            if (clientEnded) server.end();
                            resolve();
                        }, STALL_MS),
                    ),
                );
                return;
            }
            server.write(chunk);
        });
        server.on("data", (chunk: Buffer) => {
            if (!client.destroyed) client.write(chunk);
        });
        const endClient = () => {
            clientEnded = true;
            if (!held) server.end();
        };
        client.on("end", endClient);
        client.on("close", endClient);
        client.on("error", () => undefined);
        server.on("error", () => undefined);
        server.on("close", () => client.destroy());
    });
    return {
        urlFor: (url: string) => urlThroughProxy(url, listener.port),
        stallNext(pattern: RegExp) {
            armed = pattern;
        },
        /** Resolves once every held statement has been delivered to the server. */
        async landed() {
            await Promise.all(delivered);
            await new Promise((resolve) => setTimeout(resolve, 50));
        },
        async close() {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => listener.server.close(() => resolve()));
        },
    };
}

describe("ClusterSettings red team", { timeout: 60_000 }, () => {
    let server: CockroachTestServer;
    let proxy: Awaited<ReturnType<typeof startStallProxy>>;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        server = await startCockroachTestServer();
        proxy = await startStallProxy(server.port);
    });
    after(async () => {
        await proxy?.close();
        await server?.stop();
    });

    async function resetAll(): Promise<void> {
        const rows = await runSql(server.url, ["SHOW ALL CLUSTER SETTINGS"]);
        const overridden = rows.filter((r) => r.origin === "override").map((r) => r.variable);
        await runSql(
            server.url,
            overridden.map((name) => `RESET CLUSTER SETTING ${String(name)}`),
        );
    }

    /** Runs `op`; a failure is what Pulumi would record next (a partial state or nothing). */
    async function attempt<T>(
        op: () => Promise<T>,
    ): Promise<{ ok: T } | { partial: ClusterSettingsOutputs } | { failed: Error }> {
        try {
            return { ok: await op() };
        } catch (err) {
            if (err instanceof PartialStateError) {
                return { partial: err.properties as unknown as ClusterSettingsOutputs };
            }
            return { failed: err as Error };
        }
    }

    it("create whose SET stalls past the statement timeout and lands later: rerun and destroy restore the cluster", async () => {
        await resetAll();
        const before = await snapshotClusterSettings(server.url);
        const provider = makeClusterSettingsProvider({
            sessionOptions: { connectMs: 2_000, statementMs: STATEMENT_MS },
            warn: () => undefined,
        });
        const inputs: ClusterSettingsInputs = {
            connection: proxy.urlFor(server.url),
            rangefeedEnabled: true,
            settings: { "jobs.retention_time": "72h" },
        };
        proxy.stallNext(/SET CLUSTER SETTING/);
        const first = await attempt(() => provider.create(inputs));
        assert.ok(!("ok" in first), "the stalled SET must fail the create");
        await proxy.landed();

        // What Pulumi does next: with a partial state, update from it; without one, create again.
        const rerun =
            "partial" in first
                ? (await provider.update("id", first.partial, inputs)).outs
                : (await provider.create(inputs)).outs;
        await provider.delete("id", rerun);
        assert.deepEqual(
            settingsDifferences(before, await snapshotClusterSettings(server.url)),
            [],
        );
    });

    it("update adding a setting whose SET stalls and lands later: rerun and destroy restore the cluster", async () => {
        await resetAll();
        const before = await snapshotClusterSettings(server.url);
        const provider = makeClusterSettingsProvider({
            sessionOptions: { connectMs: 2_000, statementMs: STATEMENT_MS },
            warn: () => undefined,
        });
        const connection = proxy.urlFor(server.url);
        // rangefeedEnabled: false is the test server's default, so create changes nothing.
        const created = (await provider.create({ connection, rangefeedEnabled: false }))
            .outs as ClusterSettingsOutputs;
        const news: ClusterSettingsInputs = {
            connection,
            rangefeedEnabled: false,
            settings: { "jobs.retention_time": "72h" },
        };
        proxy.stallNext(/SET CLUSTER SETTING jobs/);
        const first = await attempt(() => provider.update("id", created, news));
        assert.ok(!("ok" in first), "the stalled SET must fail the update");
        await proxy.landed();

        const olds = "partial" in first ? first.partial : created;
        const rerun = (await provider.update("id", olds, news)).outs as ClusterSettingsOutputs;
        await provider.delete("id", rerun);
        assert.deepEqual(
            settingsDifferences(before, await snapshotClusterSettings(server.url)),
            [],
        );
    });

    it("delete whose RESET stalls and lands later: the rerun of delete converges", async () => {
        await resetAll();
        const before = await snapshotClusterSettings(server.url);
        const provider = makeClusterSettingsProvider({
            sessionOptions: { connectMs: 2_000, statementMs: STATEMENT_MS },
            warn: () => undefined,
        });
        const connection = proxy.urlFor(server.url);
        const created = (await provider.create({ connection, rangefeedEnabled: true }))
            .outs as ClusterSettingsOutputs;
        proxy.stallNext(/RESET CLUSTER SETTING/);
        await assert.rejects(provider.delete("id", created));
        await proxy.landed();
        await provider.delete("id", created);
        assert.deepEqual(
            settingsDifferences(before, await snapshotClusterSettings(server.url)),
            [],
        );
    });

    it("an operator's RESET after create is left alone even when this stack's value equals the default", async () => {
        await resetAll();
        // The DBA had tightened the closed timestamp; this stack sets it back to 3s (the default value).
        await runSql(server.url, [
            "SET CLUSTER SETTING kv.closed_timestamp.target_duration = '1s'",
        ]);
        const warnings: string[] = [];
        const provider = makeClusterSettingsProvider({
            sessionOptions: { connectMs: 2_000, statementMs: 5_000 },
            warn: (message) => void warnings.push(message),
        });
        const created = (
            await provider.create({
                connection: server.url,
                rangefeedEnabled: false,
                closedTimestampTargetDuration: "3s",
            })
        ).outs as ClusterSettingsOutputs;
        // After create, the operator decides the setting should follow CockroachDB's default.
        await runSql(server.url, ["RESET CLUSTER SETTING kv.closed_timestamp.target_duration"]);
        const operatorState = await snapshotClusterSettings(server.url);

        await provider.delete("id", created);
        assert.equal(
            (await snapshotClusterSettings(server.url))["kv.closed_timestamp.target_duration"],
            operatorState["kv.closed_timestamp.target_duration"],
            "the operator's RESET must not be overwritten with the value from before create",
        );
        assert.equal(warnings.length, 1, warnings.join("\n"));
        assert.match(warnings[0] ?? "", /kv\.closed_timestamp\.target_duration/);
    });

    it("no password in any error, warning or output text under a stall, a wrong password or an operator change", async () => {
        await resetAll();
        const password = "Fb-Pa55w0rd-9x";
        await runSql(server.url, [
            "CREATE USER fbsettings WITH PASSWORD 'Fb-Pa55w0rd-9x'",
            "GRANT SYSTEM MODIFYCLUSTERSETTING TO fbsettings",
        ]);
        const texts: string[] = [];
        const provider = makeClusterSettingsProvider({
            sessionOptions: { connectMs: 2_000, statementMs: STATEMENT_MS },
            warn: (message) => void texts.push(message),
        });
        const connection = proxy.urlFor(server.urlFor("fbsettings", password));
        const inputs: ClusterSettingsInputs = { connection, rangefeedEnabled: true };
        const record = (result: Awaited<ReturnType<typeof attempt>>) => {
            if ("failed" in result) texts.push(result.failed.message, String(result.failed.stack));
            if ("partial" in result) {
                const { connection: _secret, ...rest } = result.partial;
                texts.push(JSON.stringify(rest));
            }
        };
        proxy.stallNext(/SET CLUSTER SETTING/);
        const first = await attempt(() => provider.create(inputs));
        record(first);
        if ("partial" in first) {
            try {
                await provider.create(inputs);
            } catch (err) {
                texts.push((err as Error).message);
            }
        }
        await proxy.landed();
        const wrong = connection.replace(password, "Wr0ng-Pa55w0rd-7y");
        record(await attempt(() => provider.create({ ...inputs, connection: wrong })));
        const outs = (await provider.create(inputs)).outs as ClusterSettingsOutputs;
        await runSql(server.url, ["SET CLUSTER SETTING kv.rangefeed.enabled = false"]);
        record(await attempt(() => provider.read("id", outs)));
        await provider.delete("id", outs);
        const leaked = texts.filter((t) => t.includes(password) || t.includes("Wr0ng-Pa55w0rd-7y"));
        assert.deepEqual(leaked, []);
        assert.ok(texts.length >= 3, texts.join("\n"));
    });

    for (const mode of ["reset"] as const) {
        it(`onDelete "${mode}": a cut before or after every statement of delete, then rerun destroy (create does not depend on onDelete: the crash-point suite covers it)`, async () => {
            const cutter = await startStatementProxy({
                protocol: "pgwire",
                targetPort: server.port,
            });
            try {
                const provider = makeClusterSettingsProvider({
                    sessionOptions: { connectMs: 2_000, statementMs: 5_000 },
                    warn: () => undefined,
                });
                const connection = cutter.urlFor(server.url);
                const v1: ClusterSettingsInputs = {
                    connection,
                    rangefeedEnabled: true,
                    closedTimestampTargetDuration: "1s",
                    onDelete: mode,
                };
                // The DBA's own override, which "reset" resets like every other setting it manages.
                const setup = ["SET CLUSTER SETTING kv.closed_timestamp.target_duration = '2s'"];
                /** The snapshot destroy must leave: every managed setting at its default, the rest as found. */
                const expectedAfter = async (
                    before: Record<string, string>,
                    touched: readonly string[],
                ) => {
                    const expected = { ...before };
                    const defaults = await runSql(server.url, ["SHOW ALL CLUSTER SETTINGS"]);
                    for (const row of defaults) {
                        const name = String(row.variable);
                        if (touched.includes(name))
                            expected[name] = `${String(row.default_value)}|default`;
                    }
                    return expected;
                };
                type Op = (state: ClusterSettingsOutputs | undefined) => Promise<unknown>;
                const ops: Record<
                    string,
                    {
                        prepare: () => Promise<ClusterSettingsOutputs | undefined>;
                        op: Op;
                        inputs: ClusterSettingsInputs;
                    }
                > = {
                    delete: {
                        prepare: async () =>
                            (await provider.create(v1)).outs as ClusterSettingsOutputs,
                        op: (olds) => provider.delete("id", olds!),
                        inputs: v1,
                    },
                };
                let points = 0;
                for (const [opName, { prepare, op, inputs }] of Object.entries(ops)) {
                    // A clean run gives the number of statements the operation sends.
                    await resetAll();
                    await runSql(server.url, setup);
                    const cleanState = await prepare();
                    cutter.reset();
                    const clean = await op(cleanState);
                    const count = cutter.statements.length;
                    const cleanOuts =
                        (clean as { outs?: ClusterSettingsOutputs } | undefined)?.outs ??
                        cleanState;
                    if (cleanOuts && opName !== "delete") await provider.delete("id", cleanOuts);
                    for (let k = 1; k <= count; k++) {
                        for (const when of ["before", "after"] as CutPoint[]) {
                            await resetAll();
                            await runSql(server.url, setup);
                            const before = await snapshotClusterSettings(server.url);
                            const state = await prepare();
                            cutter.reset();
                            cutter.armCut({ statement: k, when });
                            const result = await attempt(() => op(state));
                            cutter.disarm();
                            let final: ClusterSettingsOutputs | undefined;
                            if ("ok" in result) {
                                final =
                                    (result.ok as { outs?: ClusterSettingsOutputs } | undefined)
                                        ?.outs ?? (opName === "delete" ? undefined : state);
                            } else if (opName === "delete") {
                                await provider.delete("id", state!);
                            } else {
                                const olds = "partial" in result ? result.partial : state;
                                final = olds
                                    ? ((await provider.update("id", olds, inputs))
                                          .outs as ClusterSettingsOutputs)
                                    : ((await provider.create(inputs))
                                          .outs as ClusterSettingsOutputs);
                            }
                            if (final) await provider.delete("id", final);
                            const after = await snapshotClusterSettings(server.url);
                            const touched = [
                                "kv.rangefeed.enabled",
                                "kv.closed_timestamp.target_duration",
                            ];
                            const expected = await expectedAfter(before, touched);
                            assert.deepEqual(
                                settingsDifferences(expected, after),
                                [],
                                `${opName}, cut ${when} statement ${k} (${cutter.fired[0]?.text ?? "not fired"})`,
                            );
                            points++;
                        }
                    }
                }
                assert.ok(points >= 6, `only ${points} crash points`);
            } finally {
                await cutter.close();
            }
        });
    }

    it("two ClusterSettings on one setting: reverse order of creation restores exactly; the other order warns", async () => {
        const warnings: string[] = [];
        const provider = makeClusterSettingsProvider({
            sessionOptions: { connectMs: 2_000, statementMs: 5_000 },
            warn: (message) => void warnings.push(message),
        });
        const a = {
            connection: server.url,
            rangefeedEnabled: false,
            settings: { "jobs.retention_time": "72h" },
        };
        const b = {
            connection: server.url,
            rangefeedEnabled: false,
            settings: { "JOBS.RETENTION_TIME": "48h" },
        };

        await resetAll();
        const found = await snapshotClusterSettings(server.url);
        let outsA = (await provider.create(a)).outs as ClusterSettingsOutputs;
        let outsB = (await provider.create(b)).outs as ClusterSettingsOutputs;
        await provider.delete("b", outsB);
        await provider.delete("a", outsA);
        assert.deepEqual(settingsDifferences(found, await snapshotClusterSettings(server.url)), []);
        assert.deepEqual(warnings, []);

        outsA = (await provider.create(a)).outs as ClusterSettingsOutputs;
        outsB = (await provider.create(b)).outs as ClusterSettingsOutputs;
        await provider.delete("a", outsA);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0] ?? "", /jobs\.retention_time is now '48h0m0s'/);
    });
});
