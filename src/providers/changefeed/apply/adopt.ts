/**
 * Taking over a changefeed created by hand (`adoptJobId`): it must run (or be paused) and
 * deliver to the same host/port/path for the same tables. Its sink TLS parameters and options
 * are then brought to the args with one PAUSE → ALTER → RESUME, since CockroachDB shows them
 * only redacted. With verification, delivery must then be proven; if it is not, the adopted job
 * is left running (this stack did not create it) and create fails.
 */
import type { CockroachSession } from "../../cockroach";
import { type JobInfo, showJob } from "../jobs";
import { planAdoption } from "../plan";
import { describeSink, sameSink, sinkIdentityOf } from "../sink";
import type { ChangefeedConfig, ChangefeedOutputs } from "../types";
import { alterInPlace } from "./alter";
import type { Ctx } from "./context";
import { guardExclusive } from "./guards";
import { outputsOf, warnUnverified } from "./outputs";
import { verificationFrom } from "./verification";

/** What differs between a hand-made job and the args (empty when it may be adopted). */
export function adoptionDifferences(job: JobInfo, config: ChangefeedConfig): string[] {
    const differences: string[] = [];
    const want = config.sink;
    const have = sinkIdentityOf(job.sinkUri);
    if (!sameSink(have, want)) {
        differences.push(
            `sink: the job delivers to ${have ? describeSink(have) : "a non-webhook sink"}, webhookUrl is ${describeSink(want)}`,
        );
    }
    const wanted = new Set(config.tables.map((t) => t.key));
    const watched = new Set(job.fullTableNames);
    const notWatched = [...wanted].filter((t) => !watched.has(t));
    const notWanted = [...watched].filter((t) => !wanted.has(t));
    if (notWatched.length > 0)
        differences.push(`tables not watched by the job: ${notWatched.join(", ")}`);
    if (notWanted.length > 0)
        differences.push(
            `tables the job watches that tables does not list: ${notWanted.join(", ")}`,
        );
    return differences;
}

/** The adoptable job `jobId` (running or paused, matching the args, with a high-water). */
async function adoptable(
    session: CockroachSession,
    config: ChangefeedConfig,
    jobId: string,
): Promise<JobInfo & { highWaterTimestamp: string }> {
    const job = await showJob(session, jobId);
    if (!job) throw new Error(`cannot adopt changefeed job ${jobId}: CockroachDB has no such job`);
    if (job.status !== "running" && job.status !== "paused") {
        throw new Error(
            `cannot adopt changefeed job ${jobId}: it is ${job.status}; only a running or paused feed can be adopted`,
        );
    }
    const differences = adoptionDifferences(job, config);
    if (differences.length > 0) {
        throw new Error(
            `cannot adopt changefeed job ${jobId}, it does not match the args: ${differences.join("; ")}`,
        );
    }
    const highWaterTimestamp = job.highWaterTimestamp;
    if (!highWaterTimestamp) {
        throw new Error(
            `cannot adopt changefeed job ${jobId} yet: it has no high-water mark, so a later recreate would not know where to start. ` +
                "Wait until it has checkpointed (SHOW CHANGEFEED JOB) and retry.",
        );
    }
    return { ...job, highWaterTimestamp };
}

/** Adopts job `jobId` (see the file comment) and returns the outputs. */
export async function adopt(
    ctx: Ctx,
    session: CockroachSession,
    staging: CockroachSession | undefined,
    config: ChangefeedConfig,
    jobId: string,
    cluster: string,
): Promise<ChangefeedOutputs> {
    const job = await adoptable(session, config, jobId);
    await guardExclusive(session, config, jobId);
    const plan = planAdoption(config.inputs, config.sinkUri);
    const after = await alterInPlace({
        ctx,
        session,
        config,
        jobId,
        current: job,
        plan,
        verification: await verificationFrom(config, staging, job.highWaterTimestamp),
        partial: undefined,
    });
    warnUnverified(config, jobId);
    return outputsOf(config, {
        jobId,
        cursor: job.highWaterTimestamp,
        job: after.job,
        previousHighWater: job.highWaterTimestamp,
        clusterId: cluster,
        proof: after.proof,
    });
}
