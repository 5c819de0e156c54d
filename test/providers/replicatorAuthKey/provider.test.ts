/**
 * The ReplicatorAuthKey provider against the real PostgreSQL server, which stands in for the
 * staging CockroachDB: a schema plays the staging schema and gets a `jwt_public_keys` table with
 * CockroachDB's columns (reference/replicator.md §4; STRING → TEXT).
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";

import * as jose from "jose";
import { Client } from "pg";

import { UNKNOWN } from "../../../src/providers/kernel/unknown";
import { provider } from "../../../src/providers/replicatorAuthKey/provider";
import type { ReplicatorAuthKeyOutputs } from "../../../src/providers/replicatorAuthKey/types";
import { REPLICATOR_CLAIM } from "../../../src/tls/jwt";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { TestPki } from "../../support/tls/openssl";

const PASSWORD = "st4ging-pw-xyz";

function withPassword(url: string): string {
    const parsed = new URL(url);
    parsed.password = PASSWORD; // trust auth ignores it; it must never show up in a message
    return parsed.toString();
}

describe("ReplicatorAuthKey provider (real PostgreSQL as staging)", () => {
    const pki = new TestPki();
    const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
    const schema = uniqueName("staging");
    const emptySchema = uniqueName("staging_empty");
    let database: string;
    let stagingConnection: string;
    let privateKeyPem: string;

    const tableDdl = () =>
        `CREATE TABLE "${schema}".jwt_public_keys (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), ` +
        "public_key TEXT, active BOOL DEFAULT true)";
    const rows = async (): Promise<string[]> =>
        (
            await admin.query<{ public_key: string }>(
                `SELECT public_key FROM "${schema}".jwt_public_keys`,
            )
        ).rows.map((r) => r.public_key);

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await admin.connect();
        database = (await admin.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!
            .db;
        await admin.query(`CREATE SCHEMA "${schema}"`);
        await admin.query(`CREATE SCHEMA "${emptySchema}"`);
        stagingConnection = withPassword(POSTGRES_ADMIN_URL);
        privateKeyPem = pki.ecKey();
    });

    after(async () => {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.query(`DROP SCHEMA IF EXISTS "${emptySchema}" CASCADE`);
        await admin.end();
        pki.dispose();
    });

    const inputs = (overrides: Record<string, unknown> = {}) => ({
        stagingConnection,
        stagingSchema: `${database}.${schema}`,
        privateKeyPem,
        schemas: [["molt", "public"]],
        waitForTableSeconds: 10,
        ...overrides,
    });

    let created: { id: string; outs: ReplicatorAuthKeyOutputs };

    it("check passes good inputs and reports every problem, secrets without their value", async () => {
        assert.deepEqual((await provider.check({}, inputs())).failures, []);
        const result = await provider.check(
            {},
            {
                stagingConnection: "mysql://u:pw@h/db",
                stagingSchema: "a.b.c",
                privateKeyPem: "nope",
                schemas: [["a", "b", "c"]],
                waitForTableSeconds: -1,
            },
        );
        assert.deepEqual(result.failures, [
            {
                property: "",
                reason: "stagingConnection: must be a CockroachDB SQL URL such as postgresql://user:password@host:26257/defaultdb?sslmode=verify-full",
            },
            {
                property: "stagingSchema",
                reason: "must be the replicator's staging schema as `db.schema` (e.g. defaultdb._replicator) or a one-part `db` meaning `db.public`",
            },
            { property: "", reason: "privateKeyPem: is not a PEM-encoded private key" },
            {
                property: "schemas",
                reason: 'must be a non-empty list of target schemas, each ["db", "schema"] (PostgreSQL) or ["name"] (MySQL/Oracle)',
            },
            {
                property: "waitForTableSeconds",
                reason: "must be a whole number of seconds from 0 to 3600",
            },
        ]);
        const unknowns = await provider.check(
            {},
            { ...inputs(), privateKeyPem: UNKNOWN, schemas: [[UNKNOWN]] },
        );
        assert.deepEqual(unknowns.failures, []);
    });

    it("create waits for jwt_public_keys, inserts the public key and mints a verifiable token", async () => {
        const creating = provider.create(inputs());
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await admin.query(tableDdl());
        created = (await creating) as { id: string; outs: ReplicatorAuthKeyOutputs };

        const outs = created.outs;
        assert.match(created.id, /^replicator-jwt-[0-9a-f]{16}$/);
        assert.equal(outs.stateVersion, 1);
        assert.equal(outs.keyInserted, true);
        assert.equal(outs.keyRegistered, true);
        assert.equal(outs.algorithm, "ES256");
        assert.deepEqual(await rows(), [outs.publicKeyPem]);
        assert.match(outs.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);

        const { payload, protectedHeader } = await jose.jwtVerify(
            outs.token,
            await jose.importSPKI(outs.publicKeyPem, "ES256"),
            { issuer: "replicator" },
        );
        assert.deepEqual(protectedHeader, { alg: "ES256", typ: "JWT" });
        assert.equal(payload.jti, outs.tokenId);
        assert.deepEqual(payload[REPLICATOR_CLAIM], { schemas: [["molt", "public"]] });
        assert.equal(payload.exp, undefined);
        assert.ok(
            !JSON.stringify({ ...outs, stagingConnection: "", token: "" }).includes(PASSWORD),
        );
    });

    it("read reports the key row, and its disappearance as drift that update repairs with the same token", async () => {
        const read = await provider.read(created.id, created.outs);
        assert.equal(read.id, created.id);
        assert.equal((read.props as ReplicatorAuthKeyOutputs).keyRegistered, true);

        await admin.query(`DELETE FROM "${schema}".jwt_public_keys`);
        const drifted = (await provider.read(created.id, created.outs))
            .props as ReplicatorAuthKeyOutputs;
        assert.equal(drifted.keyRegistered, false);
        assert.deepEqual(await provider.diff(created.id, drifted, inputs()), { changes: true });

        const updated = (await provider.update(created.id, drifted, inputs()))
            .outs as ReplicatorAuthKeyOutputs;
        assert.equal(updated.keyRegistered, true);
        assert.equal(updated.token, created.outs.token);
        assert.deepEqual(await rows(), [created.outs.publicKeyPem]);
        assert.deepEqual(await provider.diff(created.id, updated, inputs()), { changes: false });
        created.outs = updated;
    });

    it("diff: new key, staging schema or claim replaces (delete first); new connection updates", async () => {
        const olds = created.outs;
        assert.deepEqual(
            await provider.diff(created.id, olds, inputs({ privateKeyPem: pki.ecKey() })),
            {
                changes: true,
                replaces: ["privateKeyPem"],
                deleteBeforeReplace: true,
            },
        );
        assert.deepEqual(
            await provider.diff(created.id, olds, inputs({ privateKeyPem: UNKNOWN })),
            {
                changes: true,
                replaces: ["privateKeyPem"],
                deleteBeforeReplace: true,
            },
        );
        assert.deepEqual(
            await provider.diff(
                created.id,
                olds,
                inputs({ stagingSchema: "defaultdb._replicator", schemas: [["x", "y"]] }),
            ),
            { changes: true, replaces: ["stagingSchema", "schemas"], deleteBeforeReplace: true },
        );
        assert.deepEqual(
            await provider.diff(
                created.id,
                olds,
                inputs({ stagingConnection: POSTGRES_ADMIN_URL }),
            ),
            { changes: true },
        );
        // A differently encoded but equal key is no change.
        const pkcs8 = (await import("node:crypto"))
            .createPrivateKey(privateKeyPem)
            .export({ type: "pkcs8", format: "pem" })
            .toString();
        assert.deepEqual(await provider.diff(created.id, olds, inputs({ privateKeyPem: pkcs8 })), {
            changes: false,
        });
    });

    it("a second resource with the same key does not insert it again, and its delete leaves the row", async () => {
        const second = (await provider.create(inputs({ schemas: [["molt", "audit"]] }))) as {
            id: string;
            outs: ReplicatorAuthKeyOutputs;
        };
        assert.equal(second.outs.keyInserted, false);
        assert.notEqual(second.outs.token, created.outs.token);
        await provider.delete(second.id, second.outs);
        assert.deepEqual(await rows(), [created.outs.publicKeyPem]);
    });

    it("delete removes only its row, and is idempotent (row, table or schema gone)", async () => {
        const otherKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
            .publicKey.export({ type: "spki", format: "pem" })
            .toString();
        await admin.query(`INSERT INTO "${schema}".jwt_public_keys (public_key) VALUES ($1)`, [
            otherKey,
        ]);
        await provider.delete(created.id, created.outs);
        assert.deepEqual(await rows(), [otherKey]);
        await provider.delete(created.id, created.outs);
        await admin.query(`DROP TABLE "${schema}".jwt_public_keys`);
        await provider.delete(created.id, created.outs);
        await provider.delete(created.id, {
            ...created.outs,
            stagingSchema: `${database}.${uniqueName("gone")}`,
        });
    });

    it("create gives up after waitForTableSeconds with a clear error", async () => {
        const started = Date.now();
        await assert.rejects(
            provider.create(
                inputs({ stagingSchema: `${database}.${emptySchema}`, waitForTableSeconds: 1 }),
            ),
            (err: Error) => {
                assert.equal(
                    err.message,
                    `${database}.${emptySchema}.jwt_public_keys does not exist on 127.0.0.1:5432/${database} ` +
                        `(waited 1 s). The replicator creates it when it starts with --stagingSchema=${database}.${emptySchema}: ` +
                        "check that it is running against this staging cluster, or raise waitForTableSeconds",
                );
                return true;
            },
        );
        assert.ok(Date.now() - started < 5000);
    });

    it("a dead server is a clear, redacted error, not a hang", async () => {
        await assert.rejects(
            provider.create(
                inputs({
                    stagingConnection: `postgresql://root:${PASSWORD}@127.0.0.1:1/defaultdb`,
                }),
            ),
            (err: Error) => {
                assert.match(
                    err.message,
                    /^cannot connect to CockroachDB at 127\.0\.0\.1:1\/defaultdb: /,
                );
                assert.ok(!err.message.includes(PASSWORD));
                return true;
            },
        );
    });
});
