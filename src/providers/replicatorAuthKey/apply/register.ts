/** The I/O of ReplicatorAuthKey: runs the statements of `plan.ts` on the staging cluster. */
import {
    type CockroachConnection,
    type CockroachSession,
    formatStagingSchema,
    MISSING_TABLE_STATES,
    type StagingSchema,
    sqlState,
    withSession,
} from "../../cockroach";
import type { KeyStatement, RegistrationPlan } from "../plan";

/** How often registration looks for `jwt_public_keys` while waiting for the replicator. */
const TABLE_POLL_INTERVAL_MS = 1000;

/**
 * Waits up to `plan.waitSeconds` for `jwt_public_keys`, then inserts the key unless present.
 * Returns true when this call inserted the row.
 */
export async function registerKey(
    connection: CockroachConnection,
    staging: StagingSchema,
    plan: RegistrationPlan,
    secrets: string[],
): Promise<boolean> {
    return withSession(connection, secrets, async (session) => {
        const deadline = Date.now() + plan.waitSeconds * 1000;
        for (;;) {
            if ((await keyPresent(session, plan.find)) !== undefined) break;
            if (Date.now() >= deadline) {
                throw new Error(
                    `${formatStagingSchema(staging)}.jwt_public_keys does not exist on ` +
                        `${connection.server} (waited ${plan.waitSeconds} s). The replicator creates it ` +
                        `when it starts with --stagingSchema=${formatStagingSchema(staging)}: check that ` +
                        "it is running against this staging cluster, or raise waitForTableSeconds",
                );
            }
            await sleep(Math.min(TABLE_POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())));
        }
        const rows = await session.query(plan.insert.sql, plan.insert.params);
        return rows.length > 0;
    });
}

/** True/false when the table exists (key present or not); undefined when the table is missing. */
export async function keyPresent(
    session: CockroachSession,
    find: KeyStatement,
): Promise<boolean | undefined> {
    try {
        const rows = await session.query(find.sql, find.params);
        return Number(rows[0]?.n ?? 0) > 0;
    } catch (err) {
        if (MISSING_TABLE_STATES.has(sqlState(err) ?? "")) return undefined;
        throw err;
    }
}

/** Runs a removal; a missing table, schema or database counts as already gone. */
export async function removeKey(url: string, removal: KeyStatement): Promise<void> {
    await withSession(url, [], async (session) => {
        try {
            await session.query(removal.sql, removal.params);
        } catch (err) {
            if (!MISSING_TABLE_STATES.has(sqlState(err) ?? "")) throw err;
        }
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
