/**
 * Connections cut in the middle of a non-transactional create:
 * - TargetGrants on MariaDB (GRANT is not transactional): no grant may be left unrecorded —
 *   either create throws a PartialStateError whose properties record what the catalog shows,
 *   or nothing was granted — and rerunning (update after a partial state, create otherwise)
 *   converges; delete then restores the grantee's privileges exactly.
 * - Changefeed: no changefeed job may be left running that the provider does not know of.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { PartialStateError } from "../../src/providers/kernel/partialState";
import { provider as changefeedProvider } from "../../src/providers/changefeed/provider";
import type { ChangefeedInputs } from "../../src/providers/changefeed/types";
import type { GrantPair } from "../../src/providers/targets/types";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { createTestCertificates, type TestCertificates } from "../support/cockroach/feed/testCerts";
import {
    startWebhookReceiver,
    type WebhookReceiver,
} from "../support/cockroach/feed/webhookReceiver";
import { type CutRule, startTcpProxy, type TcpProxy } from "../support/faults/tcpProxy";
import { snapshotMysqlPrivileges } from "../support/grants/snapshots";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import { type Cockroach, eventually, startCockroach, withMysql } from "./environment";

const TABLES = 100;

describe("TargetGrants on MariaDB: connection cut during create", () => {
    const database = uniqueName("cut_grants");
    const grantee = uniqueName("cut").slice(0, 32);
    const tables = Array.from({ length: TABLES }, (_, i) => `t${i}`);
    let proxy: TcpProxy;
    const grants = makeTargetGrantsProvider({
        sessionOptions: { connectTimeoutMs: 5_000, statementTimeoutMs: 10_000 },
    });

    before(async () => {
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        await withMysql(async (conn) => {
            await conn.query(`CREATE DATABASE \`${database}\``);
            for (const table of tables) {
                await conn.query(`CREATE TABLE \`${database}\`.\`${table}\` (id INT PRIMARY KEY)`);
            }
            await conn.query("CREATE USER ?@'%' IDENTIFIED BY 'x'", [grantee]);
            // Held before: must be recorded as preexisting and survive every delete.
            await conn.query(`GRANT SELECT ON \`${database}\`.t0 TO ?@'%'`, [grantee]);
        });
        proxy = await startTcpProxy({ targetPort: Number(new URL(MARIADB_ADMIN_URL).port) });
    });

    after(async () => {
        await proxy?.close();
        await withMysql(async (conn) => {
            await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
            await conn.query("DROP USER IF EXISTS ?@'%'", [grantee]);
        });
    });

    const inputs = () => ({
        connection: proxy.urlFor(MARIADB_ADMIN_URL),
        grantee,
        schema: database,
        tables,
    });

    /** `table:privilege` for every table privilege the grantee holds in the database. */
    async function catalogPairs(): Promise<string[]> {
        return withMysql(async (conn) => {
            const [rows] = await conn.query(
                "SELECT TABLE_NAME AS t, PRIVILEGE_TYPE AS p FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?",
                [`'${grantee}'@'%'`, database],
            );
            return (rows as { t: string; p: string }[]).map((r) => `${r.t}:${r.p}`).sort();
        });
    }

    /** The catalog once the server has finished the batch it received before the cut. */
    async function settledCatalog(): Promise<string[]> {
        let last = await catalogPairs();
        for (let i = 0; i < 40; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            const next = await catalogPairs();
            if (next.join() === last.join()) return next;
            last = next;
        }
        return last;
    }

    const pairsOf = (list: unknown): string[] =>
        ((list ?? []) as GrantPair[]).map((p) => `${p.object}:${p.privilege}`).sort();

    const cuts: Array<[string, CutRule]> = [
        [
            "inside the GRANT batch (the server gets half a packet)",
            {
                direction: "toServer",
                afterMatch: "GRANT",
                thenBytes: 400,
                thenDirection: "toServer",
            },
        ],
        [
            "after the whole batch was sent, before any result came back",
            { direction: "toServer", afterMatch: "GRANT", thenBytes: 0 },
        ],
        [
            "after the first results came back",
            { direction: "toServer", afterMatch: "GRANT", thenBytes: 30 },
        ],
    ];

    for (const [where, rule] of cuts) {
        it(`cut ${where}: no unrecorded grant, rerun converges, delete restores`, async () => {
            const before = await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, grantee, "%");
            const preexisting = await catalogPairs();
            proxy.armCut(rule);
            let error: unknown;
            let created: { id: string; outs?: Record<string, unknown> } | undefined;
            try {
                created = await grants.create(inputs());
            } catch (err) {
                error = err;
            }
            assert.equal(proxy.cuts, 1, "the cut happened");
            proxy.resetCounters();
            const held = await settledCatalog();
            const added = held.filter((p) => !preexisting.includes(p));

            let id: string;
            let props: Record<string, unknown> | undefined;
            if (created) {
                // The batch had run before the cut: the re-read on a new session found the whole
                // change, so create succeeds and records every pair it added.
                id = created.id;
                props = created.outs ?? {};
                assert.deepEqual(pairsOf(props.granted), added, "recorded ≠ catalog");
                assert.deepEqual(pairsOf(props.preexisting), preexisting);
            } else if (error instanceof PartialStateError) {
                id = error.id;
                props = error.properties;
                const recorded = pairsOf(props.granted);
                const unrecorded = added.filter((p) => !recorded.includes(p));
                assert.deepEqual(unrecorded, [], "grants held but not recorded");
                if (added.length > 0) assert.deepEqual(recorded, added, "recorded ≠ catalog");
                assert.deepEqual(pairsOf(props.preexisting), preexisting);
            } else {
                assert.deepEqual(
                    added,
                    [],
                    `nothing may be granted without a PartialStateError: ${String(error)}`,
                );
            }

            // Rerun as the engine would: update from the recorded state, or create again.
            const outs = props
                ? (await grants.update(id!, props, inputs())).outs
                : (await grants.create(inputs())).outs;
            const want = tables.flatMap((t) =>
                ["SELECT", "INSERT", "UPDATE", "DELETE"].map((p) => `${t}:${p}`),
            );
            assert.deepEqual(await catalogPairs(), [...want].sort(), "converged");
            const deleteId = props ? id! : "grants-rerun";
            await grants.delete(deleteId, outs);
            assert.deepEqual(
                await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, grantee, "%"),
                before,
            );
        });
    }

    it("a PartialStateError records exactly what the catalog shows, also when nothing got through", async () => {
        proxy.armCut(cuts[0]![1]);
        const error = await grants.create(inputs()).then(
            () => undefined,
            (err: unknown) => err,
        );
        proxy.resetCounters();
        const preexisting = ["t0:SELECT"];
        const added = (await settledCatalog()).filter((p) => !preexisting.includes(p));
        assert.ok(error instanceof PartialStateError, String(error));
        try {
            assert.deepEqual(pairsOf(error.properties.granted), added);
        } finally {
            await grants.delete(error.id, error.properties);
        }
    });
});

describe("Changefeed: connection cut during create", () => {
    let cockroach: Cockroach;
    let certs: TestCertificates;
    let receiver: WebhookReceiver;
    let proxy: TcpProxy;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        certs = await createTestCertificates();
        cockroach = await startCockroach();
        receiver = await startWebhookReceiver(certs.server, certs.ca.certPem);
        await cockroach.sql("CREATE TABLE t1 (id INT PRIMARY KEY, v TEXT)");
        proxy = await startTcpProxy({ targetPort: cockroach.server.port });
    });

    after(async () => {
        await proxy?.close();
        await receiver?.close();
        await cockroach?.stop();
    });

    const inputs = (): ChangefeedInputs => ({
        connection: proxy.urlFor(cockroach.server.url),
        tables: ["t1"],
        webhookUrl: `https://127.0.0.1:${receiver.port}/defaultdb/public`,
        caCertPem: certs.ca.certPem,
        clientCertPem: certs.client.certPem,
        clientKeyPem: certs.client.keyPem,
        waitForRunningSeconds: 10,
    });

    const activeJobs = () =>
        cockroach.server
            .jobs()
            .filter((j) => ["running", "paused", "pending", "pause-requested"].includes(j.status));

    /** Cancels whatever a failed scenario left behind, so the next one starts clean. */
    async function cancelLeftovers(): Promise<void> {
        for (const job of activeJobs()) await cockroach.sql(`CANCEL JOB ${job.jobId}`);
        await eventually(() => activeJobs().length === 0, "left-over jobs to stop");
    }

    async function createWithCut(rule: CutRule): Promise<Error | undefined> {
        proxy.armCut(rule);
        try {
            const { outs } = await changefeedProvider.create(inputs());
            await changefeedProvider.delete("unexpected", outs);
            return undefined;
        } catch (err) {
            return err as Error;
        } finally {
            assert.equal(proxy.cuts, 1, "the cut happened");
            proxy.resetCounters();
        }
    }

    it("cut inside CREATE CHANGEFEED (the server never gets it whole): clear error, no job", async () => {
        const error = await createWithCut({
            direction: "toServer",
            afterMatch: "CREATE CHANGEFEED",
            thenBytes: 20,
            thenDirection: "toServer",
        });
        assert.ok(error, "create failed");
        assert.match(error.message, /CockroachDB at 127\.0\.0\.1:\d+\/defaultdb/);
        assert.ok(!error.message.includes(certs.client.keyPem), "the client key leaked");
        assert.deepEqual(activeJobs(), [], "a job was left running");
        // The same create then succeeds and delete cancels what it made.
        const { outs } = await changefeedProvider.create(inputs());
        await changefeedProvider.delete("feed", outs);
        await eventually(() => activeJobs().length === 0, "the feed to be cancelled");
    });

    it("cut after CREATE CHANGEFEED committed, before its job id came back: no orphan job", async () => {
        try {
            const error = await createWithCut({
                direction: "toServer",
                afterMatch: "CREATE CHANGEFEED",
                thenMatch: "CREATE CHANGEFEED 1",
            });
            assert.ok(error, "create failed");
            assert.deepEqual(activeJobs(), [], "an orphan job is running");
        } finally {
            await cancelLeftovers();
        }
    });

    it("cut while waiting for the job to run: the job is cancelled, no orphan", async () => {
        try {
            const error = await createWithCut({
                direction: "toServer",
                afterMatch: "SHOW CHANGEFEED JOB ",
            });
            assert.ok(error, "create failed");
            assert.deepEqual(activeJobs(), [], "an orphan job is running");
        } finally {
            await cancelLeftovers();
        }
    });
});
