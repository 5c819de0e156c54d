/**
 * Update: in place with PAUSE → ALTER → RESUME (high-water kept), or a new job from the stored
 * high-water when the old one failed, was cancelled or is gone (the resource id stays). With
 * `verifyDelivery`, then waits for a checkpoint newer than the high-water at the start of the
 * update. If that proof does not come, a job this update created is cancelled; a job that was
 * altered/resumed in place is left running (cancelling it would stop a feed that may have been
 * delivering before) and the update fails with a PartialStateError that records the applied
 * change without `deliveryVerifiedAt`, so the next `up` verifies again.
 */
import * as pulumi from "@pulumi/pulumi";

import { type CockroachSession, laterHlc } from "../../cockroach";
import { PartialStateError } from "../../kernel/partialState";
import { requireOptionsOnClusterVersion } from "../clusterVersion";
import { cancel, type JobInfo, showJob } from "../jobs";
import { withActualOptions } from "../jobOptions";
import { needsRecreate, planAlter, planStart, recreateCursor, viewOf } from "../plan";
import { sameSink, sinkIdentityOf } from "../sink";
import { alterPlanIsEmpty } from "../sql";
import type { ChangefeedConfig, ChangefeedOutputs } from "../types";
import { alterInPlace, type PartialOf, reportAfterAlter } from "./alter";
import { clusterId, type Ctx } from "./context";
import { checkPrivileges, guardExclusive } from "./guards";
import { type JobFields, outputsOf, withWatchedTables } from "./outputs";
import { cancelUnacknowledgedJobs } from "./recovery";
import { startFeed } from "./start";
import { proveDelivery, verificationFrom, withOptionalStaging } from "./verification";

/** Where the update stands: the parsed new inputs (secrets of both sides) and the old state. */
interface Updating {
    ctx: Ctx;
    id: string;
    session: CockroachSession;
    staging: CockroachSession | undefined;
    config: ChangefeedConfig;
    olds: ChangefeedOutputs;
    /** The parsed old state. */
    before: ChangefeedConfig;
    cluster: string;
}

export async function update(
    ctx: Ctx,
    id: string,
    olds: ChangefeedOutputs,
    before: ChangefeedConfig,
    news: ChangefeedConfig,
): Promise<pulumi.dynamic.UpdateResult> {
    // Messages are scrubbed of the secrets of both sides.
    const config = { ...news, secrets: [...news.secrets, ...before.secrets] };
    const { secrets } = config;
    return ctx.open(config.inputs.connection, secrets, async (session) => {
        const cluster = await clusterId(session);
        if (olds.clusterId && cluster !== olds.clusterId) {
            throw new Error(
                `the new connection reaches CockroachDB cluster ${cluster}, but changefeed job ${olds.jobId} runs on cluster ` +
                    `${olds.clusterId}. Refusing to update: point the connection back at that cluster, or change its ` +
                    "host/port/database so the changefeed is replaced.",
            );
        }
        // An empty job id: a create that failed after taking its cursor (no job to look at).
        // Status `unknown`: that create could not cancel its job; it never proved anything, so
        // it is cancelled now and a new job starts from the recorded cursor.
        if (olds.status === "unknown" && olds.jobId) await cancel(session, olds.jobId);
        const current =
            olds.jobId && olds.status !== "unknown"
                ? await showJob(session, olds.jobId)
                : undefined;
        await requireOptionsOnClusterVersion(session, config.inputs.options);
        return withOptionalStaging(ctx, config, secrets, async (staging) => {
            const run: Updating = { ctx, id, session, staging, config, olds, before, cluster };
            if (!current || needsRecreate(current.status))
                return { outs: await recreate(run, current) };
            return { outs: await changeInPlace(run, current) };
        });
    });
}

/**
 * The old job can never run again: start a new one where it stopped. No orphan is possible from
 * the old job; the start cancels the new one if it does not come up or (with verification)
 * delivers nothing the replicator records.
 */
async function recreate(run: Updating, current: JobInfo | undefined): Promise<ChangefeedOutputs> {
    const { ctx, session, config, olds } = run;
    const cursor = recreateCursor({
        ...olds,
        highWaterTimestamp: laterHlc(olds.highWaterTimestamp, current?.highWaterTimestamp),
    });
    if (!olds.jobId) {
        // A create that failed after taking its cursor: a CREATE whose answer was lost may have
        // committed after that create looked. Such a job carries our cursor, sink and tables; it
        // is ours and never proved anything: cancel it.
        await cancelUnacknowledgedJobs(ctx, run.before, olds.cursor, config.secrets);
    }
    await checkPrivileges(session, config, false);
    const started = await startFeed(ctx, session, run.staging, config, {
        plan: planStart(viewOf(config), cursor),
        replaces: olds.jobId,
    });
    return outputsOf(config, {
        jobId: started.job.jobId,
        cursor,
        job: started.job,
        clusterId: run.cluster,
        proof: started.proof,
    });
}

/** The job runs (or is paused): ALTER it in place, or only verify delivery when nothing changed. */
async function changeInPlace(run: Updating, current: JobInfo): Promise<ChangefeedOutputs> {
    const { ctx, session, config, olds } = run;
    // Plan from what the job really watches: an earlier ALTER whose answer was lost (or a change
    // made by hand) must not be applied twice ("already watched").
    const plan = planAlter(
        withActualOptions(withWatchedTables(olds, current), current),
        config.inputs,
        config.sinkUri,
    );
    const base: Omit<JobFields, "job"> = {
        jobId: olds.jobId,
        cursor: olds.cursor,
        previousHighWater: olds.highWaterTimestamp,
        clusterId: run.cluster,
    };
    const partial: PartialOf = (after, reason, lastCheckpoint) =>
        new PartialStateError(
            run.id,
            outputsOf(config, { ...base, job: after, lastCheckpoint }) as unknown as Record<
                string,
                unknown
            >,
            [reason],
        );
    const startHighWater = laterHlc(olds.highWaterTimestamp, current.highWaterTimestamp);
    const verification = await verificationFrom(config, run.staging, startHighWater ?? olds.cursor);
    if (alterPlanIsEmpty(plan)) {
        if (!verification || current.status !== "running") {
            if (verification) {
                void pulumi.log.warn(
                    `changefeed job ${olds.jobId} is ${current.status}: delivery was not verified.`,
                );
            }
            const kept = verification
                ? {
                      proof: olds.deliveryVerifiedAt
                          ? {
                                lastDeliveredResolved: olds.lastDeliveredResolved ?? "",
                                deliveryVerifiedAt: olds.deliveryVerifiedAt,
                            }
                          : undefined,
                      lastCheckpoint: olds.lastDeliveredResolved,
                  }
                : {};
            return outputsOf(config, { ...base, job: current, ...kept });
        }
        try {
            const proof = await proveDelivery(ctx, session, config, olds.jobId, verification);
            return outputsOf(config, { ...base, job: proof.job, proof });
        } catch (err) {
            const job = await showJob(session, olds.jobId).catch(() => undefined);
            throw reportAfterAlter(err, config, partial, job);
        }
    }
    if (plan.sink !== undefined && !sameSink(sinkIdentityOf(olds.sinkUri), config.sink)) {
        await guardExclusive(session, config, olds.jobId);
    }
    const after = await alterInPlace({
        ctx,
        session,
        config,
        jobId: olds.jobId,
        current,
        plan,
        verification,
        partial,
    });
    return outputsOf(config, { ...base, job: after.job, proof: after.proof });
}
