import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";

import * as jose from "jose";

import {
    decodeJwtPayload,
    jwtAlgorithmFor,
    publicKeyPemOf,
    REPLICATOR_CLAIM,
    replicatorClaims,
    signJwt,
} from "../../../src/tls/jwt";
import { parsePrivateKey } from "../../../src/tls/pem";
import { TestPki } from "../../support/tls/openssl";

function ecKey(namedCurve: string): KeyObject {
    return generateKeyPairSync("ec", { namedCurve }).privateKey;
}

describe("replicator JWTs", () => {
    it("mints an ES256 token that verifies with the registered public key", async () => {
        const pki = new TestPki();
        try {
            // The same SEC1 PEM shape tls.PrivateKey (ECDSA, P256) produces.
            const key = parsePrivateKey(pki.ecKey())!;
            const claims = replicatorClaims([["molt", "public"]]);
            const token = signJwt(claims, key);

            const publicKey = await jose.importSPKI(publicKeyPemOf(key), "ES256");
            const { payload, protectedHeader } = await jose.jwtVerify(token, publicKey, {
                algorithms: ["ES256"],
                issuer: "replicator",
            });
            assert.deepEqual(protectedHeader, { alg: "ES256", typ: "JWT" });
            assert.deepEqual(Object.keys(payload).sort(), ["iss", "jti", REPLICATOR_CLAIM].sort());
            assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
            assert.deepEqual(payload[REPLICATOR_CLAIM], { schemas: [["molt", "public"]] });
            assert.equal(payload.exp, undefined);
        } finally {
            pki.dispose();
        }
    });

    it("gives each token its own jti", () => {
        const a = replicatorClaims([["db"]]);
        const b = replicatorClaims([["db"]]);
        assert.notEqual(a.jti, b.jti);
    });

    it("refuses verification with another key", async () => {
        const token = signJwt(replicatorClaims([["MIGRATION_SCHEMA"]]), ecKey("prime256v1"));
        const other = createPublicKey(ecKey("prime256v1"));
        await assert.rejects(jose.jwtVerify(token, other), {
            code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        });
    });

    it("maps keys to algorithms as make-jwt does", async () => {
        assert.equal(jwtAlgorithmFor(ecKey("prime256v1")), "ES256");
        assert.equal(jwtAlgorithmFor(ecKey("secp384r1")), "ES384");
        assert.equal(jwtAlgorithmFor(ecKey("secp521r1")), "ES512");
        const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
        assert.equal(jwtAlgorithmFor(rsa), "RS256");
        assert.equal(jwtAlgorithmFor(generateKeyPairSync("ed25519").privateKey), undefined);
        assert.equal(jwtAlgorithmFor(ecKey("secp256k1")), undefined);

        for (const key of [ecKey("secp384r1"), ecKey("secp521r1"), rsa]) {
            const token = signJwt(replicatorClaims([["db"]]), key);
            const alg = jwtAlgorithmFor(key)!;
            const { protectedHeader } = await jose.jwtVerify(token, createPublicKey(key), {
                algorithms: [alg],
            });
            assert.equal(protectedHeader.alg, alg);
        }
    });

    it("refuses to sign with an unsupported key", () => {
        assert.throws(() => signJwt({}, generateKeyPairSync("ed25519").privateKey), {
            message: "the JWT key must be an EC P-256, P-384, P-521 or an RSA private key",
        });
    });

    it("registers the SubjectPublicKeyInfo PEM", () => {
        const pem = publicKeyPemOf(ecKey("prime256v1"));
        assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    });

    it("decodes a payload without verifying", () => {
        const claims = replicatorClaims([["a", "b"]], "fixed-id");
        assert.deepEqual(decodeJwtPayload(signJwt(claims, ecKey("prime256v1"))), claims);
    });
});
