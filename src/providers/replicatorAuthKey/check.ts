/** Offline input checks of ReplicatorAuthKey, and the parsed config create and update work from. Pure. */
import type { KeyObject } from "node:crypto";

import type * as pulumi from "@pulumi/pulumi";

import { jwtAlgorithmFor, publicKeyPemOf } from "../../tls/jwt";
import { parsePrivateKey } from "../../tls/pem";
import { assertNoProblems, CheckFailures } from "../kernel/checkFailures";
import { containsUnknown, UNKNOWN } from "../kernel/unknown";
import { connectionProblem, parseCockroachConnection, parseStagingSchema } from "../cockroach";
import {
    DEFAULT_WAIT_FOR_TABLE_SECONDS,
    MAX_WAIT_FOR_TABLE_SECONDS,
    type ReplicatorAuthKeyConfig,
    type ReplicatorAuthKeyInputs,
} from "./types";

/** Every problem with the inputs, each naming the property and the fix. Pure. */
export function replicatorAuthKeyProblems(
    news: Record<string, unknown>,
): pulumi.dynamic.CheckFailure[] {
    return checkInputs(news).list;
}

/**
 * Validates inputs and parses them once into what create and update work from: the connection,
 * the staging schema and the private key. Throws every problem at once.
 */
export function parseReplicatorAuthKey(inputs: ReplicatorAuthKeyInputs): ReplicatorAuthKeyConfig {
    assertNoProblems("ReplicatorAuthKey", replicatorAuthKeyProblems({ ...inputs }));
    const connection = parseCockroachConnection(inputs.stagingConnection);
    const staging = parseStagingSchema(inputs.stagingSchema);
    const key: KeyObject | undefined = parsePrivateKey(inputs.privateKeyPem);
    if ("problem" in connection || !staging || !key) {
        throw new Error("invalid ReplicatorAuthKey inputs"); // unreachable: the checks above cover these
    }
    return {
        inputs,
        connection: connection.connection,
        staging,
        key,
        waitSeconds: inputs.waitForTableSeconds ?? DEFAULT_WAIT_FOR_TABLE_SECONDS,
    };
}

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
