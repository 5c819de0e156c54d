/**
 * Finding out what a failed change batch did, on a new session.
 */
import type { CatalogSnapshot, GrantPair } from "../../targets/types";
import { PairSet, heldIndex } from "../pairs";
import type { GrantSession } from "../../targets/session";
import { type GrantChange, targetOf } from "../plan";
import { type RecordedGrants, reconcile } from "../reconcile";
import type { TargetGrantsConfig } from "../types";
import { changeRead, stillHeld } from "./outputs";
import { type ApplyDeps, openSession } from "./session";

/** What a failed batch is known to have done. */
export interface RecoveryOutcome {
    recorded: RecordedGrants;
    snapshot?: CatalogSnapshot;
    reason: string;
    /** The outcome is settled and the catalog shows the whole change made. */
    applied: boolean;
}

/**
 * Finds out what a failed batch changed. The session that ran it may be dead (a lost
 * connection), so the catalog is re-read on a NEW session (bounded by the session timeouts).
 * Unless the server answered the batch with an error (`answered`: it stopped there), it may
 * still be running it: the new session first ends the old connection on the server (MySQL:
 * KILL CONNECTION; PostgreSQL: pg_terminate_backend, after which its transaction is either
 * committed or rolled back) and waits until it is gone. Records only what is certain: pairs
 * this resource held before the change (dropped once the catalog shows them revoked), pairs
 * the re-read shows held, and — when the outcome could not be confirmed — the grants sent but
 * not seen as `pending`, never as `granted`.
 */
export async function recoverAfterFailedChange(
    deps: ApplyDeps,
    failed: GrantSession,
    config: TargetGrantsConfig,
    change: GrantChange<GrantPair>,
    recorded: RecordedGrants,
    answered: boolean,
): Promise<RecoveryOutcome> {
    const toGrant = new PairSet(change.toGrant);
    const before: RecordedGrants = {
        granted: [...change.granted.filter((p) => !toGrant.has(p)), ...change.toRevoke],
        preexisting: change.preexisting,
        pending: change.toGrant,
        columnGrants: recorded.columnGrants,
    };
    const nonTransactional = config.dialect.dclIsTransactional
        ? "the connection was lost before the server answered, so the transaction may have committed"
        : "some privileges may have been granted/revoked before the failure " +
          `(${config.dialect.label} GRANT/REVOKE are not transactional)`;
    let fresh: GrantSession | undefined;
    try {
        fresh = await openSession(deps, config.dialect, failed.connection);
        let settled = answered;
        if (!settled && failed.serverSessionId !== undefined && fresh.endServerSession) {
            settled = await fresh.endServerSession(failed.serverSessionId);
        }
        const snapshot = await fresh.readCatalog(targetOf(config), changeRead(config));
        const reconciled = reconcile(before, snapshot);
        // One index of the catalog: checking each GRANT against the whole list was quadratic.
        const heldNow = heldIndex(snapshot.held);
        const applied =
            settled &&
            change.toGrant.every((p) => heldNow.has(p)) &&
            stillHeld(change.toRevoke, snapshot).length === 0;
        if (settled) {
            return {
                recorded: reconciled,
                snapshot,
                applied,
                reason:
                    `${nonTransactional}; state records what the catalog shows now, and the ` +
                    "next `pulumi up` finishes the change",
            };
        }
        // The server may still be running the batch: grants not seen yet stay pending.
        reconciled.pending = change.toGrant.filter((p) => !heldNow.has(p));
        return {
            recorded: reconciled,
            snapshot,
            applied: false,
            reason:
                `${nonTransactional}; state records what the catalog showed right after the ` +
                "failure, and grants not seen yet as pending; the next `pulumi up` re-reads " +
                "the catalog and converges",
        };
    } catch (readErr) {
        const why = readErr instanceof Error ? readErr.message : String(readErr);
        return {
            recorded: before,
            applied: false,
            reason:
                `${nonTransactional}; the catalog could not be re-read on a new connection ` +
                `(${why}), so state records no new grant as granted (the ones sent are ` +
                "pending) and the next `pulumi up` re-reads the catalog and converges",
        };
    } finally {
        await fresh?.close();
    }
}
