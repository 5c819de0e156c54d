/**
 * Recovery from a start whose outcome is not known: the job a CREATE without an answer may have
 * made is found and cancelled, and a failed create keeps its cursor in state.
 */
import { withoutUndefined } from "../../kernel/lazyProvider";
import { PartialStateError } from "../../kernel/partialState";
import { scrubSecrets } from "../../kernel/redact";
import { cancel, listJobs } from "../jobs";
import { sameSink, sinkIdentityOf } from "../sink";
import { ACTIVE_STATUSES, type ChangefeedConfig } from "../types";
import type { Ctx } from "./context";
import { outputsOf } from "./outputs";

/**
 * After CREATE CHANGEFEED failed without an answer (connection cut), the statement may still
 * have committed. The job it made is found by what only it has: the same sink host/port/path,
 * the same tables and our exact cursor in its description. Returns the ids cancelled.
 */
export async function cancelUnacknowledgedJobs(
    ctx: Ctx,
    config: ChangefeedConfig,
    cursor: string,
    secrets: readonly string[],
): Promise<string[]> {
    return ctx.open(config.inputs.connection, secrets, async (session) => {
        const ours = (await listJobs(session)).filter(
            (job) =>
                ACTIVE_STATUSES.has(job.status) &&
                sameSink(sinkIdentityOf(job.sinkUri), config.sink) &&
                [...job.fullTableNames].sort().join(",") === config.tableKeys &&
                (job.description ?? "").includes(`cursor = '${cursor}'`),
        );
        for (const job of ours) await cancel(session, job.jobId);
        return ours.map((job) => job.jobId);
    });
}

/** A start that failed; `jobLeft` names a job that may still exist because cancelling it failed. */
export class StartFailed extends Error {
    constructor(
        message: string,
        readonly jobLeft?: string,
    ) {
        super(message);
    }
}

/**
 * A create that failed after the cursor was taken: state records the cursor (and no job, or the
 * job a failed cancel left behind), so the next `up` starts from the same cursor. `__provider`
 * is kept so a `destroy` of this state still finds the provider.
 */
export function cursorKept(
    id: string,
    config: ChangefeedConfig,
    cursor: string,
    cluster: string,
    err: unknown,
): PartialStateError {
    const jobLeft = err instanceof StartFailed ? err.jobLeft : undefined;
    const outs = outputsOf(config, {
        jobId: jobLeft ?? "",
        cursor,
        job: undefined,
        clusterId: cluster,
    });
    const properties = withoutUndefined({
        ...(outs as unknown as Record<string, unknown>),
        status: jobLeft ? "unknown" : "missing",
        __provider: (config.inputs as unknown as Record<string, unknown>).__provider,
    });
    const message = scrubSecrets((err as Error).message, config.secrets);
    return new PartialStateError(id, properties, [
        `${message} The cursor ${cursor} is kept in state: the next \`up\` starts a changefeed from it, so no ` +
            "change written since is lost. To start from a new cursor instead, set the `cursor` argument.",
    ]);
}
