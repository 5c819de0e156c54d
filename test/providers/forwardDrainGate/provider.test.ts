/**
 * The ForwardDrainGate provider against real HTTP endpoints: the replicator stand-in's metrics
 * server (test/support/replicator, its `/_/varz` on a plain-HTTP port as `--metricsAddr` serves
 * it) playing the FORWARD replicator, a tiny local server for the endpoint going away, and a
 * port nobody listens on. Quiet periods are short (0.5–1 s) so the suite stays fast.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it, mock } from "node:test";

import { Client } from "pg";

import { SYSTEM_CLOCK } from "../../../src/providers/forwardDrainGate/gate";
import { createGate } from "../../../src/providers/forwardDrainGate/apply/create";
import { provider } from "../../../src/providers/forwardDrainGate/provider";
import { scrapeMetrics } from "../../../src/providers/forwardDrainGate/scrape";
import type { ForwardDrainGateOutputs } from "../../../src/providers/forwardDrainGate/types";
import { type ReplicatorStandIn, startReplicatorStandIn } from "../../support/replicator/index";
import { makeTestCertificates } from "../../support/replicator/testCerts";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";

const FORWARD_SCHEMA = "defaultdb.public";

/** Captures what the provider sends to pulumi.log.warn (console.warn outside an engine). */
function captureWarnings(): { messages: string[]; restore: () => void } {
    const messages: string[] = [];
    const spy = mock.method(console, "warn", (...args: unknown[]) => {
        messages.push(args.map(String).join(" "));
    });
    const info = mock.method(console, "log", () => undefined);
    return {
        messages,
        restore: () => {
            spy.mock.restore();
            info.mock.restore();
        },
    };
}

/** A port that was just free: connecting to it is refused. */
async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Calls `step` every `ms` until the returned stop function is called. */
function every(ms: number, step: (tick: number) => void): () => void {
    let tick = 0;
    const timer = setInterval(() => step(++tick), ms);
    return () => clearInterval(timer);
}

describe("ForwardDrainGate provider with the replicator stand-in as the forward replicator", () => {
    const stagingSchema = uniqueName("fwd_drain_stg");
    let standIn: ReplicatorStandIn;
    let metricsUrl: string;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        const certs = makeTestCertificates();
        standIn = await startReplicatorStandIn({
            targetConnection: POSTGRES_ADMIN_URL,
            stagingConnection: POSTGRES_ADMIN_URL,
            stagingSchema: `postgres.${stagingSchema}`,
            stagingCreateSchema: true,
            tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
            disableAuthentication: true,
        });
        metricsUrl = `${standIn.metricsUrl}/_/varz`;
    });

    after(async () => {
        await standIn?.stop();
        const admin = new Client({
            connectionString: POSTGRES_ADMIN_URL,
            connectionTimeoutMillis: 10_000,
        });
        await admin.connect();
        try {
            await admin.query(`DROP SCHEMA IF EXISTS "${stagingSchema}" CASCADE`);
        } finally {
            await admin.end();
        }
    });

    it("passes after the counters stop moving for the quiet period, and warns it still runs", async () => {
        const capture = captureWarnings();
        let upserts = 100;
        standIn.setCounters(FORWARD_SCHEMA, "orders", { upserts, deletes: 3 });
        const stop = every(50, () =>
            standIn.setCounters(FORWARD_SCHEMA, "orders", { upserts: ++upserts }),
        );
        const stopWriting = setTimeout(stop, 600);
        const started = Date.now();
        try {
            const { id, outs } = await provider.create!({
                metricsUrl,
                quietPeriodSeconds: 0.8,
                timeoutSeconds: 10,
                pollIntervalSeconds: 0.2,
            });
            const elapsed = Date.now() - started;
            assert.match(id, /^forward-drain-/);
            const state = outs as ForwardDrainGateOutputs;
            // It waited for the writes to stop (0.6 s) plus the quiet period.
            assert.ok(elapsed >= 1300, `passed after ${elapsed} ms`);
            assert.ok(elapsed < 5000, `passed after ${elapsed} ms`);
            assert.deepEqual(state.lastCounters, { upserts, deletes: 3 });
            assert.equal(state.acknowledged, false);
            assert.equal(state.endpointAnswering, true);
            assert.equal(state.stateVersion, 1);
            assert.ok(Date.parse(state.drainedAt) - Date.parse(state.quietSince!) >= 800);
            assert.equal(state.warnings.length, 1);
            assert.match(state.warnings[0]!, /forward replicator is still running/);
            assert.ok(
                capture.messages.some((m) => m.includes("forward replicator is still running")),
                "pulumi.log.warn was called",
            );
        } finally {
            clearTimeout(stopWriting);
            stop();
            capture.restore();
        }
    });

    it("times out while the counters keep moving, showing the rates and what to do", async () => {
        const capture = captureWarnings();
        let deletes = 0;
        const stop = every(50, () =>
            standIn.setCounters(FORWARD_SCHEMA, "items", { deletes: (deletes += 10) }),
        );
        try {
            await assert.rejects(
                provider.create!({
                    metricsUrl,
                    quietPeriodSeconds: 0.5,
                    timeoutSeconds: 1.5,
                    pollIntervalSeconds: 0.25,
                }),
                (err: Error) => {
                    assert.match(err.message, /did not drain within 1\.5 s/);
                    assert.match(err.message, /Rows applied per second over the last \d windows/);
                    // ~200 deletes/s: 10 every 50 ms.
                    const rates = [...err.message.matchAll(/deletes (\d+)/g)].map((m) =>
                        Number(m[1]),
                    );
                    assert.ok(rates.length >= 3, err.message);
                    assert.ok(
                        rates.every((r) => r > 20 && r < 400),
                        err.message,
                    );
                    assert.match(err.message, /Moving in the last window: defaultdb\.public/);
                    assert.match(err.message, /stop the writes to the source database/);
                    assert.match(err.message, /set drained: true/);
                    return true;
                },
            );
        } finally {
            stop();
            capture.restore();
        }
    });

    it("watches only the given schema while another keeps moving", async () => {
        const capture = captureWarnings();
        standIn.setCounters("quiet_db.public", "t", { upserts: 5, deletes: 1 });
        let busy = 0;
        const stop = every(50, () =>
            standIn.setCounters("busy_db.public", "t", { upserts: ++busy }),
        );
        try {
            const { outs } = await provider.create!({
                metricsUrl,
                schema: '"QUIET_DB".public',
                quietPeriodSeconds: 0.5,
                timeoutSeconds: 5,
                pollIntervalSeconds: 0.2,
            });
            assert.deepEqual(outs.lastCounters, { upserts: 5, deletes: 1 });
        } finally {
            stop();
            capture.restore();
        }
    });

    it("acknowledged (drained: true): no wait, but a warning that it still runs", async () => {
        const capture = captureWarnings();
        let busy = 1000;
        const stop = every(20, () =>
            standIn.setCounters("busy_db.public", "t", { upserts: ++busy }),
        );
        try {
            const started = Date.now();
            const { outs } = await provider.create!({ metricsUrl, drained: true });
            assert.ok(Date.now() - started < 1000);
            assert.equal(outs.acknowledged, true);
            assert.equal(outs.endpointAnswering, true);
            assert.equal(outs.quietSince, undefined);
            assert.match(outs.warnings[0], /still running/);
        } finally {
            stop();
            capture.restore();
        }
    });

    it("fails at once on a URL that is not the metrics endpoint (/_/healthz, a 404)", async () => {
        await assert.rejects(
            provider.create!({
                metricsUrl: `${standIn.metricsUrl}/_/healthz`,
                quietPeriodSeconds: 1,
            }),
            /_\/healthz: not Prometheus text \(line 1: .*--metricsAddr/,
        );
        await assert.rejects(
            provider.create!({ metricsUrl: `${standIn.metricsUrl}/nope`, quietPeriodSeconds: 1 }),
            /HTTP 404 \(no such path\)/,
        );
    });

    it("a schema typo while the real schema's counters rise fails, naming the schemas that have counters", async () => {
        let upserts = 500;
        const stop = every(50, () =>
            standIn.setCounters(FORWARD_SCHEMA, "orders", { upserts: ++upserts }),
        );
        try {
            const started = Date.now();
            await assert.rejects(
                provider.create!({
                    metricsUrl,
                    schema: "defaultdb.pubic",
                    quietPeriodSeconds: 0.5,
                    timeoutSeconds: 2,
                    pollIntervalSeconds: 0.2,
                }),
                (err: Error) => {
                    assert.match(err.message, /no counters for schema "defaultdb\.pubic"/);
                    assert.match(err.message, /served only for the schemas [^.]*defaultdb\.public/);
                    assert.match(err.message, /Check `schema`/);
                    return true;
                },
            );
            assert.ok(Date.now() - started < 5_000, "bounded by timeoutSeconds");
        } finally {
            stop();
        }
    });

    it("logs progress lines with the counters while it waits", async () => {
        standIn.setCounters("progress_db.public", "t", { upserts: 9, deletes: 2 });
        const lines: string[] = [];
        const { outs } = await createGate(
            {
                metricsUrl,
                schema: "progress_db.public",
                quietPeriodSeconds: 1,
                timeoutSeconds: 5,
                pollIntervalSeconds: 0.1,
            },
            {
                scrape: scrapeMetrics,
                clock: SYSTEM_CLOCK,
                log: { warn: async () => undefined, info: async (m) => void lines.push(m) },
                progressIntervalMs: 200,
            },
        );
        assert.deepEqual(outs.lastCounters, { upserts: 9, deletes: 2 });
        const progress = lines.filter((l) => l.startsWith("waiting for forward replication"));
        assert.ok(progress.length >= 2, lines.join("\n"));
        assert.match(
            progress.at(-1)!,
            /of schema progress_db\.public unchanged for 1 s\) \(\d+s\): apply_upserts_total=9, apply_deletes_total=2, unchanged for 0\.\d s of 1 s$/,
        );
    });

    it("reads the stand-in with a path-less URL (/_/varz appended)", async () => {
        const result = await scrapeMetrics(standIn.metricsUrl, 5000);
        assert.equal(result.ok, true);
    });
});

describe("ForwardDrainGate provider with an endpoint that has nothing to measure", () => {
    let server: Server;
    let body = "";
    let url: string;

    before(async () => {
        server = createServer((_req, res) => {
            res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
            res.end(body);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_/varz`;
    });

    after(async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    for (const [what, served] of [
        ["an empty body", ""],
        [
            "metrics without any apply_* counter",
            '# TYPE http_status_codes_total counter\nhttp_status_codes_total{code="200"} 3\n',
        ],
    ] as const) {
        it(`${what} is an error, never "drained"`, async () => {
            body = served;
            await assert.rejects(
                provider.create!({
                    metricsUrl: url,
                    quietPeriodSeconds: 0.5,
                    timeoutSeconds: 2,
                    pollIntervalSeconds: 0.2,
                }),
                (err: Error) => {
                    assert.match(
                        err.message,
                        /serves no apply_upserts_total\/apply_deletes_total counters at all/,
                    );
                    assert.match(err.message, /set drained: true/);
                    return true;
                },
            );
        });
    }
});

describe("ForwardDrainGate provider with an endpoint that is gone", () => {
    let downUrl: string;

    before(async () => {
        downUrl = `http://127.0.0.1:${await closedPort()}/_/varz`;
    });

    it("an endpoint down from the start is a clear error naming the URL", async () => {
        const started = Date.now();
        await assert.rejects(
            provider.create!({
                metricsUrl: downUrl,
                quietPeriodSeconds: 0.5,
                timeoutSeconds: 1.5,
                pollIntervalSeconds: 0.25,
            }),
            (err: Error) => {
                assert.match(err.message, /never answered in 1\.\d s \(refused: /);
                assert.ok(err.message.includes(downUrl), err.message);
                assert.match(err.message, /Is metricsUrl right/);
                assert.match(err.message, /set drained: true/);
                return true;
            },
        );
        assert.ok(Date.now() - started < 4000);
    });

    it("acknowledged with the endpoint down: passes at once, reports it stopped", async () => {
        const capture = captureWarnings();
        try {
            const { outs } = await provider.create!({ metricsUrl: downUrl, drained: true });
            assert.equal(outs.acknowledged, true);
            assert.equal(outs.endpointAnswering, false);
            assert.deepEqual(outs.warnings, []);
            assert.equal(outs.lastCounters, undefined);
            assert.deepEqual(capture.messages, []);
        } finally {
            capture.restore();
        }
    });

    it("acknowledged without a URL: passes at once", async () => {
        const { outs } = await provider.create!({ drained: true });
        assert.equal(outs.acknowledged, true);
        assert.equal(outs.endpointAnswering, false);
        assert.equal(outs.metricsUrl, undefined);
    });

    it("after the gate passes, an endpoint that went away (refused) is reported as info", async () => {
        const body =
            "# TYPE apply_upserts_total counter\n" +
            'apply_upserts_total{schema="defaultdb.public",table="t"} 1.5e+03\n';
        let served = 0;
        const server: Server = createServer((req, res) => {
            res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
            res.end(body);
            // Quiet 0.5 s with a 0.2 s poll passes on the 4th scrape; then the replicator stops.
            if (++served === 4) {
                server.close();
                server.closeAllConnections();
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        const logged: { level: string; message: string }[] = [];
        try {
            const { outs } = await createGate(
                {
                    metricsUrl: `http://127.0.0.1:${port}`,
                    quietPeriodSeconds: 0.5,
                    timeoutSeconds: 5,
                    pollIntervalSeconds: 0.2,
                },
                {
                    scrape: scrapeMetrics,
                    clock: SYSTEM_CLOCK,
                    log: {
                        warn: async (message) => void logged.push({ level: "warn", message }),
                        info: async (message) => void logged.push({ level: "info", message }),
                    },
                },
            );
            assert.equal(served, 4);
            assert.equal(outs.endpointAnswering, false);
            assert.deepEqual(outs.lastCounters, { upserts: 1500, deletes: 0 });
            assert.deepEqual(outs.warnings, []);
            assert.ok(
                logged.some(
                    (l) =>
                        l.level === "info" &&
                        /no longer answers \(connection refused\)/.test(l.message),
                ),
                JSON.stringify(logged),
            );
            assert.ok(logged.every((l) => l.level === "info"));
        } finally {
            server.close();
        }
    });
});
