/**
 * What ClusterSettings create/update record, and what they do when they fail part-way:
 * `SET CLUSTER SETTING` is not transactional, so a failure after earlier statements took effect
 * becomes a partial-state error that records what was applied and the prior values to restore.
 */
import { sqlState } from "../../cockroach";
import { PartialStateError } from "../../kernel/partialState";
import {
    type ClusterSettingsConfig,
    type ClusterSettingsInputs,
    type ClusterSettingsOutputs,
    type PriorSetting,
    type SettingValue,
    STATE_VERSIONING,
} from "../types";
import type { OpenSession } from "./context";
import { holds, SettingsSession } from "./session";

/** The connection reaches another cluster than the one a state belongs to; nothing was sent. */
export class ClusterMismatchError extends Error {}

/** True when the outcome of the failure is known: the server answered (a SQLSTATE) or nothing was sent. */
export function answered(err: unknown): boolean {
    return sqlState(err) !== undefined || err instanceof ClusterMismatchError;
}

/** What a failed create/update knew before the failure. */
export interface FailureContext {
    id: string;
    config: ClusterSettingsConfig;
    /** Desired values, including settings an update was dropping and may not have restored. */
    desired: Record<string, SettingValue>;
    /** Prior value of every setting this operation may have changed, captured before any change. */
    previous: Record<string, PriorSetting>;
    types: Record<string, string>;
    clusterId: string;
    /** Settings changed with a server acknowledgement. */
    applied: readonly string[];
    /** Settings a SET or RESET was sent for, acknowledged or not. */
    attempted: readonly string[];
}

/**
 * The error for a create/update that failed part-way (`SET CLUSTER SETTING` is not
 * transactional). A failure the server answered with nothing applied is passed on as it is.
 * Otherwise the outcome of the last statement is unknown: the cluster is re-read on a new
 * session, and unless that proves nothing changed, a partial-state error records every prior
 * value captured before the first change (so the rerun never mistakes this stack's value for
 * the prior one) and the values now read.
 */
export async function partialFailure(
    err: unknown,
    open: OpenSession,
    secrets: ReadonlyArray<string | undefined>,
    context: FailureContext,
): Promise<unknown> {
    // Nothing can have changed when no SET/RESET was sent, or when the only unacknowledged one
    // was answered with an error.
    if (context.attempted.length === 0) return err;
    if (answered(err) && context.applied.length === 0) return err;
    const { config, previous } = context;
    const names = Object.keys(context.desired);
    const reread = await open(config.connection, secrets, async (sql) => {
        const session = new SettingsSession(sql);
        const catalog = await session.catalog();
        return { catalog, values: await session.readBackQuietly(names) };
    }).catch(() => undefined);
    const changed = reread
        ? Object.entries(previous).filter(([name, prior]) => {
              const current = reread.catalog.get(name);
              return current !== undefined && !holds(current, prior);
          })
        : undefined;
    // No early return when the re-read shows nothing changed: an unanswered SET/RESET may still be
    // on its way (a stalled path, a server that runs it after the client gave up), so the prior
    // values captured before it are recorded whatever the re-read shows.
    const facts = [
        ...(context.applied.length > 0 ? [`already applied: ${context.applied.join(", ")}`] : []),
        reread
            ? `changed on the cluster now: ${changed?.map(([name]) => name).join(", ") || "nothing yet (a statement without an answer may still take effect, so the prior values are recorded)"}`
            : "the cluster could not be re-read, so every setting this step may have changed is recorded",
    ];
    return new PartialStateError(
        context.id,
        outputsOf(config.inputs, {
            desired: context.desired,
            previous,
            types: context.types,
            clusterId: context.clusterId,
            values: reread?.values ?? {},
        }) as unknown as Record<string, unknown>,
        [`${(err as Error).message} (${facts.join("; ")}; the next update converges)`],
    );
}

/** Refuses to act when `session` reaches another cluster than the one this state belongs to. */
export async function requireSameCluster(
    session: SettingsSession,
    expected: string | undefined,
    action: string,
): Promise<string> {
    const clusterId = await session.clusterId();
    if (expected && clusterId !== expected) {
        throw new ClusterMismatchError(
            `the connection reaches CockroachDB cluster ${clusterId}, but these settings were applied to cluster ` +
                `${expected}. Refusing to ${action}: nothing was changed. Point the connection back at that ` +
                "cluster (a DNS name or load balancer may have moved), or, if the old cluster is gone for good, " +
                "remove the resource from the state with `pulumi state delete <urn>`.",
        );
    }
    return clusterId;
}

/** The state written after a create/update (or recorded by a partial-state error). */
export function outputsOf(
    inputs: ClusterSettingsInputs,
    fields: Pick<ClusterSettingsOutputs, "desired" | "values" | "previous" | "types" | "clusterId">,
): ClusterSettingsOutputs {
    return {
        connection: inputs.connection,
        rangefeedEnabled: inputs.rangefeedEnabled,
        closedTimestampRefreshInterval: inputs.closedTimestampRefreshInterval,
        closedTimestampTargetDuration: inputs.closedTimestampTargetDuration,
        concurrentCatchupIterators: inputs.concurrentCatchupIterators,
        settings: inputs.settings,
        onDelete: inputs.onDelete ?? "restore",
        stateVersion: STATE_VERSIONING.current as 1,
        ...fields,
    };
}
