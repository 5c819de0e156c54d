/** Offline diff of ReplicatorAuthKey. Pure. */
import type * as pulumi from "@pulumi/pulumi";

import { parseStagingSchema } from "../cockroach";
import { containsUnknown, UNKNOWN } from "../kernel/unknown";
import { publicKeyOfPem } from "./check";
import { DEFAULT_WAIT_FOR_TABLE_SECONDS } from "./types";

/**
 * Diff of stored outputs against new inputs: a different key, staging schema or claim replaces
 * (a new token is minted; delete-before-replace so the old key row goes first); a new staging
 * connection (rotated credentials) or wait bound is an update; a key row found missing by
 * refresh is an update that re-inserts it.
 */
export function planDiff(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): pulumi.dynamic.DiffResult {
    const replaces: string[] = [];
    if (news.privateKeyPem === UNKNOWN) replaces.push("privateKeyPem");
    else if (
        typeof news.privateKeyPem !== "string" ||
        publicKeyOfPem(news.privateKeyPem) !== olds.publicKeyPem
    ) {
        replaces.push("privateKeyPem");
    }
    if (
        news.stagingSchema === UNKNOWN ||
        normalizedSchema(news.stagingSchema) !== normalizedSchema(olds.stagingSchema)
    ) {
        replaces.push("stagingSchema");
    }
    if (
        containsUnknown(news.schemas) ||
        JSON.stringify(news.schemas) !== JSON.stringify(olds.schemas)
    ) {
        replaces.push("schemas");
    }
    const updates =
        news.stagingConnection !== olds.stagingConnection ||
        (news.waitForTableSeconds ?? DEFAULT_WAIT_FOR_TABLE_SECONDS) !==
            (olds.waitForTableSeconds ?? DEFAULT_WAIT_FOR_TABLE_SECONDS) ||
        olds.keyRegistered === false;
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
    return { changes: updates };
}

function normalizedSchema(text: unknown): string | undefined {
    if (typeof text !== "string") return undefined;
    const parsed = parseStagingSchema(text);
    return parsed ? `${parsed.database}.${parsed.schema}` : text;
}
