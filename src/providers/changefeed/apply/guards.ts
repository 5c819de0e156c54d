/**
 * What is checked on the cluster before a job is created or taken over: the user's privileges
 * and that no other active feed already delivers to the same replicator.
 */
import type { CockroachSession } from "../../cockroach";
import { type JobInfo, listJobs } from "../jobs";
import { findMissingPrivileges, missingPrivilegesMessage } from "../privileges";
import { describeSink, sameSinkResolved, sinkIdentityOf } from "../sink";
import { ACTIVE_STATUSES, type ChangefeedConfig } from "../types";

/**
 * Refuses when another active changefeed already delivers to the config's replicator (unless
 * `exclusive` is off). `ignoreJobId` is the job this operation replaces or adopts.
 */
export async function guardExclusive(
    session: CockroachSession,
    config: ChangefeedConfig,
    ignoreJobId: string | undefined,
): Promise<void> {
    if (!config.exclusive) return;
    const sink = config.sink;
    let clash: JobInfo | undefined;
    for (const job of await listJobs(session)) {
        if (job.jobId === ignoreJobId || !ACTIVE_STATUSES.has(job.status)) continue;
        if (await sameSinkResolved(sinkIdentityOf(job.sinkUri), sink)) {
            clash = job;
            break;
        }
    }
    if (clash) {
        throw new Error(
            `only one changefeed per replicator: changefeed job ${clash.jobId} (status ${clash.status}) already ` +
                `delivers to ${describeSink(sink)}. Cancel it (CANCEL JOB ${clash.jobId}), take it over with ` +
                `adoptJobId: "${clash.jobId}", or set exclusive: false if two feeds into one replicator are intended.`,
        );
    }
}

/** Refuses when the user lacks a privilege the job needs (`adopting`: control of other jobs). */
export async function checkPrivileges(
    session: CockroachSession,
    config: ChangefeedConfig,
    adopting: boolean,
): Promise<void> {
    const missing = await findMissingPrivileges(session, config.tables, {
        viewAllJobs: config.exclusive,
        controlOtherJobs: adopting,
    });
    if (missing) throw new Error(missingPrivilegesMessage(missing));
}
