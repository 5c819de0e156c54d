/**
 * Create and update: read the catalog, plan from what this resource recorded, run the plan's
 * steps in one batch, and return the outputs.
 */
import { PartialStateError } from "../../kernel/partialState";
import type { CatalogSnapshot, GrantPair } from "../../targets/types";
import type { GrantSession } from "../../targets/session";
import { PairSet } from "../pairs";
import {
    type GrantChange,
    changeSteps,
    desiredGrants,
    heldAfter,
    planChange,
    statementsOf,
    targetOf,
} from "../plan";
import {
    type RecordedGrants,
    attachGrantors,
    columnsToRestore,
    reconcile,
    reconcileColumnGrants,
} from "../reconcile";
import type { TargetGrantsConfig, TargetGrantsOutputs } from "../types";
import {
    assertReady,
    changeRead,
    listsTables,
    outputsOf,
    revokeLeftMessage,
    stillHeld,
} from "./outputs";
import { recoverAfterFailedChange } from "./recovery";
import { type ApplyDeps, MAX_CHANGE_ATTEMPTS, backOff } from "./session";

/**
 * Converges the grants from `start` (what this resource recorded). A batch that lost a race with
 * another session (the server answered with a retriable error) is re-read and re-planned, a
 * bounded number of times. Any other failure is resolved by {@link settleFailedChange}: nothing
 * is recorded from a batch whose outcome is unknown until a new session has read what it did.
 */
export async function converge(
    deps: ApplyDeps,
    session: GrantSession,
    config: TargetGrantsConfig,
    id: string,
    start: RecordedGrants,
): Promise<TargetGrantsOutputs> {
    const { dialect } = config;
    let base = start;
    for (let attempt = 1; ; attempt++) {
        const snapshot = await session.readCatalog(targetOf(config), changeRead(config));
        assertReady(config, snapshot);
        const recorded = reconcile(base, snapshot);
        const desired = desiredGrants(config, snapshot);
        const change = planChange(recorded.granted, desired.pairs, snapshot.held);
        const wanted = recorded.granted.length > 0 ? new PairSet(change.granted) : undefined;
        const restoreColumns = columnsToRestore(
            change.toRevoke,
            recorded.granted.filter((p) => wanted?.has(p)),
            snapshot,
            recorded.columnGrants ?? [],
        );
        const steps = changeSteps(config, change, {
            partialRevokes: session.partialRevokes,
            snapshot,
            restoreColumns,
        });
        const { revokes, grants } = statementsOf(steps);
        const owners = desired.defaultPrivilegeOwners;
        let after: CatalogSnapshot | undefined;
        try {
            after = await session.applyChange(revokes, grants, targetOf(config));
        } catch (err) {
            const answered = dialect.serverAnswered(err);
            if (answered && dialect.isRetriable(err) && attempt < MAX_CHANGE_ATTEMPTS) {
                // Grants that went through before the failing statement are ours.
                base = { ...recorded, pending: change.toGrant };
                await backOff(attempt);
                continue;
            }
            if (answered && dialect.dclIsTransactional) {
                throw dialect.refusal(change.toRevoke, snapshot, err) ?? err;
            }
            after = await settleFailedChange(
                deps,
                session,
                config,
                id,
                change,
                recorded,
                owners,
                err,
            );
        }
        const final = after ?? { ...snapshot, held: heldAfter(snapshot.held, change) };
        const granted = attachGrantors(change.granted, final);
        const outs = outputsOf(
            config,
            owners,
            {
                granted,
                preexisting: change.preexisting,
                columnGrants: reconcileColumnGrants(
                    [...(recorded.columnGrants ?? []), ...restoreColumns],
                    granted,
                    final,
                ),
            },
            final,
            after !== undefined || listsTables(config),
        );
        const left = stillHeld(change.toRevoke, final);
        if (left.length > 0) {
            const kept = reconcile({ ...outs, granted: [...granted, ...left] }, final);
            throw new PartialStateError(
                id,
                { ...outputsOf(config, owners, kept, final), missing: [] },
                [revokeLeftMessage(config, left, final)],
            );
        }
        return outs;
    }
}

/**
 * After a change batch failed without a definite "nothing happened", finds out what it did.
 * Returns the catalog as a new session reads it when that shows the whole change applied (the
 * change then counts as done); otherwise throws a PartialStateError recording only what is
 * certain (see {@link recoverAfterFailedChange}).
 */
async function settleFailedChange(
    deps: ApplyDeps,
    session: GrantSession,
    config: TargetGrantsConfig,
    id: string,
    change: GrantChange<GrantPair>,
    recorded: RecordedGrants,
    owners: string[],
    err: unknown,
): Promise<CatalogSnapshot> {
    const outcome = await recoverAfterFailedChange(
        deps,
        session,
        config,
        change,
        recorded,
        config.dialect.serverAnswered(err),
    );
    if (outcome.applied && outcome.snapshot) return outcome.snapshot;
    const message = err instanceof Error ? err.message : String(err);
    throw new PartialStateError(
        id,
        {
            ...outputsOf(
                config,
                owners,
                outcome.recorded,
                outcome.snapshot,
                outcome.snapshot !== undefined && listsTables(config),
            ),
            missing: [],
        },
        [message, outcome.reason],
    );
}
