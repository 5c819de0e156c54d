/**
 * Runs the pre-flight's reads (plan.ts) on CockroachDB, the staging cluster and the target, and
 * hands their rows to the judge (findings.ts). Read-only: nothing is created or changed.
 */
import { connectCockroach, errorMessage, type CockroachSession } from "../../cockroach";
import { scrubSecrets } from "../../kernel/redact";
import type { CatalogSession, TargetEndpoint } from "../../targets/columns";
import type { Dialect } from "../../targets/types";
import { judgePreflight, type StepResults } from "../findings";
import { planPreflight, type PreflightStep } from "../plan";
import type { Finding, PreflightConfig } from "../types";

/** Opens a catalog session on a target; replaceable in tests (the Oracle recording client). */
export type TargetOpener = (dialect: Dialect, endpoint: TargetEndpoint) => Promise<CatalogSession>;

/** Runs every read and returns every finding. */
export async function runPreflight(
    config: PreflightConfig,
    openTarget?: TargetOpener,
): Promise<Finding[]> {
    const steps = planPreflight(config);
    const results: StepResults = new Map();
    const fatal: Finding[] = [];
    const scrub = (err: unknown) => scrubSecrets(errorMessage(err), config.secrets);

    const onCockroach = steps.filter((s) => s.server === "cockroach");
    const onStaging = steps.filter((s) => s.server === "staging");
    const cockroach = await openCockroach(config.cockroachUrl, config.secrets).catch(
        (err: unknown) => {
            fatal.push(unreachable("CockroachDB", scrub(err), "cockroachConnection"));
            return undefined;
        },
    );
    if (cockroach) {
        try {
            await runSteps(onCockroach, (step) => cockroach.query(step.sql, step.params), results);
            if (config.stagingUrl === config.cockroachUrl) {
                await runSteps(
                    onStaging,
                    (step) => cockroach.query(step.sql, step.params),
                    results,
                );
            }
        } finally {
            await cockroach.close();
        }
    }
    if (config.stagingUrl !== config.cockroachUrl) {
        const staging = await openCockroach(config.stagingUrl, config.secrets).catch(
            (err: unknown) => {
                fatal.push(unreachable("the staging cluster", scrub(err), "stagingConnection"));
                return undefined;
            },
        );
        if (staging) {
            try {
                await runSteps(onStaging, (step) => staging.query(step.sql, step.params), results);
            } finally {
                await staging.close();
            }
        }
    }
    const { dialect, endpoint, label } = config.target;
    const open = openTarget ?? ((_: Dialect, e: TargetEndpoint) => dialect.open(e));
    const target = await open(dialect.dialect, endpoint).catch((err: unknown) => {
        fatal.push(unreachable(`the target ${label}`, scrub(err), "targetConnection"));
        return undefined;
    });
    if (target) {
        try {
            await runSteps(
                steps.filter((s) => s.server === "target"),
                (step) => target.run(step.sql, step.params),
                results,
            );
        } finally {
            await target.close();
        }
    }
    if (fatal.length > 0) return fatal;
    for (const [id, result] of results) {
        if (result instanceof Error) results.set(id, new Error(scrub(result)));
    }
    return judgePreflight(config, steps, results);
}

async function openCockroach(url: string, secrets: readonly string[]): Promise<CockroachSession> {
    return connectCockroach(url, secrets);
}

/** Runs steps in order; a failure is recorded as the step's result (findings.ts reports it). */
async function runSteps(
    steps: readonly PreflightStep[],
    query: (step: PreflightStep) => Promise<Record<string, unknown>[]>,
    results: StepResults,
): Promise<void> {
    for (const step of steps) {
        try {
            results.set(step.id, await query(step));
        } catch (err) {
            results.set(step.id, err instanceof Error ? err : new Error(String(err)));
        }
    }
}

function unreachable(what: string, message: string, property: string): Finding {
    return {
        severity: "error",
        check: "tables",
        object: what,
        problem: `cannot be read: ${message}`,
        fix: `check ${property} (host, port, credentials, TLS) and that the server is up`,
    };
}
