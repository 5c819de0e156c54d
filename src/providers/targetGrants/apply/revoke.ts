/**
 * Delete's work: revoking what this resource granted.
 */
import type { CatalogSnapshot } from "../../targets/types";
import { type GrantSession, errorText } from "../../targets/session";
import { changeSteps, statementsOf, targetOf } from "../plan";
import { type RecordedGrants, columnsToRestore, reconcile } from "../reconcile";
import type { TargetGrantsConfig } from "../types";
import { revokeLeftMessage, stillHeld } from "./outputs";
import { MAX_CHANGE_ATTEMPTS, backOff } from "./session";

/**
 * Revokes what this resource granted and the grantee still holds (as each pair's grantor), grants
 * back the column privileges those REVOKEs remove, and checks afterwards that the pairs are gone.
 * Anything already gone (table, schema, user, the privilege itself) counts as revoked. A failure
 * throws: Pulumi then keeps the resource and its state, and the next run re-reads the catalog.
 */
export async function revokeGranted(
    session: GrantSession,
    config: TargetGrantsConfig,
    props: RecordedGrants,
): Promise<void> {
    const { dialect } = config;
    for (let attempt = 1; ; attempt++) {
        // Revoking needs only the account's privilege rows (and the tables' owners and columns).
        const snapshot = await session.readCatalog(targetOf(config), {
            listTables:
                dialect.changeReadListsTables(false) || (props.columnGrants ?? []).length > 0,
        });
        if (!snapshot.granteeExists) return;
        const recorded = reconcile(props, snapshot);
        const { granted } = recorded;
        const restoreColumns = columnsToRestore(granted, [], snapshot, recorded.columnGrants ?? []);
        if (granted.length === 0 && restoreColumns.length === 0) return;
        const steps = changeSteps(
            config,
            { toGrant: [], toRevoke: granted },
            { partialRevokes: session.partialRevokes, snapshot, restoreColumns },
        );
        const { revokes } = statementsOf(steps);
        let after: CatalogSnapshot | undefined;
        try {
            after = await session.applyChange(revokes, [], targetOf(config));
        } catch (err) {
            if (!dialect.serverAnswered(err)) throw err; // outcome unknown: the next run re-reads
            if (dialect.revokeOneByOne && !dialect.isRetriable(err)) {
                if (attempt >= MAX_CHANGE_ATTEMPTS) throw err;
                // The batch stopped at the failing statement; go one by one, skipping "gone".
                for (const statement of revokes) {
                    await session.applyChange([statement], []).catch((e: unknown) => {
                        if (!dialect.isGone(e)) throw e;
                    });
                }
                continue; // re-read: verify
            }
            if (dialect.isNotGrantor(err)) {
                throw new Error(
                    `${errorText(err)}; ${revokeLeftMessage(config, granted, snapshot)}`,
                );
            }
            const refusal = dialect.refusal(granted, snapshot, err);
            if (refusal) throw refusal;
            // Rolled back (something vanished or a race): re-read and retry.
            const retry = dialect.isGone(err) || dialect.isRetriable(err);
            if (attempt >= MAX_CHANGE_ATTEMPTS || !retry) throw err;
            await backOff(attempt);
            continue;
        }
        if (after) {
            const left = stillHeld(granted, after);
            if (left.length > 0) throw new Error(revokeLeftMessage(config, left, after));
            return;
        }
        // A batch that runs statement by statement has run all of it; otherwise verify.
        if (dialect.revokeOneByOne || restoreColumns.length === 0) return;
    }
}
