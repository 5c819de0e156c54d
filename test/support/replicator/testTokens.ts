/**
 * Test-only JWTs for the replicator stand-in, minted with node:crypto: ES256 tokens shaped like
 * `replicator make-jwt` output (docs/replicator-behaviour.md), plus deliberately bad ones.
 */
import { KeyObject, createHmac, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { CLAIM_NAMESPACE } from "./jwtAuth";

export interface EcKeyPair {
    privateKey: KeyObject;
    /** PKIX PEM, as inserted into `<staging>.jwt_public_keys`. */
    publicKeyPem: string;
}

export function newEcKeyPair(): EcKeyPair {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return {
        privateKey,
        publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
}

/** Claims of `replicator make-jwt -a db.schema`; pass `jti: undefined` to leave it out. */
export function replicatorClaims(
    schemas: string[][],
    extra: Record<string, unknown> = {},
): Record<string, unknown> {
    return { iss: "replicator", jti: randomUUID(), [CLAIM_NAMESPACE]: { schemas }, ...extra };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** An ES256-signed token. */
export function signEs256(privateKey: KeyObject, claims: Record<string, unknown>): string {
    const input = `${b64url(JSON.stringify({ alg: "ES256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign("sha256", Buffer.from(input), {
        key: privateKey,
        dsaEncoding: "ieee-p1363",
    });
    return `${input}.${b64url(signature)}`;
}

/** An HS256 token (which the replicator must refuse). */
export function signHs256(secret: string, claims: Record<string, unknown>): string {
    const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(createHmac("sha256", secret).update(input).digest())}`;
}

/** An unsigned `alg: none` token (which the replicator must refuse). */
export function unsignedToken(claims: Record<string, unknown>): string {
    return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.`;
}
