/**
 * ReplicatorAuthKey create, read, update and delete (docs/replicator-behaviour.md, "Webhook
 * requests").
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
import { jwtAlgorithmFor, publicKeyPemOf, replicatorClaims, signJwt } from "../../../tls/jwt";
import { parseStagingSchema, withSession } from "../../cockroach";
import { newResourceId } from "../../kernel/ids";
import { planCheck, planRegistration, planRemoval } from "../plan";
import {
    type ReplicatorAuthKeyConfig,
    type ReplicatorAuthKeyOutputs,
    STATE_VERSIONING,
} from "../types";
import { keyPresent, registerKey, removeKey } from "./register";

export async function create(
    config: ReplicatorAuthKeyConfig,
): Promise<{ id: string; outs: ReplicatorAuthKeyOutputs }> {
    const { inputs, key, staging, waitSeconds } = config;
    const publicKeyPem = publicKeyPemOf(key);
    const claims = replicatorClaims(inputs.schemas);
    const token = signJwt(claims, key);
    const inserted = await registerKey(
        config.connection,
        staging,
        planRegistration(staging, publicKeyPem, waitSeconds),
        [inputs.privateKeyPem],
    );
    const outs: ReplicatorAuthKeyOutputs = {
        stateVersion: STATE_VERSIONING.current as 1,
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
}

export async function read(
    id: string,
    props: ReplicatorAuthKeyOutputs,
): Promise<{ id: string; props: ReplicatorAuthKeyOutputs }> {
    const staging = parseStagingSchema(props.stagingSchema);
    if (!staging) return { id, props };
    const present = await withSession(props.stagingConnection, [], (session) =>
        keyPresent(session, planCheck(staging, props.publicKeyPem)),
    );
    return { id, props: { ...props, keyRegistered: present === true } };
}

export async function update(
    olds: ReplicatorAuthKeyOutputs,
    config: ReplicatorAuthKeyConfig,
): Promise<{ outs: ReplicatorAuthKeyOutputs }> {
    const { inputs, staging, waitSeconds } = config;
    const inserted = await registerKey(
        config.connection,
        staging,
        planRegistration(staging, olds.publicKeyPem, waitSeconds),
        [inputs.privateKeyPem],
    );
    const outs: ReplicatorAuthKeyOutputs = {
        ...olds,
        stateVersion: STATE_VERSIONING.current as 1,
        stagingConnection: inputs.stagingConnection,
        stagingSchema: inputs.stagingSchema,
        waitForTableSeconds: waitSeconds,
        keyInserted: olds.keyInserted || inserted,
        keyRegistered: true,
    };
    return { outs };
}

export async function remove(props: ReplicatorAuthKeyOutputs): Promise<void> {
    const removal = planRemoval(
        parseStagingSchema(props.stagingSchema),
        props.publicKeyPem,
        props.keyInserted,
    );
    if (removal) await removeKey(props.stagingConnection, removal);
}
