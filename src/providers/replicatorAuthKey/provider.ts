/**
 * Lifecycle of ReplicatorAuthKey: registers a JWT public key in the replicator's staging schema
 * (`<stagingSchema>.jwt_public_keys`) and mints the token the changefeed sends
 * (docs/replicator-behaviour.md, "Webhook requests").
 *
 * - create: waits (bounded) for `jwt_public_keys` — the replicator creates it when it starts —
 *   inserts the public key unless it is already there, and mints the token (random `jti`, the
 *   schema claim, no `exp`). The token is an output, so it stays the same on every later run.
 * - read: checks the key row is still there (drift shows as `keyRegistered: false`).
 * - update: a new connection (rotated credentials) or a missing key row: re-inserts if needed,
 *   keeps the token.
 * - delete: removes the key row only if this resource inserted it; a missing table, schema or
 *   database counts as already gone.
 */
import type * as pulumi from "@pulumi/pulumi";

import { jwtAlgorithmFor, publicKeyPemOf, replicatorClaims, signJwt } from "../../tls/jwt";
import { parsePrivateKey } from "../../tls/pem";
import { newResourceId } from "../kernel/ids";
import { type CockroachSession, describeServer, sqlState, withSession } from "../cockroach";
import {
    formatStagingSchema,
    MISSING_TABLE_STATES,
    parseStagingSchema,
    publicKeyStatements,
    type StagingSchema,
} from "../cockroach";
import {
    DEFAULT_WAIT_FOR_TABLE_SECONDS,
    type ReplicatorAuthKeyInputs,
    type ReplicatorAuthKeyOutputs,
} from "./types";
import { logCreatePreview, logDiffPreview } from "./preview";
import { checkInputs, planDiff } from "./validate";

/** How often `create` looks for `jwt_public_keys` while waiting for the replicator. */
const TABLE_POLL_INTERVAL_MS = 1000;

export const provider: Required<pulumi.dynamic.ResourceProvider> = {
    async configure() {
        // No provider-wide configuration: everything comes from the resource's inputs.
    },

    async check(olds, news) {
        const failures = checkInputs(news);
        if (failures.isEmpty) logCreatePreview(olds, news);
        return { inputs: news, failures: failures.list };
    },

    async diff(_id, olds, news) {
        const result = planDiff(olds, news);
        logDiffPreview(olds, news, result);
        return result;
    },

    async create(inputs: ReplicatorAuthKeyInputs) {
        assertValid(inputs);
        const key = parsePrivateKey(inputs.privateKeyPem)!;
        const publicKeyPem = publicKeyPemOf(key);
        const claims = replicatorClaims(inputs.schemas);
        const token = signJwt(claims, key);
        const staging = parseStagingSchema(inputs.stagingSchema)!;
        const waitSeconds = inputs.waitForTableSeconds ?? DEFAULT_WAIT_FOR_TABLE_SECONDS;
        const inserted = await registerKey(
            inputs.stagingConnection,
            staging,
            publicKeyPem,
            waitSeconds,
            [inputs.privateKeyPem],
        );
        const outs: ReplicatorAuthKeyOutputs = {
            stateVersion: 1,
            stagingConnection: inputs.stagingConnection,
            stagingSchema: inputs.stagingSchema,
            schemas: inputs.schemas,
            waitForTableSeconds: waitSeconds,
            publicKeyPem,
            algorithm: jwtAlgorithmFor(key)!,
            token,
            tokenId: claims.jti,
            keyInserted: inserted,
            keyRegistered: true,
        };
        return { id: newResourceId("replicator-jwt"), outs };
    },

    async read(id, props: ReplicatorAuthKeyOutputs) {
        const staging = parseStagingSchema(props.stagingSchema);
        if (!staging) return { id, props };
        const present = await withSession(props.stagingConnection, [], (session) =>
            keyPresent(session, staging, props.publicKeyPem),
        );
        return { id, props: { ...props, keyRegistered: present === true } };
    },

    async update(_id, olds: ReplicatorAuthKeyOutputs, news: ReplicatorAuthKeyInputs) {
        assertValid(news);
        const staging = parseStagingSchema(news.stagingSchema)!;
        const waitSeconds = news.waitForTableSeconds ?? DEFAULT_WAIT_FOR_TABLE_SECONDS;
        const inserted = await registerKey(
            news.stagingConnection,
            staging,
            olds.publicKeyPem,
            waitSeconds,
            [news.privateKeyPem],
        );
        const outs: ReplicatorAuthKeyOutputs = {
            ...olds,
            stateVersion: 1,
            stagingConnection: news.stagingConnection,
            stagingSchema: news.stagingSchema,
            waitForTableSeconds: waitSeconds,
            keyInserted: olds.keyInserted || inserted,
            keyRegistered: true,
        };
        return { outs };
    },

    async delete(_id, props: ReplicatorAuthKeyOutputs) {
        if (!props.keyInserted) return;
        const staging = parseStagingSchema(props.stagingSchema);
        if (!staging) return;
        await withSession(props.stagingConnection, [], async (session) => {
            try {
                await session.query(publicKeyStatements(staging).remove, [props.publicKeyPem]);
            } catch (err) {
                if (!MISSING_TABLE_STATES.has(sqlState(err) ?? "")) throw err;
            }
        });
    },
};

function assertValid(inputs: ReplicatorAuthKeyInputs): void {
    const failures = checkInputs(inputs as unknown as Record<string, unknown>);
    if (!failures.isEmpty) {
        throw new Error(
            `invalid ReplicatorAuthKey inputs: ${failures.list
                .map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason))
                .join("; ")}`,
        );
    }
}

/**
 * Waits up to `waitSeconds` for `jwt_public_keys`, then inserts the key unless present.
 * Returns true when this call inserted the row.
 */
async function registerKey(
    url: string,
    staging: StagingSchema,
    publicKeyPem: string,
    waitSeconds: number,
    secrets: string[],
): Promise<boolean> {
    return withSession(url, secrets, async (session) => {
        const deadline = Date.now() + waitSeconds * 1000;
        for (;;) {
            if ((await keyPresent(session, staging, publicKeyPem)) !== undefined) break;
            if (Date.now() >= deadline) {
                throw new Error(
                    `${formatStagingSchema(staging)}.jwt_public_keys does not exist on ` +
                        `${describeServer(url)} (waited ${waitSeconds} s). The replicator creates it ` +
                        `when it starts with --stagingSchema=${formatStagingSchema(staging)}: check that ` +
                        "it is running against this staging cluster, or raise waitForTableSeconds",
                );
            }
            await sleep(Math.min(TABLE_POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())));
        }
        const rows = await session.query(
            `${publicKeyStatements(staging).insertIfAbsent} RETURNING 1 AS inserted`,
            [publicKeyPem],
        );
        return rows.length > 0;
    });
}

/** True/false when the table exists (key present or not); undefined when the table is missing. */
async function keyPresent(
    session: CockroachSession,
    staging: StagingSchema,
    publicKeyPem: string,
): Promise<boolean | undefined> {
    try {
        const rows = await session.query(publicKeyStatements(staging).find, [publicKeyPem]);
        return Number(rows[0]?.n ?? 0) > 0;
    } catch (err) {
        if (MISSING_TABLE_STATES.has(sqlState(err) ?? "")) return undefined;
        throw err;
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
