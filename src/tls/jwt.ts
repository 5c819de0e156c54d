/**
 * JSON Web Tokens as MOLT Replicator accepts them (docs/replicator-behaviour.md, "Webhook requests"): signed with an
 * EC (ES256/384/512) or RSA (RS256) key, a `jti`, `iss: "replicator"`, the schema claim under
 * `https://github.com/cockroachdb/replicator`, and no `exp` (as `replicator make-jwt` does).
 * Pure `node:crypto`, no I/O.
 *
 * No JOSE library at run time (docs/dependencies.md, "jose"): the signature itself is
 * `crypto.sign` (OpenSSL) and the keys are `KeyObject`s that `createPrivateKey` parses from the
 * SEC1/PKCS#1/PKCS#8 PEM `@pulumi/tls` or the user supplies; what is written here is the compact
 * serialization (two base64url JSON parts) and the make-jwt key → algorithm mapping, which a
 * library would not replace. `jose` (whose API is asynchronous) verifies every token in the tests.
 */
import { createPublicKey, type KeyObject, randomUUID, sign } from "node:crypto";

/** The custom claim key the replicator reads the allowed target schemas from. */
export const REPLICATOR_CLAIM = "https://github.com/cockroachdb/replicator";

export type JwtAlgorithm = "ES256" | "ES384" | "ES512" | "RS256";

/** The claims of a replicator token. */
export interface ReplicatorClaims {
    iss: "replicator";
    jti: string;
    [REPLICATOR_CLAIM]: { schemas: string[][] };
}

/** Builds the claims allowing `schemas` (each `[db, schema]` or `[name]`; `*` is a wildcard). */
export function replicatorClaims(
    schemas: readonly (readonly string[])[],
    jti: string = randomUUID(),
): ReplicatorClaims {
    return {
        iss: "replicator",
        jti,
        [REPLICATOR_CLAIM]: { schemas: schemas.map((parts) => [...parts]) },
    };
}

const CURVE_ALGORITHMS: Record<string, JwtAlgorithm> = {
    prime256v1: "ES256",
    secp384r1: "ES384",
    secp521r1: "ES512",
};

/**
 * The signing algorithm for a private key, as `make-jwt` maps it: EC P-256/384/521 →
 * ES256/384/512, RSA → RS256. Undefined for any other key type.
 */
export function jwtAlgorithmFor(key: KeyObject): JwtAlgorithm | undefined {
    if (key.asymmetricKeyType === "rsa") return "RS256";
    if (key.asymmetricKeyType === "ec") {
        const curve = key.asymmetricKeyDetails?.namedCurve;
        return curve === undefined ? undefined : CURVE_ALGORITHMS[curve];
    }
    return undefined;
}

const HASHES: Record<JwtAlgorithm, string> = {
    ES256: "sha256",
    ES384: "sha384",
    ES512: "sha512",
    RS256: "sha256",
};

/** Signs `claims` as a compact JWS with header `{alg, typ: "JWT"}`. */
export function signJwt(claims: object, privateKey: KeyObject): string {
    const alg = jwtAlgorithmFor(privateKey);
    if (alg === undefined) {
        throw new Error("the JWT key must be an EC P-256, P-384, P-521 or an RSA private key");
    }
    const header = base64url(JSON.stringify({ alg, typ: "JWT" }));
    const payload = base64url(JSON.stringify(claims));
    const signingInput = `${header}.${payload}`;
    const signature = sign(HASHES[alg], Buffer.from(signingInput), {
        key: privateKey,
        // JWS (RFC 7518 §3.4) wants r||s, not DER, for ECDSA.
        dsaEncoding: "ieee-p1363",
    });
    return `${signingInput}.${signature.toString("base64url")}`;
}

/** The SubjectPublicKeyInfo ("PUBLIC KEY") PEM of a private key: what `jwt_public_keys` holds. */
export function publicKeyPemOf(privateKey: KeyObject): string {
    return createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
}

/** Decodes (without verifying) the payload of a compact JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> {
    const payload = token.split(".")[1];
    if (payload === undefined) throw new Error("not a compact JWT");
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
        string,
        unknown
    >;
}

function base64url(text: string): string {
    return Buffer.from(text, "utf8").toString("base64url");
}
