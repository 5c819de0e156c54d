import * as pulumi from "@pulumi/pulumi";

import { replicatorAuthKeyProvider } from "../providers/replicatorAuthKey";

/** Arguments of {@link ReplicatorAuthKey}. */
export interface ReplicatorAuthKeyArgs {
    /**
     * CockroachDB SQL URL of the replicator's staging cluster
     * (`postgresql://user:password@host:26257/defaultdb?sslmode=verify-full`). Secret: wrapped in
     * `pulumi.secret()`. Changing it (e.g. a rotated password) is an update, not a replacement.
     */
    stagingConnection: pulumi.Input<string>;
    /**
     * The replicator's `--stagingSchema`: `db.schema` (e.g. `defaultdb._replicator`), or a
     * one-part `db` meaning `db.public`. The key goes into `<stagingSchema>.jwt_public_keys`.
     * Changing it replaces the resource.
     */
    stagingSchema: pulumi.Input<string>;
    /**
     * PEM private key (EC P-256 for ES256 — the default everywhere in this package — P-384,
     * P-521 or RSA) that signs the token; its public key is registered. Secret: wrapped in
     * `pulumi.secret()`. Changing it replaces the resource (new key row, new token).
     */
    privateKeyPem: pulumi.Input<string>;
    /**
     * Target schemas the token allows, the claim `replicator make-jwt -a` writes: `["db",
     * "schema"]` for a PostgreSQL target, `["name"]` for MySQL (database) or Oracle (schema);
     * `*` is a wildcard per part. Changing it replaces the resource (a new token).
     */
    schemas: pulumi.Input<pulumi.Input<pulumi.Input<string>[]>[]>;
    /**
     * Seconds `create` waits for `jwt_public_keys` to appear (the replicator creates it when it
     * starts). Default 300, at most 3600. Changing it is an update with no effect on the server.
     */
    waitForTableSeconds?: pulumi.Input<number>;
}

/**
 * Registers a JWT public key with MOLT Replicator (a row in `<stagingSchema>.jwt_public_keys`
 * on the staging CockroachDB) and mints the token a changefeed passes in
 * `webhook_auth_header = 'Bearer <token>'`. The token has a random `jti`, `iss: replicator`,
 * the schema claim and no `exp`, like `replicator make-jwt`; it is minted once at create and
 * kept as a secret output, so later runs and previews show no change.
 *
 * Deleting the resource removes the key row only when this resource inserted it.
 *
 * ```ts
 * const key = new ReplicatorAuthKey("jwt", {
 *     stagingConnection: config.requireSecret("stagingConnection"),
 *     stagingSchema: "defaultdb._replicator",
 *     privateKeyPem: config.requireSecret("jwtPrivateKey"),
 *     schemas: [["molt", "public"]],
 * });
 * ```
 */
export class ReplicatorAuthKey extends pulumi.dynamic.Resource {
    /** The bearer token for the changefeed (secret). */
    declare public readonly token: pulumi.Output<string>;
    /** The token's `jti`: add it to `jwt_revoked_ids` to revoke the token. */
    declare public readonly tokenId: pulumi.Output<string>;
    /** The registered public key (SubjectPublicKeyInfo PEM). */
    declare public readonly publicKeyPem: pulumi.Output<string>;
    /** JWS algorithm of the token (`ES256` for a P-256 key). */
    declare public readonly algorithm: pulumi.Output<string>;
    /** Whether this resource inserted the key row (and so removes it on delete). */
    declare public readonly keyInserted: pulumi.Output<boolean>;
    /** False when a refresh found the key row missing; the next `up` re-inserts it. */
    declare public readonly keyRegistered: pulumi.Output<boolean>;

    constructor(name: string, args: ReplicatorAuthKeyArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            replicatorAuthKeyProvider,
            name,
            {
                stagingConnection: pulumi.secret(args.stagingConnection),
                stagingSchema: args.stagingSchema,
                privateKeyPem: pulumi.secret(args.privateKeyPem),
                schemas: args.schemas,
                waitForTableSeconds: args.waitForTableSeconds,
                token: undefined,
                tokenId: undefined,
                publicKeyPem: undefined,
                algorithm: undefined,
                keyInserted: undefined,
                keyRegistered: undefined,
            },
            pulumi.mergeOptions(opts, {
                additionalSecretOutputs: ["token", "stagingConnection"],
            }),
            "crdb-failback",
            "ReplicatorAuthKey",
        );
    }
}
