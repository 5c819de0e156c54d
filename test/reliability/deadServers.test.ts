/**
 * A server that refuses connections, or accepts them and never answers, must give a clear
 * error (naming the server, never the password) within the configured connect timeout — no
 * hang. TargetGrants takes short timeouts through makeTargetGrantsProvider({ sessionOptions });
 * ClusterSettings and Changefeed have no such seam and use the default 10 s connect timeout.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { provider as changefeedProvider } from "../../src/providers/changefeed/provider";
import { provider as clusterSettingsProvider } from "../../src/providers/clusterSettings/provider";
import { makeTargetGrantsProvider } from "../../src/providers/targetGrants/provider";
import { startTcpProxy, type TcpProxy } from "../support/faults/tcpProxy";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, requireService } from "../support/services";
import { type Cockroach, startCockroach, timed } from "./environment";

/** TargetGrants' configured connect timeout in these tests, and the bound asserted for it. */
const GRANTS_TIMEOUT_MS = 2_000;
const GRANTS_BOUND_MS = 20_000;
/** The CockroachDB providers' fixed connect timeout (10 s) and the bound asserted for it. */
const COCKROACH_BOUND_MS = 30_000;
/** A refused connection must fail fast, not wait out a timeout. */
const REFUSED_BOUND_MS = 5_000;

const PASSWORD = "Dead-Server-Pw-7731";

/** Measured error times, printed at the end for the report. */
const timings: string[] = [];

let cockroach: Cockroach;
const proxies: TcpProxy[] = [];

async function proxyTo(port: number, mode: "refuse" | "stall"): Promise<TcpProxy> {
    const proxy = await startTcpProxy({ targetPort: port, mode });
    proxies.push(proxy);
    return proxy;
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
    await requireService("MariaDB", MARIADB_ADMIN_URL);
    cockroach = await startCockroach({ rangefeeds: false });
});

after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await cockroach?.stop();
    console.log(`dead-server timings:\n${timings.join("\n")}`);
});

function assertClear(error: Error | undefined, server: RegExp, what: string): void {
    assert.ok(error, `${what}: succeeded against a dead server`);
    assert.match(error.message, server, `${what}: the error does not name the server`);
    assert.ok(!error.message.includes(PASSWORD), `${what}: the password leaked`);
}

for (const mode of ["refuse", "stall"] as const) {
    const bound = (configured: number) => (mode === "refuse" ? REFUSED_BOUND_MS : configured);

    describe(`a server that ${mode === "refuse" ? "refuses connections" : "never answers"}`, () => {
        it(`TargetGrants on PostgreSQL and MariaDB fail clearly within ${GRANTS_BOUND_MS / 1000} s`, async () => {
            const grants = makeTargetGrantsProvider({
                sessionOptions: {
                    connectTimeoutMs: GRANTS_TIMEOUT_MS,
                    statementTimeoutMs: GRANTS_TIMEOUT_MS,
                },
            });
            const pg = await proxyTo(Number(new URL(POSTGRES_ADMIN_URL).port), mode);
            const my = await proxyTo(Number(new URL(MARIADB_ADMIN_URL).port), mode);
            const pgUrl = `postgres://admin:${PASSWORD}@127.0.0.1:${pg.port}/postgres`;
            const myUrl = `mysql://admin:${PASSWORD}@127.0.0.1:${my.port}/`;
            const [pgCreate, myCreate, pgDelete] = await Promise.all([
                timed(() => grants.create({ connection: pgUrl, grantee: "r", schema: "public" })),
                timed(() => grants.create({ connection: myUrl, grantee: "r", schema: "app" })),
                timed(() =>
                    grants.delete("grants-x", {
                        connection: pgUrl,
                        dialect: "postgres",
                        grantee: "r",
                        schema: "public",
                        privileges: ["SELECT"],
                        granted: [{ kind: "table", object: "t", privilege: "SELECT" }],
                        preexisting: [],
                        stateVersion: 1,
                    }),
                ),
            ]);
            const pgServer = new RegExp(
                `could not connect to PostgreSQL at postgres://admin:redacted@127\\.0\\.0\\.1:${pg.port}/postgres`,
            );
            assertClear(pgCreate.error, pgServer, "PostgreSQL create");
            assertClear(pgDelete.error, pgServer, "PostgreSQL delete");
            assertClear(
                myCreate.error,
                new RegExp(
                    `could not connect to MySQL/MariaDB at mysql://admin:redacted@127\\.0\\.0\\.1:${my.port}/`,
                ),
                "MariaDB create",
            );
            for (const [what, result] of [
                ["PostgreSQL create", pgCreate],
                ["PostgreSQL delete", pgDelete],
                ["MariaDB create", myCreate],
            ] as const) {
                timings.push(
                    `  ${mode} ${what}: ${Math.round(result.ms)} ms (connect timeout ${GRANTS_TIMEOUT_MS} ms)`,
                );
                assert.ok(
                    result.ms < bound(GRANTS_BOUND_MS),
                    `${what} took ${result.ms} ms against a ${mode}d connection`,
                );
            }
            assert.ok(pg.connections >= 1 && my.connections >= 1, "the proxies were reached");
        });

        it(`ClusterSettings and Changefeed fail clearly within ${COCKROACH_BOUND_MS / 1000} s; nothing reaches the server`, async () => {
            const proxy = await proxyTo(cockroach.server.port, mode);
            const url = `postgresql://root:${PASSWORD}@127.0.0.1:${proxy.port}/defaultdb?sslmode=disable`;
            const [settings, feed] = await Promise.all([
                timed(() =>
                    clusterSettingsProvider.create({
                        connection: url,
                        closedTimestampTargetDuration: "1s",
                    }),
                ),
                timed(() =>
                    changefeedProvider.create({
                        connection: url,
                        tables: ["t1"],
                        webhookUrl: "https://127.0.0.1:30004/defaultdb/public",
                        caCertPem: "unused: the connection fails first",
                        waitForRunningSeconds: 5,
                    }),
                ),
            ]);
            const server = new RegExp(
                `cannot connect to CockroachDB at 127\\.0\\.0\\.1:${proxy.port}/defaultdb`,
            );
            assertClear(settings.error, server, "ClusterSettings create");
            assertClear(feed.error, server, "Changefeed create");
            for (const [what, result] of [
                ["ClusterSettings create", settings],
                ["Changefeed create", feed],
            ] as const) {
                timings.push(
                    `  ${mode} ${what}: ${Math.round(result.ms)} ms (connect timeout 10000 ms, fixed)`,
                );
                assert.ok(
                    result.ms < bound(COCKROACH_BOUND_MS),
                    `${what} took ${result.ms} ms against a ${mode}d connection`,
                );
            }
            assert.ok(proxy.connections >= 2, "the proxy was reached");
            assert.deepEqual(cockroach.server.statements, [], "no statement reached CockroachDB");
        });
    });
}
