/**
 * Crash points for TargetGrants: for every lifecycle operation (create, update, delete, read) and
 * for every statement k it sends, the connection is cut (a) before the server receives k and (b)
 * after the server executed k but before its answer reaches the client. Then the suite does what
 * Pulumi does next — rerun with the state the engine keeps (the old state, or the partial-state
 * error's `properties`), then destroy — and asserts that the full privilege snapshot equals the
 * one taken before the resource existed.
 *
 * The statement list is derived from the operation itself: each operation first runs once
 * cleanly through the statement-aware proxy, which counts what it sent, so a new statement is
 * covered automatically. PostgreSQL and MariaDB run on the real servers through the proxy
 * (`test/support/faults/statementProxy.ts`); Oracle runs through the recording client's fault
 * injection (cut before/after its k-th call). Every point is exercised (no sampling).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PartialStateError } from "../../src/providers/kernel/partialState";
import type { TargetGrantsInputs } from "../../src/providers/targetGrants/types";
import {
    type TargetGrantsOutputs,
    makeTargetGrantsProvider,
} from "../../src/providers/targetGrants/provider";
import { DEFAULT_SESSION_OPTIONS, type SessionOpener } from "../../src/providers/targets/session";
import { oracleSessionOpener } from "../../src/providers/targets/oracleSession";
import { openPostgresSession } from "../../src/providers/targets/postgresSession";
import { openMysqlSession } from "../../src/providers/targets/mysqlSession";
import { plsqlString } from "../../src/providers/targets/oracleCatalog";
import {
    type CutPoint,
    type StatementProxy,
    startStatementProxy,
} from "../support/faults/statementProxy";
import { myq, pgq, urlWith, withMysql, withPg } from "../support/grants/fixtures";
import { RecordingOracle } from "../support/grants/recordingOracle";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import { snapshotMysql } from "../support/snapshot/mysql";
import { snapshotPostgres } from "../support/snapshot/postgres";

type Provider = ReturnType<typeof makeTargetGrantsProvider>;
type Operation = "create" | "update" | "delete" | "read";
const OPERATIONS: Operation[] = ["create", "update", "delete", "read"];
const CUTS: CutPoint[] = ["before", "after"];

interface State {
    id: string;
    outs: TargetGrantsOutputs;
}

/** A dialect under test: how to run operations with a fault armed and how to snapshot. */
interface Target {
    provider: Provider;
    inputs: TargetGrantsInputs;
    /** Inputs of the update under test (a narrower privilege list: revokes and restores). */
    updated: TargetGrantsInputs;
    snapshot(): Promise<string[]>;
    /** Statements sent since the last `reset`. */
    sent(): number;
    /** The plan's steps (statements of every change batch) run since the last `reset`. */
    planned: string[];
    /** True when what was sent since the last `reset` carries the step `sql`. */
    carries(sql: string): boolean;
    reset(): void;
    arm(k: number, when: CutPoint): void;
    /** True when the armed cut fired. */
    fired(): boolean;
}

/** Waits until a failed operation's settled result is known. */
async function outcome<T>(run: () => Promise<T>): Promise<{ ok: T } | { err: unknown }> {
    try {
        return { ok: await run() };
    } catch (err) {
        return { err };
    }
}

/** Runs `operation` from the state the test sets up; returns the state Pulumi keeps after it. */
async function runOperation(
    target: Target,
    operation: Operation,
    start: State | undefined,
): Promise<{ state: State | undefined; failed: boolean }> {
    const { provider, inputs, updated } = target;
    switch (operation) {
        case "create": {
            const r = await outcome(() => provider.create(inputs));
            if ("ok" in r)
                return {
                    state: { id: r.ok.id, outs: r.ok.outs as TargetGrantsOutputs },
                    failed: false,
                };
            if (r.err instanceof PartialStateError) {
                return {
                    state: {
                        id: r.err.id,
                        outs: r.err.properties as unknown as TargetGrantsOutputs,
                    },
                    failed: true,
                };
            }
            return { state: undefined, failed: true };
        }
        case "update": {
            const s = start!;
            const r = await outcome(() => provider.update(s.id, s.outs, updated));
            if ("ok" in r)
                return {
                    state: { id: s.id, outs: r.ok.outs as TargetGrantsOutputs },
                    failed: false,
                };
            if (r.err instanceof PartialStateError) {
                return {
                    state: { id: s.id, outs: r.err.properties as unknown as TargetGrantsOutputs },
                    failed: true,
                };
            }
            return { state: s, failed: true };
        }
        case "delete": {
            const s = start!;
            const r = await outcome(() => provider.delete(s.id, s.outs));
            return "ok" in r ? { state: undefined, failed: false } : { state: s, failed: true };
        }
        case "read": {
            const s = start!;
            const r = await outcome(() => provider.read(s.id, s.outs));
            return "ok" in r
                ? { state: { id: s.id, outs: r.ok.props as TargetGrantsOutputs }, failed: false }
                : { state: s, failed: true };
        }
    }
}

/** What Pulumi does next: rerun the interrupted operation from the kept state, then destroy. */
async function finish(
    target: Target,
    operation: Operation,
    kept: State | undefined,
): Promise<void> {
    const { provider, inputs, updated } = target;
    let state = kept;
    if (operation === "create") {
        state = state
            ? {
                  id: state.id,
                  outs: (await provider.update(state.id, state.outs, inputs))
                      .outs as TargetGrantsOutputs,
              }
            : await provider
                  .create(inputs)
                  .then((r) => ({ id: r.id, outs: r.outs as TargetGrantsOutputs }));
    } else if (operation === "update" && state) {
        state = {
            id: state.id,
            outs: (await provider.update(state.id, state.outs, updated))
                .outs as TargetGrantsOutputs,
        };
    } else if (operation === "read" && state) {
        state = {
            id: state.id,
            outs: (await provider.read(state.id, state.outs)).props as TargetGrantsOutputs,
        };
    }
    if (state) await provider.delete(state.id, state.outs);
}

/** The state an operation starts from: none for create, a clean create (and update) otherwise. */
async function prepare(target: Target, operation: Operation): Promise<State | undefined> {
    if (operation === "create") return undefined;
    const created = await target.provider.create(target.inputs);
    return { id: created.id, outs: created.outs as TargetGrantsOutputs };
}

/**
 * Exercises every crash point of every operation on `target`; returns the number of points. The
 * statement count of an operation comes from a clean run of that operation.
 */
async function exerciseAll(target: Target, label: string): Promise<number> {
    const baseline = await target.snapshot();
    let points = 0;
    for (const operation of OPERATIONS) {
        const start = await prepare(target, operation);
        target.reset();
        const clean = await runOperation(target, operation, start);
        const statements = target.sent();
        assert.equal(clean.failed, false, `${label} ${operation}: the clean run succeeds`);
        if (operation === "create" || operation === "delete") {
            assert.ok(target.planned.length > 0, `${label} ${operation}: the plan has steps`);
        }
        for (const step of target.planned) {
            assert.ok(
                target.carries(step),
                `${label} ${operation}: the plan's step was sent: ${step}`,
            );
        }
        await finish(target, operation, clean.state);
        assert.deepEqual(await target.snapshot(), baseline, `${label} ${operation}: clean run`);
        assert.ok(statements > 0, `${label} ${operation} sends statements`);
        for (let k = 1; k <= statements; k++) {
            for (const when of CUTS) {
                const where = `${label} ${operation}, cut ${when} statement ${k}/${statements}`;
                const from = await prepare(target, operation);
                target.reset();
                target.arm(k, when);
                const interrupted = await runOperation(target, operation, from);
                assert.ok(target.fired(), `${where}: the cut fired`);
                await finish(target, operation, interrupted.state);
                assert.deepEqual(await target.snapshot(), baseline, where);
                points++;
            }
        }
    }
    return points;
}

/** `opener` with every change batch's statements (the plan's steps) recorded in `planned`. */
function recordingSteps(opener: SessionOpener, planned: string[]): SessionOpener {
    return async (connection, options) => {
        const session = await opener(connection, options);
        return {
            ...session,
            applyChange(revokes, grants, readAfter) {
                planned.push(...revokes, ...grants);
                return session.applyChange(revokes, grants, readAfter);
            },
        };
    };
}

const FAST_SESSIONS = {
    ...DEFAULT_SESSION_OPTIONS,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 10_000,
};
const totals: Record<string, number> = {};

describe("TargetGrants crash points", () => {
    after(() => {
        const line = Object.entries(totals)
            .map(([k, v]) => `${k}: ${v}`)
            .join(", ");
        console.log(`# TargetGrants crash points exercised — ${line}`);
    });

    describe("PostgreSQL (real server, statement proxy)", () => {
        const database = uniqueName("tg_crash");
        const grantee = uniqueName("tg_crash_g");
        const direct = urlWith(POSTGRES_ADMIN_URL, database);
        let proxy: StatementProxy;

        before(async () => {
            await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`CREATE DATABASE ${pgq(database)}`);
                await c.query(`CREATE ROLE ${pgq(grantee)}`);
            });
            await withPg(direct, (c) =>
                c.query(
                    "CREATE SCHEMA app; CREATE TABLE app.t1 (id INT PRIMARY KEY, pub TEXT, sec TEXT);" +
                        "CREATE TABLE app.t2 (id INT PRIMARY KEY);" +
                        `GRANT SELECT (id, pub), UPDATE (pub) ON app.t1 TO ${pgq(grantee)};` +
                        `GRANT SELECT ON app.t2 TO ${pgq(grantee)}`,
                ),
            );
            proxy = await startStatementProxy({
                protocol: "pgwire",
                targetPort: Number(new URL(POSTGRES_ADMIN_URL).port || 5432),
            });
        });

        after(async () => {
            await proxy?.close();
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
                await c.query(`DROP ROLE IF EXISTS ${pgq(grantee)}`);
            });
        });

        it("every point converges to an identical snapshot (create, update, delete, read)", async () => {
            const connection = proxy.urlFor(direct);
            const inputs = { connection, grantee, schema: "app" };
            const planned: string[] = [];
            const target: Target = {
                provider: makeTargetGrantsProvider({
                    sessionOptions: FAST_SESSIONS,
                    openers: { postgres: recordingSteps(openPostgresSession, planned) },
                }),
                inputs,
                updated: { ...inputs, privileges: ["SELECT", "INSERT"] },
                snapshot: () => snapshotPostgres(direct, { roles: [grantee] }),
                sent: () => proxy.statements.length,
                planned,
                carries: (sql) => proxy.statements.join("\n").includes(sql),
                reset: () => {
                    proxy.reset();
                    planned.length = 0;
                },
                arm: (k, when) => proxy.armCut({ statement: k, when }),
                fired: () => proxy.fired.length > 0,
            };
            totals.postgres = await exerciseAll(target, "PostgreSQL");
        });
    });

    describe("MariaDB (real server, statement proxy)", () => {
        const database = uniqueName("tg_crash");
        const grantee = uniqueName("tg_crash").slice(0, 32);
        const account = `'${grantee}'@'%'`;
        let proxy: StatementProxy;

        before(async () => {
            await requireService("MariaDB", MARIADB_ADMIN_URL);
            await withMysql(MARIADB_ADMIN_URL, (c) =>
                c.query(
                    `CREATE DATABASE ${myq(database)};` +
                        `CREATE TABLE ${myq(database)}.t1 (id INT PRIMARY KEY, pub TEXT, sec TEXT);` +
                        `CREATE TABLE ${myq(database)}.t2 (id INT PRIMARY KEY);` +
                        `CREATE USER ${account};` +
                        `GRANT SELECT (id, pub), UPDATE (pub) ON ${myq(database)}.t1 TO ${account};` +
                        `GRANT SELECT ON ${myq(database)}.t2 TO ${account}`,
                ),
            );
            proxy = await startStatementProxy({
                protocol: "mysql",
                targetPort: Number(new URL(MARIADB_ADMIN_URL).port || 3306),
            });
        });

        after(async () => {
            await proxy?.close();
            await withMysql(MARIADB_ADMIN_URL, (c) =>
                c.query(`DROP DATABASE IF EXISTS ${myq(database)}; DROP USER IF EXISTS ${account}`),
            );
        });

        it("every point converges to an identical snapshot (create, update, delete, read)", async () => {
            const connection = proxy.urlFor(MARIADB_ADMIN_URL);
            const inputs = { connection, grantee, schema: database, tables: ["t1", "t2"] };
            const planned: string[] = [];
            const target: Target = {
                provider: makeTargetGrantsProvider({
                    sessionOptions: FAST_SESSIONS,
                    openers: { mysql: recordingSteps(openMysqlSession, planned) },
                }),
                inputs,
                updated: { ...inputs, privileges: ["SELECT", "INSERT"] },
                snapshot: () =>
                    snapshotMysql(MARIADB_ADMIN_URL, {
                        accounts: [{ user: grantee, host: "%" }],
                        databases: [database],
                    }),
                sent: () => proxy.statements.length,
                planned,
                carries: (sql) => proxy.statements.join("\n").includes(sql),
                reset: () => {
                    proxy.reset();
                    planned.length = 0;
                },
                arm: (k, when) => proxy.armCut({ statement: k, when }),
                fired: () => proxy.fired.length > 0,
            };
            totals.mariadb = await exerciseAll(target, "MariaDB");
        });
    });

    describe("Oracle (recording client, fault injection)", () => {
        it("every point converges to an identical snapshot (create, update, delete, read)", async () => {
            const db = new RecordingOracle();
            db.users.add("REPLICATOR");
            db.addTable("APP", "T1");
            db.addTable("APP", "T2");
            db.privileges.set(["APP", "T2", "REPLICATOR", "SELECT"].join("\0"), "APP");
            const unused = () => Promise.reject(new Error("unused"));
            const inputs = {
                connection: "oracle://admin:pw@oracle.test:1521/FREEPDB1",
                grantee: "REPLICATOR",
                schema: "APP",
                tables: ["T1", "T2"],
            };
            let fired = false;
            let cutArmed = false;
            const planned: string[] = [];
            const target: Target = {
                provider: makeTargetGrantsProvider({
                    openers: {
                        oracle: recordingSteps(oracleSessionOpener(db.connector()), planned),
                        postgres: unused,
                        mysql: unused,
                    },
                }),
                inputs,
                updated: { ...inputs, privileges: ["SELECT", "INSERT"] },
                snapshot: async () => db.snapshot(),
                sent: () => db.calls.length,
                planned,
                // The block carries each statement as a PL/SQL string literal.
                carries: (sql) => db.calls.some((c) => c.sql.includes(plsqlString(sql))),
                reset: () => {
                    db.calls.length = 0;
                    planned.length = 0;
                    fired = false;
                    cutArmed = false;
                },
                arm: (k, when) => {
                    cutArmed = true;
                    db.armCut(k, when);
                },
                fired: () => {
                    fired = cutArmed && !db.cutArmed;
                    return fired;
                },
            };
            totals.oracle = await exerciseAll(target, "Oracle");
        });
    });
});
