/**
 * Outside check of the delivery proof: the Changefeed provider runs against the CockroachDB test
 * server and a small HTTPS receiver written here (not the replicator stand-in). The receiver
 * answers every webhook batch and resolved message with 200 and writes checkpoint rows into
 * `<staging>.checkpoints` the way MOLT Replicator does (docs/replicator-behaviour.md: a resolved
 * message records `(group_name, partition, source_hlc)` with `target_applied_at` NULL, group and
 * partition = the path's schema lower-cased; `target_applied_at` is set only after the apply).
 * Each variant stages without applying the feed after the cursor, in a different way; the proof
 * must fail for every one of them, and pass for the control that really applies.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";

import { makeChangefeedProvider } from "../../src/providers/changefeed/provider";
import type { ChangefeedInputs } from "../../src/providers/changefeed/types";
import { type CockroachTestServer, startCockroachTestServer } from "../support/cockroach";
import { createTestCertificates, type TestCertificates } from "../support/cockroach/feed/testCerts";
import { runSql } from "../support/cockroach/testHelpers";

const TOKEN = "redteam-token-Xy7q";
const STAGING = "defaultdb._replicator";
const CHECKPOINTS = `_replicator.checkpoints`;

/** What a receiver does with one resolved timestamp: the SQL it runs on the staging cluster. */
type OnResolved = (db: Client, hlc: string, partition: string) => Promise<void>;

interface Receiver {
    port: number;
    resolvedSeen: string[];
    close(): Promise<void>;
}

async function startReceiver(
    certs: TestCertificates,
    stagingUrl: string,
    onResolved: OnResolved,
): Promise<Receiver> {
    const db = new Client({ connectionString: stagingUrl });
    await db.connect();
    const resolvedSeen: string[] = [];
    let chain = Promise.resolve();
    const server: Server = createServer(
        {
            cert: certs.server.certPem,
            key: certs.server.keyPem,
            ca: certs.ca.certPem,
            requestCert: true,
            rejectUnauthorized: false,
        },
        (req, res) => {
            let body = "";
            req.on("data", (c: Buffer) => (body += c.toString()));
            req.on("end", () => {
                if (req.headers.authorization !== `Bearer ${TOKEN}`) {
                    res.writeHead(401).end("missing or invalid access token");
                    return;
                }
                const segments = (req.url ?? "/").split("?")[0]!.split("/").slice(1);
                const partition = segments
                    .map((s) => decodeURIComponent(s).toLowerCase())
                    .join(".");
                let parsed: { resolved?: string; payload?: unknown[] } = {};
                try {
                    parsed = body === "" ? {} : (JSON.parse(body) as typeof parsed);
                } catch {
                    res.writeHead(400).end("could not decode payload");
                    return;
                }
                if (!parsed.resolved) {
                    res.writeHead(200).end(); // rows: staged, never applied
                    return;
                }
                const hlc = parsed.resolved;
                chain = chain.then(async () => {
                    try {
                        resolvedSeen.push(hlc);
                        await onResolved(db, hlc, partition);
                        res.writeHead(200).end();
                    } catch (err) {
                        res.writeHead(400).end((err as Error).message);
                    }
                });
            });
        },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as AddressInfo).port,
        resolvedSeen,
        close: async () => {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            await db.end();
        },
    };
}

/** Records a checkpoint as `resolved.go` → `Group.Advance` does: unapplied. */
async function record(db: Client, table: string, group: string, partition: string, hlc: string) {
    await db.query(
        `INSERT INTO ${table} (group_name, partition, source_hlc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [group, partition, hlc],
    );
}

async function insertApplied(
    db: Client,
    table: string,
    group: string,
    partition: string,
    hlc: string,
) {
    await db.query(
        `INSERT INTO ${table} (group_name, partition, source_hlc, target_applied_at) VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`,
        [group, partition, hlc],
    );
}

/** `nanos.logical` minus `seconds` (older than any cursor taken after it). */
function earlier(hlc: string, seconds: number): string {
    const [wall] = hlc.split(".");
    return `${BigInt(wall!) - BigInt(seconds) * 1_000_000_000n}.0000000000`;
}

describe(
    "red team: delivery proof against a receiver that stages without applying",
    { concurrency: true },
    () => {
        let server: CockroachTestServer;
        let certs: TestCertificates;
        const provider = makeChangefeedProvider({ deliveryPollMs: 100 });

        before(async () => {
            certs = await createTestCertificates();
            server = await startCockroachTestServer();
            await runSql(server.url, [
                "SET CLUSTER SETTING kv.rangefeed.enabled = true",
                "CREATE TABLE rt_a (id INT PRIMARY KEY, v TEXT)",
                "CREATE TABLE rt_b (id INT PRIMARY KEY, v TEXT)",
                "INSERT INTO rt_a VALUES (1, 'x')",
                "INSERT INTO rt_b VALUES (1, 'y')",
            ]);
            for (const schema of ["_replicator", "_other"]) {
                await runSql(server.url, [
                    `CREATE SCHEMA ${schema}`,
                    // internal/staging/checkpoint/group.go — schema (virtual columns left out)
                    `CREATE TABLE ${schema}.checkpoints (group_name TEXT NOT NULL, source_hlc DECIMAL NOT NULL, ` +
                        "partition TEXT NOT NULL, first_seen TIMESTAMPTZ NOT NULL DEFAULT now(), " +
                        "target_applied_at TIMESTAMPTZ, PRIMARY KEY (group_name, source_hlc, partition))",
                ]);
            }
        });

        after(async () => {
            await server?.stop();
        });

        function inputs(port: number, schema: string): ChangefeedInputs {
            return {
                connection: server.url,
                tables: ["rt_a", "rt_b"],
                webhookUrl: `https://127.0.0.1:${port}/defaultdb/${schema}`,
                caCertPem: certs.ca.certPem,
                clientCertPem: certs.client.certPem,
                clientKeyPem: certs.client.keyPem,
                authToken: TOKEN,
                resolved: "100ms",
                minCheckpointFrequency: "100ms",
                waitForRunningSeconds: 5,
                verifyDelivery: {
                    stagingSchema: STAGING,
                    targetSchema: ["defaultdb", schema],
                    timeoutSeconds: 8,
                },
            };
        }

        /** Runs create against a receiver; returns the error (undefined when it passed). */
        async function createAgainst(
            schema: string,
            onResolved: OnResolved,
            prepare?: (db: Client, now: string) => Promise<void>,
        ): Promise<{ error?: Error; resolvedSeen: string[] }> {
            const [row] = await runSql(server.url, ["SELECT cluster_logical_timestamp() AS now"]);
            const now = String(row!.now);
            const receiver = await startReceiver(certs, server.url, onResolved);
            const db = new Client({ connectionString: server.url });
            await db.connect();
            try {
                await prepare?.(db, now);
                const created = await provider.create(inputs(receiver.port, schema));
                await provider.delete(created.id, created.outs);
                return { resolvedSeen: receiver.resolvedSeen };
            } catch (err) {
                return { error: err as Error, resolvedSeen: receiver.resolvedSeen };
            } finally {
                await db.end();
                await receiver.close();
            }
        }

        function assertRefused(result: { error?: Error; resolvedSeen: string[] }, what: string) {
            assert.ok(
                result.resolvedSeen.length > 0,
                `${what}: the receiver got resolved messages`,
            );
            assert.ok(result.error, `${what}: verification passed although nothing was applied`);
            const message = result.error.message;
            assert.match(message, /delivery not verified/, `${what}: ${message}`);
            for (const secret of [
                TOKEN,
                certs.client.keyPem,
                "BEGIN PRIVATE KEY",
                "BEGIN EC PRIVATE KEY",
            ]) {
                assert.ok(
                    !message.includes(secret),
                    `${what}: the message leaks ${secret.slice(0, 20)}`,
                );
            }
            return message;
        }

        it("stages and records checkpoints, never applies: refused, naming what to check", async () => {
            const result = await createAgainst("s_stage", (db, hlc, p) =>
                record(db, CHECKPOINTS, p, p, hlc),
            );
            const message = assertRefused(result, "stage only");
            assert.match(message, /received but not applied/);
            assert.match(message, /privileges/);
            assert.match(message, /apply_errors_total/);
            assert.match(message, /defaultdb\._replicator\.checkpoints/);
        });

        it("applied checkpoints only for another partition or another group: refused", async () => {
            const result = await createAgainst("s_part", async (db, hlc, p) => {
                await record(db, CHECKPOINTS, p, p, hlc);
                await insertApplied(db, CHECKPOINTS, p, "defaultdb.other", hlc);
                await insertApplied(db, CHECKPOINTS, "defaultdb.other", p, hlc);
            });
            assertRefused(result, "other partition/group");
        });

        it("a stale applied checkpoint from an earlier run, older than the cursor: refused", async () => {
            const result = await createAgainst(
                "s_stale",
                (db, hlc, p) => record(db, CHECKPOINTS, p, p, hlc),
                (db, now) =>
                    insertApplied(
                        db,
                        CHECKPOINTS,
                        "defaultdb.s_stale",
                        "defaultdb.s_stale",
                        earlier(now, 30),
                    ),
            );
            assertRefused(result, "stale applied checkpoint");
        });

        it("a leftover applied checkpoint NEWER than the cursor, feed never applied: refused", async () => {
            const result = await createAgainst(
                "s_ahead",
                (db, hlc, p) => record(db, CHECKPOINTS, p, p, hlc),
                (db, now) =>
                    insertApplied(
                        db,
                        CHECKPOINTS,
                        "defaultdb.s_ahead",
                        "defaultdb.s_ahead",
                        earlier(now, -1),
                    ),
            );
            assertRefused(result, "leftover newer applied checkpoint");
        });

        it("applies only some tables (the group's checkpoint stays unapplied): refused", async () => {
            const applied = new Set<string>();
            const result = await createAgainst("s_some", async (db, hlc, p) => {
                applied.add("rt_a"); // rt_b never applied, so the group's checkpoint is never committed
                await record(db, CHECKPOINTS, p, p, hlc);
                if (applied.has("rt_a") && applied.has("rt_b")) {
                    await db.query(
                        `UPDATE ${CHECKPOINTS} SET target_applied_at = now() WHERE group_name = $1`,
                        [p],
                    );
                }
            });
            assertRefused(result, "some tables");
        });

        it("sets target_applied_at, but only on a checkpoint older than the cursor: refused", async () => {
            // Only checkpoints older than the first resolved timestamp this feed sent (so older
            // than its cursor) are ever marked applied, however long verification waits.
            let firstResolved: string | undefined;
            const result = await createAgainst(
                "s_old",
                async (db, hlc, p) => {
                    firstResolved ??= hlc;
                    await record(db, CHECKPOINTS, p, p, hlc);
                    await db.query(
                        `UPDATE ${CHECKPOINTS} SET target_applied_at = now() WHERE group_name = $1 AND partition = $1 ` +
                            "AND source_hlc < $2 AND target_applied_at IS NULL",
                        [p, firstResolved],
                    );
                },
                (db, now) =>
                    record(db, CHECKPOINTS, "defaultdb.s_old", "defaultdb.s_old", earlier(now, 30)),
            );
            assertRefused(result, "old checkpoint applied");
        });

        it("applied checkpoints in another staging schema: refused", async () => {
            const result = await createAgainst("s_schema", async (db, hlc, p) => {
                await record(db, CHECKPOINTS, p, p, hlc);
                await insertApplied(db, "_other.checkpoints", p, p, hlc);
            });
            assertRefused(result, "another staging schema");
        });

        it("a receiver that echoes the token in its 400 answers: refused, the token never shown", async () => {
            const result = await createAgainst("s_echo", async (db, hlc, p) => {
                await record(db, CHECKPOINTS, p, p, hlc);
                throw new Error(`refused request with Authorization: Bearer ${TOKEN}`);
            });
            assertRefused(result, "echoed token");
        });

        it("control: a receiver that applies and then sets target_applied_at passes", async () => {
            const result = await createAgainst("s_good", async (db, hlc, p) => {
                await record(db, CHECKPOINTS, p, p, hlc);
                await db.query(
                    `UPDATE ${CHECKPOINTS} SET target_applied_at = now() WHERE group_name = $1 AND source_hlc <= $2 ` +
                        "AND target_applied_at IS NULL",
                    [p, hlc],
                );
            });
            assert.equal(result.error, undefined, result.error?.message);
        });
    },
);
