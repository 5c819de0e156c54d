/**
 * `pulumi preview` wall time of stacks with resources as a ratio to an EMPTY stack's preview in
 * the same run, with the real CLI from .tools/bin (test/support/engine/engine.ts). Previews are
 * interleaved (order alternating each repetition) and the median is reported.
 *
 * Stacks (all but the first two also in `minimal` mode):
 * - `empty`: bench/programs/empty — no resources; the program imports @pulumi/pulumi and reads
 *   config, as every real program does. The baseline.
 * - `grants-postgres (new)`: examples/grants-postgres never deployed, with a dummy connection —
 *   preview only runs `check` (offline), so no database is needed.
 * Full mode adds, to explain the ratio:
 * - `empty, no import`: bench/programs/empty-bare — not even @pulumi/pulumi is loaded.
 * - `dynamic no-op`: bench/programs/dynamic-noop — one dynamic resource with an inline no-op
 *   provider and no package import: the floor every dynamic resource pays (the engine starts the
 *   `pulumi-nodejs` provider plugin, a Node process that loads @pulumi/pulumi, and the program
 *   serializes the closure).
 * - `grants-postgres (deployed)`: the same program after a real `up` against PostgreSQL —
 *   preview runs `check` and `diff` (both offline), the usual pull-request preview. Its state
 *   file is measured too (total bytes, per-resource bytes, `__provider` bytes).
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { createEngineStack, type EngineStack } from "../../test/support/engine/engine";
import { REPO_ROOT } from "../../test/support/engine/packageInstall";
import { makeTestCertificates } from "../../test/support/replicator/testCerts";
import { POSTGRES_ADMIN_URL, requireService } from "../../test/support/services";
import { type Contender, interleave } from "../lib/interleave";
import { median, ratio } from "../lib/stats";
import { benchName, withDatabase } from "../grants/fixtures";
import { type StateSize, measureState } from "./stateSize";
import { withPg } from "../../test/support/sessions";

export interface PreviewFigure {
    stack: string;
    /** Resources the preview plans (from its change summary, stack included). */
    resources: number;
    medianMs: number;
    /** medianMs / the empty stack's medianMs (target ≤ 1.5). */
    vsEmpty: number;
}

export interface PreviewBenchResult {
    repetitions: number;
    emptyMs: number;
    figures: PreviewFigure[];
    /** State of the deployed grants-postgres stack after `up` (full mode only). */
    deployedState?: StateSize;
    /** Programs found in the repository but not measured, with the reason. */
    notMeasured: string[];
}

export interface PreviewBenchOptions {
    repetitions: number;
    /** Untimed previews of every stack first. Default 1. */
    warmup?: number;
    /** `minimal`: only the empty stack and the new grants stack (no database, no deploy). */
    mode?: "full" | "minimal";
    log?: (line: string) => void;
}

const PROGRAMS = path.join(REPO_ROOT, "bench", "programs");
const GRANTS_PROGRAM = path.join(REPO_ROOT, "examples", "grants-postgres");

/** The config-driven Failback program (cluster settings → grants → replicator → changefeed). */
const FAILBACK_PROGRAM = REPO_ROOT; // Pulumi.yaml at the root, `main: deploy/`

/**
 * Configuration for a never-deployed Failback stack: dummy connection URLs (preview runs only the
 * offline `check`), an external replicator and bring-your-own TLS and JWT key (the tls and
 * kubernetes plugins are not installed here), as in test/e2e/failbackChain.test.ts.
 */
function failbackPreviewConfig() {
    const certs = makeTestCertificates();
    const jwtPrivateKeyPem = generateKeyPairSync("ec", { namedCurve: "P-256" })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
    return {
        config: {
            dialect: "postgres",
            grantee: "replicator",
            database: "app",
            schema: "public",
            tables: "orders",
            stagingSchema: "defaultdb._replicator",
            externalUrl: "https://127.0.0.1:30004",
            tlsCaCertPem: certs.caPem,
            tlsCertPem: certs.serverCertPem,
            tlsClientCertPem: certs.clientCertPem,
            forwardDrained: "true",
        },
        secrets: {
            cockroachConnection: "postgresql://root:dummy@127.0.0.1:9/defaultdb?sslmode=disable",
            targetAdminConnection: "postgres://admin:dummy@127.0.0.1:9/app",
            targetReplicatorConnection: "postgres://replicator:dummy@127.0.0.1:9/app",
            tlsKeyPem: certs.serverKeyPem,
            tlsClientKeyPem: certs.clientKeyPem,
            jwtPrivateKeyPem,
        },
    };
}

const summaryCount = (summary: Record<string, number>) =>
    Object.values(summary).reduce((n, v) => n + v, 0);

export async function runPreviewBench(options: PreviewBenchOptions): Promise<PreviewBenchResult> {
    const log = options.log ?? (() => undefined);
    const full = (options.mode ?? "full") === "full";
    const database = benchName("benchpv");
    const grantee = benchName("benchpvr");
    const stacks: EngineStack[] = [];
    const named: Array<{ name: string; stack: EngineStack }> = [];
    const add = async (name: string, stack: Promise<EngineStack>) => {
        const s = await stack;
        stacks.push(s);
        named.push({ name, stack: s });
        return s;
    };
    if (full) {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${database}`);
            await c.query(`CREATE ROLE ${grantee} NOLOGIN`);
        });
        await withPg(withDatabase(POSTGRES_ADMIN_URL, database), (c) =>
            c.query("CREATE TABLE public.orders (id INT8 PRIMARY KEY, v TEXT)"),
        );
    }
    try {
        log("preview: preparing stacks (npm pack + install, cached)");
        await add("empty", createEngineStack({ programDir: path.join(PROGRAMS, "empty") }));
        await add(
            "grants-postgres (new: check only)",
            createEngineStack({
                programDir: GRANTS_PROGRAM,
                config: { grantee, schema: "public" },
                secrets: { connection: "postgres://bench:dummy@127.0.0.1:9/nowhere" },
            }),
        );
        let deployedState: StateSize | undefined;
        let deployed: EngineStack | undefined;
        const notMeasured: string[] = [];
        if (full && fs.existsSync(path.join(FAILBACK_PROGRAM, "Pulumi.yaml"))) {
            const failback = await add(
                "deploy/ Failback (new: check only)",
                createEngineStack({ programDir: FAILBACK_PROGRAM, ...failbackPreviewConfig() }),
            );
            // The program may be ahead of the package (e.g. an export not wired yet): report it
            // instead of failing every other figure.
            try {
                await failback.preview();
            } catch (err) {
                named.pop();
                const why = (err instanceof Error ? err.message : String(err))
                    .split("\n")
                    .find((line) => /error TS|Error:/.test(line));
                notMeasured.push(`deploy/ (Failback): its preview fails here — ${why?.trim()}`);
            }
        } else if (full) {
            notMeasured.push("deploy/ (the Failback program) does not exist yet");
        }
        if (full) {
            await add(
                "empty, no @pulumi/pulumi import",
                createEngineStack({ programDir: path.join(PROGRAMS, "empty-bare") }),
            );
            await add(
                "dynamic no-op (inline provider)",
                createEngineStack({ programDir: path.join(PROGRAMS, "dynamic-noop") }),
            );
            deployed = await add(
                "grants-postgres (deployed: check + diff)",
                createEngineStack({
                    programDir: GRANTS_PROGRAM,
                    config: { grantee, schema: "public" },
                    secrets: { connection: withDatabase(POSTGRES_ADMIN_URL, database) },
                }),
            );
            log("preview: deploying grants-postgres");
            await deployed.up();
            deployedState = measureState(await deployed.exportState());
        }

        const resources: Record<string, number> = {};
        const contenders: Contender[] = named.map(({ name, stack }) => ({
            name,
            steps: [
                {
                    name: "preview",
                    run: async () => {
                        const r = await stack.preview();
                        resources[name] = summaryCount(r.changeSummary);
                    },
                },
            ],
        }));
        log(`preview: ${options.repetitions} interleaved repetitions of ${named.length} stacks`);
        const samples = await interleave(contenders, {
            repetitions: options.repetitions,
            warmup: options.warmup ?? 1,
        });
        const emptyMs = median(samples.empty!.preview!);
        const figures = named.map(({ name }): PreviewFigure => {
            const ms = median(samples[name]!.preview!);
            return {
                stack: name,
                resources: resources[name] ?? 0,
                medianMs: ms,
                vsEmpty: ratio(ms, emptyMs),
            };
        });
        await deployed?.destroy();
        return { repetitions: options.repetitions, emptyMs, figures, deployedState, notMeasured };
    } finally {
        for (const stack of stacks) await stack.dispose().catch(() => undefined);
        if (full) {
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
                await c.query(`DROP ROLE IF EXISTS ${grantee}`);
            });
        }
    }
}
