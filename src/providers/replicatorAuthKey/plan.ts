/**
 * The steps of ReplicatorAuthKey, pure: each statement with its bound parameter (the public
 * key PEM, never spliced into the text). `apply/` runs them and `preview.ts` prints them.
 */
import { publicKeyStatements, type StagingSchema } from "../cockroach";

/** One statement on `jwt_public_keys`, with the public key as its bound parameter `$1`. */
export interface KeyStatement {
    sql: string;
    params: [publicKeyPem: string];
}

/** How a key is registered: looked for (repeated while the table is missing), then inserted. */
export interface RegistrationPlan {
    /** Counts the key's rows; fails with an undefined-table error until the replicator has made it. */
    find: KeyStatement;
    /** Inserts the key unless present; returns a row only when it inserted one. */
    insert: KeyStatement;
    /** How long `find` is repeated while the table is missing. */
    waitSeconds: number;
}

export function planRegistration(
    staging: StagingSchema,
    publicKeyPem: string,
    waitSeconds: number,
): RegistrationPlan {
    const statements = publicKeyStatements(staging);
    return {
        find: { sql: statements.find, params: [publicKeyPem] },
        insert: {
            sql: `${statements.insertIfAbsent} RETURNING 1 AS inserted`,
            params: [publicKeyPem],
        },
        waitSeconds,
    };
}

/** What `read` runs: is the key row still there. */
export function planCheck(staging: StagingSchema, publicKeyPem: string): KeyStatement {
    return { sql: publicKeyStatements(staging).find, params: [publicKeyPem] };
}

/** What `delete` runs, only for a row this resource inserted (nothing otherwise). */
export function planRemoval(
    staging: StagingSchema | undefined,
    publicKeyPem: string,
    keyInserted: boolean,
): KeyStatement | undefined {
    if (!keyInserted || !staging) return undefined;
    return { sql: publicKeyStatements(staging).remove, params: [publicKeyPem] };
}
