/** The shapes the ReplicatorAuthKey provider receives, parses and returns. */
import type { KeyObject } from "node:crypto";

import type { CockroachConnection, StagingSchema } from "../cockroach";
import type { StateVersioning } from "../kernel/stateVersion";

/** Inputs as the provider receives them (secrets arrive as plaintext). */
export interface ReplicatorAuthKeyInputs {
    /** CockroachDB SQL URL of the staging cluster (secret). */
    stagingConnection: string;
    /** The replicator's `--stagingSchema` (`db.schema`, or `db` meaning `db.public`). */
    stagingSchema: string;
    /** PEM private key that signs the token; its public key is registered (secret). */
    privateKeyPem: string;
    /** Target schemas the token allows: `[db, schema]` (PostgreSQL) or `[name]` (MySQL/Oracle). */
    schemas: string[][];
    /** Seconds `create` waits for `jwt_public_keys` to exist (the replicator creates it). */
    waitForTableSeconds?: number;
}

/** Outputs kept in state: everything read/update/delete need, plus the token. */
export interface ReplicatorAuthKeyOutputs {
    stateVersion: 1;
    stagingConnection: string;
    stagingSchema: string;
    schemas: string[][];
    waitForTableSeconds: number;
    /** SubjectPublicKeyInfo PEM registered in `jwt_public_keys`. */
    publicKeyPem: string;
    /** JWS algorithm of the token (`ES256` for the default P-256 key). */
    algorithm: string;
    /** The token (secret): minted once at create, stable until the key or schemas change. */
    token: string;
    /** The token's `jti` (what `jwt_revoked_ids` would list to revoke it). */
    tokenId: string;
    /** True when this resource inserted the key row (and so `delete` removes it). */
    keyInserted: boolean;
    /** False after a refresh found the key row missing (drift; the next `up` re-inserts it). */
    keyRegistered: boolean;
}

export const DEFAULT_WAIT_FOR_TABLE_SECONDS = 300;
export const MAX_WAIT_FOR_TABLE_SECONDS = 3600;

/** The inputs as `check` parsed them: what create and update work from. */
export interface ReplicatorAuthKeyConfig {
    inputs: ReplicatorAuthKeyInputs;
    connection: CockroachConnection;
    staging: StagingSchema;
    /** The parsed private key (secret). */
    key: KeyObject;
    /** `waitForTableSeconds` with its default applied. */
    waitSeconds: number;
}

/** How ReplicatorAuthKey state is versioned (read through `readVersionedState`). */
export const STATE_VERSIONING: StateVersioning = { resource: "ReplicatorAuthKey", current: 1 };
