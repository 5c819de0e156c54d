/**
 * The SQL a preview shows for ReplicatorAuthKey (pure, offline). The key goes in as bind
 * parameter `$1`; a preview names it by type and SHA-256 fingerprint of the public key, and
 * never shows the private key or the token.
 */
import { createHash, createPublicKey } from "node:crypto";

import {
    describedStep,
    previewLoggers,
    type PlannedStatement,
    UNKNOWN_TEXT,
} from "../kernel/previewSql";
import { UNKNOWN } from "../kernel/unknown";
import { describeServer, parseStagingSchema } from "../cockroach";
import {
    DEFAULT_WAIT_FOR_TABLE_SECONDS,
    type ReplicatorAuthKeyInputs,
    type ReplicatorAuthKeyOutputs,
} from "./types";
import { publicKeyOfPem } from "./check";
import { planRegistration, planRemoval } from "./plan";

const CURVE_NAMES: Readonly<Record<string, string>> = {
    prime256v1: "P-256",
    secp384r1: "P-384",
    secp521r1: "P-521",
};

/** `ReplicatorAuthKey host:port/db` (never the connection string). */
export function previewLabel(stagingConnection: unknown): string {
    const server =
        typeof stagingConnection === "string" && stagingConnection !== UNKNOWN
            ? describeServer(stagingConnection)
            : UNKNOWN_TEXT;
    return `ReplicatorAuthKey ${server}`;
}

/**
 * `<ECDSA P-256 public key sha256:0a1b2c3d4e5f6071…>`: the key's type and the first 16 hex
 * digits of the SHA-256 of its DER SubjectPublicKeyInfo.
 */
export function publicKeyFingerprint(publicKeyPem: string): string {
    const key = createPublicKey(publicKeyPem);
    const der = key.export({ type: "spki", format: "der" });
    const digest = createHash("sha256").update(der).digest("hex").slice(0, 16);
    const details = key.asymmetricKeyDetails;
    const kind =
        key.asymmetricKeyType === "ec"
            ? `ECDSA ${CURVE_NAMES[details?.namedCurve ?? ""] ?? details?.namedCurve ?? ""}`
            : key.asymmetricKeyType === "rsa"
              ? `RSA-${details?.modulusLength ?? ""}`
              : String(key.asymmetricKeyType);
    return `<${kind} public key sha256:${digest}…>`;
}

/** The fingerprint of the public key of `privateKeyPem` (never the private key itself). */
function keyOfPrivate(privateKeyPem: unknown): string {
    if (typeof privateKeyPem !== "string" || privateKeyPem === UNKNOWN) {
        return `<public key of a private key ${UNKNOWN_TEXT}>`;
    }
    const publicKeyPem = publicKeyOfPem(privateKeyPem);
    if (!publicKeyPem) throw new Error("privateKeyPem does not parse");
    return publicKeyFingerprint(publicKeyPem);
}

/** Looking for the key row, then inserting it unless it is there. */
function registration(
    stagingSchema: unknown,
    key: string,
    waitSeconds: number,
    insertNote: string,
): PlannedStatement[] {
    if (typeof stagingSchema !== "string" || stagingSchema === UNKNOWN) {
        return [describedStep(`INSERT INTO ${UNKNOWN_TEXT}.jwt_public_keys (public_key) … ${key}`)];
    }
    const staging = parseStagingSchema(stagingSchema);
    if (!staging) throw new Error("stagingSchema does not parse");
    const plan = planRegistration(staging, "", waitSeconds);
    return [
        {
            sql: plan.find.sql,
            note: `$1 = ${key}; repeated for up to ${plan.waitSeconds} s until the replicator has created the table`,
        },
        { sql: plan.insert.sql, note: insertNote },
    ];
}

/** The SQL `create` runs: wait for `jwt_public_keys`, insert the public key, mint the token. */
export function plannedCreateSql(inputs: ReplicatorAuthKeyInputs): PlannedStatement[] {
    const key = keyOfPrivate(inputs.privateKeyPem);
    const waitSeconds =
        typeof inputs.waitForTableSeconds === "number"
            ? inputs.waitForTableSeconds
            : DEFAULT_WAIT_FOR_TABLE_SECONDS;
    return [
        ...registration(
            inputs.stagingSchema,
            key,
            waitSeconds,
            `$1 = ${key}; skipped if the row is already there`,
        ),
        describedStep(
            "mint the token (random jti, the schemas claim, no exp); kept as a secret output, not shown",
        ),
    ];
}

/** The SQL `update` runs: the same registration with the key in state (the token is kept). */
export function plannedUpdateSql(
    olds: ReplicatorAuthKeyOutputs,
    news: ReplicatorAuthKeyInputs,
): PlannedStatement[] {
    const key = publicKeyFingerprint(olds.publicKeyPem);
    const waitSeconds =
        typeof news.waitForTableSeconds === "number"
            ? news.waitForTableSeconds
            : DEFAULT_WAIT_FOR_TABLE_SECONDS;
    const insertNote =
        olds.keyRegistered === false
            ? `$1 = ${key}; the row was missing at the last refresh and is inserted again`
            : `$1 = ${key}; skipped if the row is already there`;
    return registration(news.stagingSchema, key, waitSeconds, insertNote);
}

/** The statement `delete` runs before a replacement (only for a row this resource inserted). */
function plannedDeleteSql(olds: ReplicatorAuthKeyOutputs): PlannedStatement[] {
    const removal = planRemoval(
        parseStagingSchema(olds.stagingSchema),
        olds.publicKeyPem,
        olds.keyInserted,
    );
    if (!removal) return [];
    return [
        {
            sql: removal.sql,
            note: `$1 = ${publicKeyFingerprint(olds.publicKeyPem)}; the replaced key`,
        },
    ];
}

function secretsOf(values: Partial<ReplicatorAuthKeyInputs & ReplicatorAuthKeyOutputs>): string[] {
    return [values.stagingConnection, values.privateKeyPem, values.token].filter(
        (v): v is string => typeof v === "string",
    );
}

/** The hooks the provider calls from `check` and `diff`. */
export const { logCreatePreview, logDiffPreview } = previewLoggers<
    ReplicatorAuthKeyInputs,
    ReplicatorAuthKeyOutputs
>({
    label: (news) => previewLabel(news.stagingConnection),
    create: plannedCreateSql,
    update: plannedUpdateSql,
    replacement: (olds) => [
        describedStep("replacement (delete before replace):"),
        ...plannedDeleteSql(olds),
    ],
    secrets: secretsOf,
});
