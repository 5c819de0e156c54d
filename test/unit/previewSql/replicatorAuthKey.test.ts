import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";

import { UNKNOWN } from "../../../src/providers/kernel/unknown";
import {
    logCreatePreview,
    logDiffPreview,
    plannedCreateSql,
    plannedUpdateSql,
    publicKeyFingerprint,
} from "../../../src/providers/replicatorAuthKey/preview";
import type { ReplicatorAuthKeyOutputs } from "../../../src/providers/replicatorAuthKey/types";

const PASSWORD = "Stag1ng-Pa55";
const CONNECTION = `postgresql://root:${PASSWORD}@crdb.example:26257/defaultdb`;
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const PRIVATE_PEM = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }) as string;
const TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.minted-token-signature";

const inputs = {
    stagingConnection: CONNECTION,
    stagingSchema: "defaultdb._replicator",
    privateKeyPem: PRIVATE_PEM,
    schemas: [["molt", "public"]],
};

const state: ReplicatorAuthKeyOutputs = {
    stateVersion: 1,
    stagingConnection: CONNECTION,
    stagingSchema: "defaultdb._replicator",
    schemas: [["molt", "public"]],
    waitForTableSeconds: 300,
    publicKeyPem: PUBLIC_PEM,
    algorithm: "ES256",
    token: TOKEN,
    tokenId: "x",
    keyInserted: true,
    keyRegistered: true,
};

const TABLE = '"defaultdb"."_replicator"."jwt_public_keys"';

describe("ReplicatorAuthKey planned SQL", () => {
    it("names the key by type and SHA-256 fingerprint", () => {
        assert.match(
            publicKeyFingerprint(PUBLIC_PEM),
            /^<ECDSA P-256 public key sha256:[0-9a-f]{16}…>$/,
        );
    });

    it("create looks for the table, inserts the public key unless present, mints the token", () => {
        const planned = plannedCreateSql(inputs);
        assert.deepEqual(
            planned.map((s) => s.sql),
            [
                `SELECT count(*) AS n FROM ${TABLE} WHERE public_key = $1`,
                `INSERT INTO ${TABLE} (public_key) SELECT $1::TEXT WHERE NOT EXISTS ` +
                    `(SELECT 1 FROM ${TABLE} WHERE public_key = $1::TEXT) RETURNING 1 AS inserted`,
                "-- mint the token (random jti, the schemas claim, no exp); kept as a secret output, not shown",
            ],
        );
        assert.equal(
            planned[1]!.note,
            `$1 = ${publicKeyFingerprint(PUBLIC_PEM)}; skipped if the row is already there`,
        );
        assert.match(planned[0]!.note ?? "", /up to 300 s/);
    });

    it("a one-part staging schema means db.public; an unknown key is shown as unknown", () => {
        const planned = plannedCreateSql({
            ...inputs,
            stagingSchema: "_replicator",
            privateKeyPem: UNKNOWN,
        });
        assert.match(planned[0]!.sql, /"_replicator"\."public"\."jwt_public_keys"/);
        assert.match(planned[1]!.note ?? "", /<public key of a private key <unknown until apply>>/);
    });

    it("update re-inserts a key row found missing, with the key from state", () => {
        const planned = plannedUpdateSql({ ...state, keyRegistered: false }, inputs);
        assert.equal(planned.length, 2);
        assert.match(planned[1]!.note ?? "", /missing at the last refresh/);
    });

    it("no private key, token or connection string reaches the logged preview", () => {
        const logged: string[] = [];
        logCreatePreview({}, inputs, (t) => logged.push(t));
        logDiffPreview(
            state,
            { ...inputs, stagingConnection: CONNECTION.replace(PASSWORD, "R0tated-Pw") },
            { changes: true },
            (t) => logged.push(t),
        );
        const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
            type: "pkcs8",
            format: "pem",
        }) as string;
        logDiffPreview(
            state,
            { ...inputs, privateKeyPem: other },
            { changes: true, replaces: ["privateKeyPem"] },
            (t) => logged.push(t),
        );
        assert.equal(logged.length, 3);
        const body = (pem: string) => pem.split("\n")[1]!;
        for (const text of logged) {
            assert.match(
                text,
                /^planned SQL \(ReplicatorAuthKey crdb\.example:26257\/defaultdb\):/,
            );
            for (const secret of [
                PASSWORD,
                "R0tated-Pw",
                body(PRIVATE_PEM),
                body(other),
                TOKEN,
                "PRIVATE KEY",
            ]) {
                assert.ok(!text.includes(secret), `preview leaks ${secret.slice(0, 10)}…`);
            }
        }
        assert.match(
            logged[2]!,
            new RegExp(`DELETE FROM ${TABLE.replace(/\./g, "\\.")} WHERE public_key = \\$1;`),
        );
    });
});
