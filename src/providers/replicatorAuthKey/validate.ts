/** Offline input checks and diff planning for ReplicatorAuthKey. Pure. */
import type * as pulumi from "@pulumi/pulumi";

import { jwtAlgorithmFor, publicKeyPemOf } from "../../tls/jwt";
import { parsePrivateKey } from "../../tls/pem";
import { CheckFailures } from "../kernel/checkFailures";
import { containsUnknown, UNKNOWN } from "../kernel/unknown";
import { connectionProblem } from "../cockroach";
import { parseStagingSchema } from "../cockroach";
import { DEFAULT_WAIT_FOR_TABLE_SECONDS, MAX_WAIT_FOR_TABLE_SECONDS } from "./types";

/** Every problem with the inputs; never echoes a secret value. */
export function checkInputs(news: Record<string, unknown>): CheckFailures {
    const failures = new CheckFailures();
    const { stagingConnection, stagingSchema, privateKeyPem, schemas, waitForTableSeconds } = news;

    if (stagingConnection !== UNKNOWN) {
        const problem = connectionProblem(stagingConnection);
        if (problem) failures.addSecret("stagingConnection", problem);
    }
    if (stagingSchema !== UNKNOWN) {
        if (typeof stagingSchema !== "string" || !parseStagingSchema(stagingSchema)) {
            failures.add(
                "stagingSchema",
                "must be the replicator's staging schema as `db.schema` (e.g. defaultdb._replicator) " +
                    "or a one-part `db` meaning `db.public`",
            );
        }
    }
    if (privateKeyPem !== UNKNOWN) {
        const problem = privateKeyProblem(privateKeyPem);
        if (problem) failures.addSecret("privateKeyPem", problem);
    }
    if (!containsUnknown(schemas) && schemasProblem(schemas)) {
        failures.add("schemas", schemasProblem(schemas)!);
    }
    if (
        waitForTableSeconds !== undefined &&
        waitForTableSeconds !== UNKNOWN &&
        !(
            typeof waitForTableSeconds === "number" &&
            Number.isInteger(waitForTableSeconds) &&
            waitForTableSeconds >= 0 &&
            waitForTableSeconds <= MAX_WAIT_FOR_TABLE_SECONDS
        )
    ) {
        failures.add(
            "waitForTableSeconds",
            `must be a whole number of seconds from 0 to ${MAX_WAIT_FOR_TABLE_SECONDS}`,
        );
    }
    return failures;
}

function privateKeyProblem(pem: unknown): string | undefined {
    if (typeof pem !== "string") return "is required (a PEM private key)";
    const key = parsePrivateKey(pem);
    if (!key) return "is not a PEM-encoded private key";
    if (!jwtAlgorithmFor(key))
        return "must be an EC P-256 (ES256), P-384, P-521 or RSA private key";
    return undefined;
}

function schemasProblem(schemas: unknown): string | undefined {
    const ok =
        Array.isArray(schemas) &&
        schemas.length > 0 &&
        schemas.every(
            (parts) =>
                Array.isArray(parts) &&
                (parts.length === 1 || parts.length === 2) &&
                parts.every((part) => typeof part === "string" && part !== ""),
        );
    return ok
        ? undefined
        : 'must be a non-empty list of target schemas, each ["db", "schema"] (PostgreSQL) or ["name"] (MySQL/Oracle)';
}

/** The public key PEM of a private key PEM, or undefined when it does not parse. */
export function publicKeyOfPem(privateKeyPem: string): string | undefined {
    const key = parsePrivateKey(privateKeyPem);
    return key ? publicKeyPemOf(key) : undefined;
}

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
