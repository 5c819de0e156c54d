/**
 * Read and delete.
 *
 * - read: SHOW CHANGEFEED JOB <id>, so refresh shows a failed/cancelled/missing job, and tables
 *   or options changed out of band, as drift.
 * - delete: the steps of `planDelete` (CANCEL JOB, bounded wait); a job already finished or gone
 *   is success.
 */
import type * as pulumi from "@pulumi/pulumi";

import { laterHlc } from "../../cockroach";
import { withActualOptions } from "../jobOptions";
import { cancel, showJob, waitForJob } from "../jobs";
import { needsRecreate, planDelete } from "../plan";
import { secretsOf } from "../sink";
import type { ChangefeedConfig, ChangefeedOutputs } from "../types";
import { type Ctx, onLiveSession } from "./context";
import { withWatchedTables } from "./outputs";
import { cancelUnacknowledgedJobs } from "./recovery";

export async function read(
    ctx: Ctx,
    id: string,
    props: ChangefeedOutputs,
): Promise<pulumi.dynamic.ReadResult> {
    return ctx.open(props.connection, secretsOf(props), async (session) => {
        const job = props.jobId ? await showJob(session, props.jobId) : undefined;
        return {
            id,
            props: {
                ...withActualOptions(withWatchedTables(props, job), job),
                status: job?.status ?? "missing",
                runningStatus: job?.runningStatus ?? "",
                error: job?.error ?? "",
                highWaterTimestamp: laterHlc(props.highWaterTimestamp, job?.highWaterTimestamp),
            },
        };
    });
}

/**
 * Cancels the job of `props`. `parse` gives the parsed state, needed only when a create failed
 * after taking its cursor (no job id): a CREATE whose answer was lost may have committed after
 * it looked; that job (our cursor, sink and tables) is cancelled here.
 */
export async function deleteChangefeed(
    ctx: Ctx,
    props: ChangefeedOutputs,
    parse: () => ChangefeedConfig,
): Promise<void> {
    if (!props.jobId) {
        if (props.cursor && props.webhookUrl) {
            const config = parse();
            await cancelUnacknowledgedJobs(ctx, config, props.cursor, config.secrets);
        }
        return;
    }
    const secrets = secretsOf(props);
    const plan = planDelete(props.jobId);
    await ctx.open(props.connection, secrets, async (session) => {
        const job = await showJob(session, props.jobId);
        if (!job || needsRecreate(job.status)) return;
        // A CANCEL whose answer is lost may have run: re-read and finish on a fresh session.
        await onLiveSession(ctx, session, props.connection, secrets, async (live) => {
            const now = await showJob(live, props.jobId);
            if (now && !needsRecreate(now.status)) await cancel(live, props.jobId, plan.cancel);
            // Bounded wait for `canceled`, so a replacement created next does not overlap with a
            // feed still delivering; cancel-requested after the wait is accepted (on its way).
            await waitForJob(live, props.jobId, (j) => j.status === "canceled", {
                timeoutMs: 30_000,
            });
        });
    });
}
