/**
 * The replicator's JWT check (docs/replicator-behaviour.md, source `internal/util/auth/jwt`):
 * RS256/384/512 or ES256/384/512 signatures only, verified against the PEM (PKIX) public keys in
 * `<staging>.jwt_public_keys` (active rows); `jti` required and not in `jwt_revoked_ids`; the
 * claim `https://github.com/cockroachdb/replicator` (or the legacy cdc-sink one) lists
 * `schemas`, each a list of parts where `*` matches any part and the part count must equal the
 * request schema's. exp/nbf are checked when present, and iat must not be in the future.
 */
import { KeyObject, createPublicKey } from "node:crypto";
import { jwtVerify } from "jose";

export const CLAIM_NAMESPACE = "https://github.com/cockroachdb/replicator";
const LEGACY_CLAIM_NAMESPACE = "https://github.com/cockroachdb/cdc-sink";
const VALID_ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512"];

/** Turns PEM rows into keys; a row that is not a PKIX public key fails the whole load. */
export function parsePublicKeys(rows: ReadonlyArray<{ id: string; pem: string }>): KeyObject[] {
    return rows.map(({ id, pem }) => {
        const block = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem);
        if (!block) throw new Error(`no PEM data in ${id}`);
        if (block[1] !== "PUBLIC KEY") {
            throw new Error(`could not decode public key in ${id}: not a PKIX public key`);
        }
        try {
            return createPublicKey({ key: pem, format: "pem" });
        } catch (err) {
            throw new Error(`could not decode public key in ${id}: ${(err as Error).message}`);
        }
    });
}

/** Reads the token from `Authorization: Bearer …`, else from the `access_token` query parameter. */
export function extractToken(authorization: string | undefined, url: URL): string {
    if (authorization) return authorization.startsWith("Bearer ") ? authorization.slice(7) : "";
    return url.searchParams.get("access_token") ?? "";
}

export class JwtAuthenticator {
    private keys: KeyObject[] = [];
    private revoked = new Set<string>();

    /** Replaces the key set and revoked ids (one refresh). */
    replace(keys: KeyObject[], revoked: Iterable<string>): void {
        this.keys = keys;
        this.revoked = new Set(revoked);
    }

    /** True when `token` authorizes writes to the schema named by `schemaParts`. */
    async check(schemaParts: ReadonlyArray<string>, token: string): Promise<boolean> {
        for (const key of this.keys) {
            let payload: Record<string, unknown>;
            try {
                ({ payload } = await jwtVerify(token, key, { algorithms: VALID_ALGORITHMS }));
            } catch {
                continue;
            }
            const allowed = claimedSchemas(payload);
            if (allowed === undefined) continue;
            if (this.revoked.has(payload.jti as string)) return false;
            if (allowed.some((entry) => matches(entry, schemaParts))) return true;
        }
        return false;
    }
}

/** The claimed schemas, or undefined when the claims are not valid replicator claims. */
function claimedSchemas(payload: Record<string, unknown>): string[][] | undefined {
    if (typeof payload.jti !== "string" || payload.jti === "") return undefined;
    if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000) return undefined;
    const out: string[][] = [];
    for (const namespace of [CLAIM_NAMESPACE, LEGACY_CLAIM_NAMESPACE]) {
        const ext = payload[namespace];
        if (ext === undefined || ext === null) continue;
        if (typeof ext !== "object") return undefined;
        const schemas = (ext as { schemas?: unknown }).schemas;
        if (schemas === undefined || schemas === null) continue;
        if (!Array.isArray(schemas)) return undefined;
        for (const entry of schemas) {
            if (!Array.isArray(entry) || !entry.every((p) => typeof p === "string"))
                return undefined;
            out.push(entry as string[]);
        }
    }
    return out.length > 0 ? out : undefined;
}

function matches(allowed: ReadonlyArray<string>, requested: ReadonlyArray<string>): boolean {
    if (allowed.length !== requested.length) return false;
    return allowed.every(
        (part, i) => part === "*" || part.toLowerCase() === requested[i]!.toLowerCase(),
    );
}
