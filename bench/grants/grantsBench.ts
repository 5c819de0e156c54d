/**
 * TargetGrants create / refresh / destroy against the SQL a DBA would run for the same effect,
 * on real PostgreSQL and MariaDB schemas of N tables, in the same run, interleaved.
 *
 * Contenders per case (all measured in the same repetition loop, order alternating):
 * - `provider`: the TargetGrants provider in this process (`check` + `create`, `read`, `delete`),
 *   each step opening and closing its own connection as it does under Pulumi.
 * - `cli`: the DBA's script through the real client (`psql -f file.sql`, `mariadb < file.sql`):
 *   process start, connect, run, exit.
 * - `sql`: the same script through the same Node driver the provider uses (connect, one
 *   multi-statement query, close) — the baseline without process start, so the ratio shows only
 *   what the provider adds (catalog reads, planning, explicit table lists).
 * - `own SQL`: the provider's own round trips, recorded in the verified warm-up and replayed on a
 *   new connection of the same driver (`ownSql.ts`) — what the provider's SQL costs without the
 *   provider's client-side work.
 * - `fixed`: `SELECT 1` through each path, i.e. the fixed cost of a client process vs an
 *   in-process connection.
 */
import { Client } from "pg";
import mysql = require("mysql2/promise");
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { DEFAULT_SESSION_OPTIONS, type RoundTrip } from "../../src/providers/targets/session";
import type { TargetGrantsInputs } from "../../src/providers/targetGrants/types";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, requireService } from "../../test/support/services";
import {
    type ClientTarget,
    clientTarget,
    mariadbArgs,
    psqlArgs,
    removeSqlFile,
    runClient,
    writeSqlFile,
} from "../lib/clients";
import { type Contender, interleave } from "../lib/interleave";
import { median, ratio } from "../lib/stats";
import {
    type BaselineScripts,
    mariadbDatabaseBaseline,
    mariadbPerTableBaseline,
    postgresBaseline,
} from "./baselineSql";
import { createMariadbFixture, createPostgresFixture } from "./fixtures";
import { type RecordedQuery, recordQueries, replayQueries } from "./ownSql";

export type GrantsCase = "postgres" | "mariadb-db" | "mariadb-tables";
export const GRANTS_CASES: readonly GrantsCase[] = ["postgres", "mariadb-db", "mariadb-tables"];

const CASE_LABEL: Record<GrantsCase, string> = {
    postgres: "PostgreSQL, whole schema (ALL TABLES + default privileges)",
    "mariadb-db": "MariaDB, db.* grant",
    "mariadb-tables": "MariaDB, one grant per listed table",
};

export type Step = "create" | "refresh" | "destroy";
const STEPS: readonly Step[] = ["create", "refresh", "destroy"];

export interface GrantsBenchOptions {
    /** Schema sizes to measure. */
    tableCounts: readonly number[];
    /**
     * Timed repetitions for a given size (after one verified, untimed warm-up). 0 runs only the
     * verified warm-up: round trips are counted, nothing is timed.
     */
    repetitions(tables: number): number;
    cases?: readonly GrantsCase[];
    log?: (line: string) => void;
}

export interface StepFigures {
    step: Step;
    /** Medians in milliseconds. */
    providerMs: number;
    cliMs: number;
    sqlMs: number;
    /** provider / cli (target ≤ 1.2). */
    vsCli: number;
    /** provider / same SQL through the in-process driver. */
    vsSql: number;
    /** The provider's own recorded round trips replayed through its driver (median ms). */
    ownSqlMs: number;
    /** own SQL / cli: what the provider's round trips cost against the DBA's script. */
    ownVsCli: number;
    /** provider / own SQL: the provider's client-side work on top of its round trips. */
    vsOwnSql: number;
}

export interface GrantsCaseResult {
    case: GrantsCase;
    label: string;
    tables: number;
    repetitions: number;
    steps: StepFigures[];
    /** Median cost of `SELECT 1` through a client process and through an in-process connection. */
    fixed: { cliMs: number; sqlMs: number };
    /** Provider round trips (connect + queries) and SQL statements per step, counted in the warm-up. */
    roundTrips: Record<Step, { roundTrips: number; statements: number; kinds: string }>;
    /** Privilege rows held after each contender's create (all equal, or the run fails). */
    heldAfterCreate: number;
}

export interface GrantsBenchResult {
    cases: GrantsCaseResult[];
    /** Per case: refresh round trips at each size measured (equal = independent of table count). */
    refreshRoundTrips: Record<string, Record<number, number>>;
}

interface Outcome {
    id: string;
    outs: Record<string, unknown>;
}

/** The provider, instrumented to count its round trips (the seam the provider tests use). */
function instrumentedProvider(trips: RoundTrip[]) {
    return makeTargetGrantsProvider({
        sessionOptions: { ...DEFAULT_SESSION_OPTIONS, onRoundTrip: (t) => trips.push(t) },
    });
}

interface CaseSetup {
    case: GrantsCase;
    inputs: TargetGrantsInputs;
    scripts: BaselineScripts;
    /** Runs a script through the in-process driver. */
    runSql(script: string): Promise<void>;
    /** Runs a script file through the real CLI. */
    runCli(file: string): Promise<void>;
    /** Untimed, before each contender's create → refresh → destroy (see `interleave`). */
    settle?: () => Promise<void>;
    held(): Promise<number>;
}

async function measureCase(
    setup: CaseSetup,
    tables: number,
    repetitions: number,
    log: (line: string) => void,
): Promise<GrantsCaseResult> {
    const trips: RoundTrip[] = [];
    const provider = instrumentedProvider(trips);
    const files = {
        create: writeSqlFile("create", setup.scripts.create),
        refresh: writeSqlFile("refresh", setup.scripts.refresh),
        destroy: writeSqlFile("destroy", setup.scripts.destroy),
        noop: writeSqlFile("noop", "SELECT 1;\n"),
    };
    try {
        let outcome: Outcome | undefined;
        const recorded: Partial<Record<Step, RecordedQuery[]>> = {};
        const providerSteps: Record<Step, () => Promise<unknown>> = {
            create: async () => {
                const checked = await provider.check({}, setup.inputs);
                if (checked.failures?.length) throw new Error(JSON.stringify(checked.failures));
                const created = await provider.create(setup.inputs);
                outcome = { id: created.id, outs: created.outs as Record<string, unknown> };
            },
            refresh: async () => {
                const read = await provider.read(outcome!.id, outcome!.outs);
                outcome = { id: outcome!.id, outs: read.props as Record<string, unknown> };
            },
            destroy: () => provider.delete(outcome!.id, outcome!.outs),
        };
        const contenders: Contender[] = [
            {
                name: "provider",
                steps: STEPS.map((step) => ({ name: step, run: providerSteps[step] })),
            },
            {
                name: "ownSql",
                steps: STEPS.map((step) => ({
                    name: step,
                    run: () => replayQueries({ url: setup.inputs.connection }, recorded[step]!),
                })),
            },
            {
                name: "cli",
                steps: STEPS.map((step) => ({ name: step, run: () => setup.runCli(files[step]) })),
            },
            {
                name: "sql",
                steps: STEPS.map((step) => ({
                    name: step,
                    run: () => setup.runSql(setup.scripts[step]),
                })),
            },
            {
                name: "fixed",
                steps: [
                    { name: "cli", run: () => setup.runCli(files.noop) },
                    { name: "sql", run: () => setup.runSql("SELECT 1") },
                ],
            },
        ];

        // Warm-up, verified: every contender must leave the same privileges after create and
        // none after destroy; the provider's round trips are counted here.
        const before = await setup.held();
        if (before !== 0) throw new Error(`grantee already holds ${before} privileges`);
        let heldAfterCreate = -1;
        const roundTrips = {} as GrantsCaseResult["roundTrips"];
        for (const contender of contenders.slice(0, 4)) {
            for (const step of contender.steps) {
                trips.length = 0;
                if (contender.name === "provider") {
                    recorded[step.name as Step] = await recordQueries(step.run);
                } else {
                    await step.run();
                }
                if (contender.name === "provider") {
                    roundTrips[step.name as Step] = {
                        roundTrips: trips.length,
                        statements: trips.reduce((n, t) => n + t.statements, 0),
                        kinds: trips
                            .map((t) => `${t.kind}${t.statements > 1 ? `(${t.statements})` : ""}`)
                            .join(" "),
                    };
                }
                const held = await setup.held();
                if (step.name === "create") {
                    if (heldAfterCreate >= 0 && held !== heldAfterCreate) {
                        throw new Error(
                            `${contender.name} create left ${held} privilege rows, expected ${heldAfterCreate}: the baselines do not have the same effect`,
                        );
                    }
                    if (held === 0) throw new Error(`${contender.name} create granted nothing`);
                    heldAfterCreate = held;
                }
                if (step.name === "destroy" && held !== 0) {
                    throw new Error(`${contender.name} destroy left ${held} privilege rows`);
                }
            }
        }

        const samples =
            repetitions > 0
                ? await interleave(contenders, { repetitions, warmup: 0, settle: setup.settle })
                : undefined;
        if (!samples) {
            return {
                case: setup.case,
                label: CASE_LABEL[setup.case],
                tables,
                repetitions,
                steps: [],
                fixed: { cliMs: Number.NaN, sqlMs: Number.NaN },
                roundTrips,
                heldAfterCreate,
            };
        }
        const steps = STEPS.map((step): StepFigures => {
            const providerMs = median(samples.provider![step]!);
            const cliMs = median(samples.cli![step]!);
            const sqlMs = median(samples.sql![step]!);
            const ownSqlMs = median(samples.ownSql![step]!);
            return {
                step,
                providerMs,
                cliMs,
                sqlMs,
                vsCli: ratio(providerMs, cliMs),
                vsSql: ratio(providerMs, sqlMs),
                ownSqlMs,
                ownVsCli: ratio(ownSqlMs, cliMs),
                vsOwnSql: ratio(providerMs, ownSqlMs),
            };
        });
        const result: GrantsCaseResult = {
            case: setup.case,
            label: CASE_LABEL[setup.case],
            tables,
            repetitions,
            steps,
            fixed: { cliMs: median(samples.fixed!.cli!), sqlMs: median(samples.fixed!.sql!) },
            roundTrips,
            heldAfterCreate,
        };
        log(
            `grants ${setup.case} ${tables} tables: ` +
                steps
                    .map(
                        (s) =>
                            `${s.step} ${s.vsCli}× cli / ${s.vsSql}× sql (own SQL ${s.ownVsCli}× cli, provider ${s.vsOwnSql}× own SQL)`,
                    )
                    .join(", "),
        );
        return result;
    } finally {
        for (const file of Object.values(files)) removeSqlFile(file);
    }
}

/**
 * The catalogs every grant and revoke of N tables rewrites (N rows of `pg_class`, N of the shared
 * `pg_shdepend`), vacuumed as autovacuum would on a server that runs it. The test server runs
 * with `autovacuum = off`: without this, each repetition leaves N dead rows in both and every
 * later catalog read, by every contender, scans more of them.
 */
async function vacuumCatalogs(url: string): Promise<void> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
        for (const table of ["pg_class", "pg_attribute", "pg_shdepend"]) {
            await client.query(`VACUUM pg_catalog.${table}`);
        }
    } finally {
        await client.end();
    }
}

async function pgRunSql(url: string, script: string): Promise<void> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
        await client.query(script);
    } finally {
        await client.end();
    }
}

async function mysqlRunSql(target: ClientTarget, script: string): Promise<void> {
    const conn = await mysql.createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        multipleStatements: true,
        connectTimeout: 10_000,
    });
    try {
        await conn.query(script);
    } finally {
        await conn.end();
    }
}

/** Runs the grants benchmark for every size and case asked for. */
export async function runGrantsBench(options: GrantsBenchOptions): Promise<GrantsBenchResult> {
    const log = options.log ?? (() => undefined);
    const cases = options.cases ?? GRANTS_CASES;
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
    await requireService("MariaDB", MARIADB_ADMIN_URL);
    const pgTarget = clientTarget(POSTGRES_ADMIN_URL, 5432);
    const myTarget = clientTarget(MARIADB_ADMIN_URL, 3306);
    const results: GrantsCaseResult[] = [];

    for (const tables of options.tableCounts) {
        const repetitions = options.repetitions(tables);
        if (cases.includes("postgres")) {
            log(`grants: creating a PostgreSQL schema of ${tables} tables`);
            const fx = await createPostgresFixture(tables);
            try {
                results.push(
                    await measureCase(
                        {
                            case: "postgres",
                            inputs: { connection: fx.url, grantee: fx.grantee, schema: fx.schema },
                            scripts: postgresBaseline(fx.schema, fx.grantee, fx.owner),
                            runSql: (script) => pgRunSql(fx.url, script),
                            runCli: (file) =>
                                runClient("psql", psqlArgs(pgTarget, fx.database, file)),
                            held: fx.held,
                            settle: () => vacuumCatalogs(fx.url),
                        },
                        tables,
                        repetitions,
                        log,
                    ),
                );
            } finally {
                await fx.drop();
            }
        }
        const mariadbCases = cases.filter((c) => c !== "postgres");
        if (mariadbCases.length > 0) {
            log(`grants: creating a MariaDB database of ${tables} tables`);
            const fx = await createMariadbFixture(tables);
            try {
                for (const which of mariadbCases) {
                    const perTable = which === "mariadb-tables";
                    results.push(
                        await measureCase(
                            {
                                case: which,
                                inputs: {
                                    connection: MARIADB_ADMIN_URL,
                                    grantee: fx.user,
                                    schema: fx.database,
                                    ...(perTable ? { tables: fx.tables } : {}),
                                },
                                scripts: perTable
                                    ? mariadbPerTableBaseline(fx.database, fx.user, fx.tables)
                                    : mariadbDatabaseBaseline(fx.database, fx.user),
                                runSql: (script) => mysqlRunSql(myTarget, script),
                                runCli: (file) => runClient("mariadb", mariadbArgs(myTarget), file),
                                held: fx.held,
                            },
                            tables,
                            repetitions,
                            log,
                        ),
                    );
                }
            } finally {
                await fx.drop();
            }
        }
    }

    const refreshRoundTrips: GrantsBenchResult["refreshRoundTrips"] = {};
    for (const r of results) {
        (refreshRoundTrips[r.case] ??= {})[r.tables] = r.roundTrips.refresh.roundTrips;
    }
    return { cases: results, refreshRoundTrips };
}
