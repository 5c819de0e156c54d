/**
 * `delete` after an operator already cleaned up by hand must succeed (delete is idempotent):
 * the changefeed job already cancelled, the grants already revoked, the tables or the whole
 * database already dropped, the settings already reset.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { provider as changefeedProvider } from "../../src/providers/changefeed/provider";
import type { ChangefeedOutputs } from "../../src/providers/changefeed/types";
import { provider as clusterSettingsProvider } from "../../src/providers/clusterSettings/provider";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { createTestCertificates, type TestCertificates } from "../support/cockroach/feed/testCerts";
import {
    startWebhookReceiver,
    type WebhookReceiver,
} from "../support/cockroach/feed/webhookReceiver";
import { snapshotMysqlPrivileges } from "../support/grants/snapshots";
import {
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    requireService,
    uniqueName,
} from "../support/services";
import {
    type Cockroach,
    eventually,
    postgresDatabaseUrl,
    startCockroach,
    withMysql,
    withPg,
} from "./environment";

const grants = makeTargetGrantsProvider({
    sessionOptions: { connectTimeoutMs: 10_000, statementTimeoutMs: 30_000 },
});

describe("delete after a manual cleanup succeeds", () => {
    const pgDatabase = uniqueName("cleanup_pg");
    const pgGrantee = uniqueName("cleanup_r");
    const myDatabase = uniqueName("cleanup_my");
    const myGrantee = uniqueName("cln").slice(0, 32);
    const pgUrl = postgresDatabaseUrl(pgDatabase);
    let cockroach: Cockroach;
    let receiver: WebhookReceiver;
    let certs: TestCertificates;

    const feedInputs = (tables: string[]) => ({
        connection: cockroach.server.url,
        tables,
        webhookUrl: `https://127.0.0.1:${receiver.port}/defaultdb/public`,
        caCertPem: certs.ca.certPem,
        clientCertPem: certs.client.certPem,
        clientKeyPem: certs.client.keyPem,
        waitForRunningSeconds: 10,
    });

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await requireService("MariaDB", MARIADB_ADMIN_URL);
        await withPg(async (c) => {
            await c.query(`CREATE DATABASE ${pgDatabase}`);
            await c.query(`CREATE ROLE ${pgGrantee} LOGIN`);
        });
        await withMysql(async (conn) => {
            await conn.query("CREATE USER ?@'%' IDENTIFIED BY 'x'", [myGrantee]);
        });
        cockroach = await startCockroach();
        certs = await createTestCertificates();
        receiver = await startWebhookReceiver(certs.server, certs.ca.certPem);
    });

    after(async () => {
        await receiver?.close();
        await cockroach?.stop();
        await withPg(async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${pgGrantee}`);
        });
        await withMysql(async (conn) => {
            await conn.query(`DROP DATABASE IF EXISTS \`${myDatabase}\``);
            await conn.query("DROP USER IF EXISTS ?@'%'", [myGrantee]);
        });
    });

    it("Changefeed: job already cancelled by hand", async () => {
        await cockroach.sql("CREATE TABLE t1 (id INT PRIMARY KEY)");
        const { outs } = await changefeedProvider.create(feedInputs(["t1"]));
        const jobId = (outs as ChangefeedOutputs).jobId;
        await cockroach.sql(`CANCEL JOB ${jobId}`);
        await eventually(
            () => cockroach.server.jobs().find((j) => j.jobId === jobId)?.status === "canceled",
            "the job to be cancelled",
        );
        const mark = cockroach.server.statements.length;
        await changefeedProvider.delete("feed", outs);
        assert.ok(
            !cockroach.server.statements.slice(mark).some((s) => /^CANCEL/i.test(s)),
            "delete cancelled an already cancelled job",
        );
        // And again, as a retried destroy would.
        await changefeedProvider.delete("feed", outs);
    });

    it("Changefeed: the job failed (its table was dropped)", async () => {
        await cockroach.sql("CREATE TABLE t2 (id INT PRIMARY KEY)");
        const { outs } = await changefeedProvider.create(feedInputs(["t2"]));
        const jobId = (outs as ChangefeedOutputs).jobId;
        await cockroach.sql("DROP TABLE t2");
        cockroach.server.failJob(jobId, 'table "t2" was dropped');
        await changefeedProvider.delete("feed", outs);
        assert.equal(cockroach.server.jobs().find((j) => j.jobId === jobId)?.status, "failed");
    });

    it("ClusterSettings: settings already reset by hand; delete restores the rest", async () => {
        const { id, outs } = await clusterSettingsProvider.create({
            connection: cockroach.server.url,
            closedTimestampTargetDuration: "1s",
            closedTimestampRefreshInterval: "250ms",
        });
        await cockroach.sql(
            "RESET CLUSTER SETTING kv.closed_timestamp.target_duration",
            "RESET CLUSTER SETTING kv.rangefeed.closed_timestamp_refresh_interval",
        );
        await clusterSettingsProvider.delete(id, outs);
        await clusterSettingsProvider.delete(id, outs);
        const [row] = await cockroach.sql(
            "SHOW CLUSTER SETTING kv.closed_timestamp.target_duration",
        );
        assert.equal(Object.values(row ?? {})[0], "00:00:03");
    });

    it("TargetGrants on PostgreSQL: grants revoked by hand, then tables and schema dropped", async () => {
        await withPg(async (c) => {
            await c.query("CREATE SCHEMA app");
            await c.query("CREATE TABLE app.a (id int PRIMARY KEY)");
            await c.query("CREATE TABLE app.b (id int PRIMARY KEY)");
        }, pgUrl);
        const inputs = { connection: pgUrl, grantee: pgGrantee, schema: "app" };

        const first = await grants.create(inputs);
        await withPg(async (c) => {
            await c.query(`REVOKE ALL ON ALL TABLES IN SCHEMA app FROM ${pgGrantee}`);
            await c.query(`REVOKE USAGE ON SCHEMA app FROM ${pgGrantee}`);
        }, pgUrl);
        await grants.delete(first.id, first.outs);

        const second = await grants.create({ ...inputs, tables: ["a", "b"] });
        await withPg((c) => c.query("DROP TABLE app.a"), pgUrl);
        await grants.delete(second.id, second.outs);

        const third = await grants.create(inputs);
        await withPg((c) => c.query("DROP SCHEMA app CASCADE"), pgUrl);
        await grants.delete(third.id, third.outs);
    });

    it("TargetGrants on MariaDB: grants revoked by hand, a table dropped, then the database", async () => {
        await withMysql(async (conn) => {
            await conn.query(`CREATE DATABASE \`${myDatabase}\``);
            await conn.query(`CREATE TABLE \`${myDatabase}\`.a (id INT PRIMARY KEY)`);
            await conn.query(`CREATE TABLE \`${myDatabase}\`.b (id INT PRIMARY KEY)`);
        });
        const before = await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, myGrantee, "%");
        const inputs = { connection: MARIADB_ADMIN_URL, grantee: myGrantee, schema: myDatabase };

        const first = await grants.create(inputs);
        // The grant is on the escaped pattern (`a\_b`.*); revoke everything the account has.
        await withMysql((conn) =>
            conn.query("REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'", [myGrantee]),
        );
        await grants.delete(first.id, first.outs);

        const second = await grants.create({ ...inputs, tables: ["a", "b"] });
        await withMysql((conn) => conn.query(`DROP TABLE \`${myDatabase}\`.a`));
        await grants.delete(second.id, second.outs);

        const third = await grants.create({ ...inputs, tables: ["b"] });
        await withMysql((conn) => conn.query(`DROP DATABASE \`${myDatabase}\``));
        await grants.delete(third.id, third.outs);
        assert.deepEqual(await snapshotMysqlPrivileges(MARIADB_ADMIN_URL, myGrantee, "%"), before);
    });
});
