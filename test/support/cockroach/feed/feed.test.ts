import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import { Pool } from "pg";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../services";
import { HybridClock, type Hlc, compareHlc, formatDecimal, parseDecimal } from "../hlc";
import {
    type FeedSpec,
    type RunningFeed,
    encodeCertParam,
    installChangeCapture,
    startFeed,
} from "./index";
import { type TestCertificates, createTestCa, createTestCertificates } from "./testCerts";
import { type WebhookReceiver, acceptedBodies, startWebhookReceiver } from "./webhookReceiver";

interface Row {
    after: Record<string, unknown> | null;
    before?: Record<string, unknown> | null;
    key: unknown[];
    topic: string;
    updated?: string;
    mvcc_timestamp?: string;
}
type Body = { payload: Row[]; length: number } | { resolved: string };

/** Everything a feed reported, in one ordered log shared with the receiver. */
interface Recorder {
    log: Array<{ kind: "checkpoint" | "status" | "failed" | "received"; value: string }>;
    checkpoints: Hlc[];
    statuses: string[];
    failures: string[];
}

function recorder(): Recorder {
    const r: Recorder = { log: [], checkpoints: [], statuses: [], failures: [] };
    return r;
}

function eventsFor(r: Recorder) {
    return {
        checkpoint(highWater: Hlc) {
            r.checkpoints.push(highWater);
            r.log.push({ kind: "checkpoint" as const, value: formatDecimal(highWater) });
        },
        runningStatus(text: string) {
            r.statuses.push(text);
            r.log.push({ kind: "status" as const, value: text });
        },
        failed(error: string) {
            r.failures.push(error);
            r.log.push({ kind: "failed" as const, value: error });
        },
    };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

function rowsOf(bodies: unknown[]): Row[] {
    return (bodies as Body[]).flatMap((b) => ("payload" in b ? b.payload : []));
}

function resolvedOf(bodies: unknown[]): Hlc[] {
    return (bodies as Body[]).flatMap((b) => ("resolved" in b ? [parseDecimal(b.resolved)] : []));
}

async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

describe("changefeed delivery engine (real PostgreSQL, local HTTPS receiver)", () => {
    const database = uniqueName("crdb_feed");
    let admin: Pool;
    let db: Pool;
    let dbUrl: string;
    let certs: TestCertificates;
    const clock = new HybridClock();
    const feeds: RunningFeed[] = [];
    const receivers: WebhookReceiver[] = [];

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        certs = await createTestCertificates();
        admin = new Pool({ connectionString: POSTGRES_ADMIN_URL, max: 1 });
        await admin.query(`CREATE DATABASE ${database}`);
        const url = new URL(POSTGRES_ADMIN_URL);
        url.pathname = `/${database}`;
        dbUrl = url.toString();
        db = new Pool({ connectionString: dbUrl, max: 2 });
        await installChangeCapture(dbUrl);
    });

    afterEach(async () => {
        await Promise.all(feeds.splice(0).map((f) => f.stop()));
        await Promise.all(receivers.splice(0).map((r) => r.close()));
    });

    after(async () => {
        await db?.end();
        // Pool.end() does not wait for the sockets to close; let the backends go first.
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
            const left = await admin.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1",
                [database],
            );
            if (left.rows[0]?.n === 0) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin?.end();
    });

    async function receiver(server = certs.server): Promise<WebhookReceiver> {
        const r = await startWebhookReceiver(server, certs.ca.certPem);
        receivers.push(r);
        return r;
    }

    function verifiedSink(port: number, path = "/defaultdb/public", extra = ""): string {
        return (
            `webhook-https://127.0.0.1:${port}${path}?ca_cert=${encodeCertParam(certs.ca.certPem)}` +
            `&client_cert=${encodeCertParam(certs.client.certPem)}` +
            `&client_key=${encodeCertParam(certs.client.keyPem)}${extra}`
        );
    }

    async function feed(
        table: string,
        sinkUri: string,
        options: Record<string, string | null>,
        r: Recorder,
        extra: Partial<FeedSpec> = {},
    ): Promise<RunningFeed> {
        const running = await startFeed(
            {
                jobId: "1",
                tables: [{ database: "defaultdb", schema: "public", table }],
                sinkUri,
                options,
                startAfter: clock.now(),
                ...extra,
            },
            dbUrl,
            clock,
            eventsFor(r),
        );
        feeds.push(running);
        return running;
    }

    it("delivers inserts, updates and deletes after the cursor, with CockroachDB's shapes", async () => {
        await db.query(
            "CREATE TABLE items (id int8 PRIMARY KEY, name text, amount numeric(12,2), at timestamptz, big int8, ok boolean)",
        );
        await db.query(
            "INSERT INTO items VALUES (1, 'one', 1.00, '2024-01-02T03:04:05Z', 1, true)",
        );
        const cursor = clock.now();
        await db.query(
            "INSERT INTO items VALUES (2, 'two', 12.50, '2024-01-02T03:04:05.123456+02:00', 9007199254740993, false)",
        );
        await db.query("UPDATE items SET name = 'deux' WHERE id = 2");
        await db.query("DELETE FROM items WHERE id = 1");

        const r = recorder();
        const sink = await receiver();
        sink.respond = (req) => {
            r.log.push({ kind: "received", value: req.body });
            return { status: 200, body: "OK" };
        };
        // Base64 of plain PEM text never contains '+' or '/' (all bytes are ASCII letters,
        // digits, '+', '/', '=', '-' and newlines); text before the BEGIN line (as `openssl x509
        // -subject` prints it) with '>' and '?' makes both appear.
        const caPem = `subject=CN = test CA >>>???\n${certs.ca.certPem}`;
        const caParam = encodeCertParam(caPem);
        assert.match(caParam, /%2B/, "the CA's base64 contains '+'");
        assert.match(caParam, /%2F/, "the CA's base64 contains '/'");
        await feed(
            "items",
            `webhook-https://127.0.0.1:${sink.port}/defaultdb/public?ca_cert=${caParam}` +
                `&client_cert=${encodeCertParam(certs.client.certPem)}` +
                `&client_key=${encodeCertParam(certs.client.keyPem)}&access_token=a%2Bb`,
            {
                updated: null,
                diff: null,
                resolved: "100ms",
                min_checkpoint_frequency: "100ms",
                webhook_auth_header: "Bearer token-123",
            },
            r,
            { startAfter: cursor },
        );

        await waitFor("three rows and a resolved timestamp past them", () => {
            const bodies = acceptedBodies(sink);
            const rows = rowsOf(bodies);
            if (rows.length < 3) return false;
            const last = rows.map((row) => parseDecimal(row.updated ?? "0"));
            return resolvedOf(bodies).some((res) => last.every((u) => compareHlc(res, u) >= 0));
        });

        const bodies = acceptedBodies(sink);
        const rows = rowsOf(bodies);
        assert.deepEqual(
            rows.map((row) => [row.key, row.after === null ? "delete" : row.after.name]),
            [
                [[2], "two"],
                [[2], "deux"],
                [[1], "delete"],
            ],
            "only the changes after the cursor, in order",
        );
        for (const row of rows) {
            assert.deepEqual(Object.keys(row), ["after", "before", "key", "topic", "updated"]);
            assert.equal(row.topic, "items");
            assert.ok(compareHlc(parseDecimal(row.updated!), cursor) > 0, "updated > cursor");
        }
        const [insert, update, del] = rows as [Row, Row, Row];
        assert.equal(insert.before, null);
        assert.deepEqual(insert.after, {
            id: 2,
            name: "two",
            amount: 12.5,
            at: "2024-01-02T01:04:05.123456Z",
            big: 9007199254740992, // JSON.parse rounds; the raw text is checked below
            ok: false,
        });
        assert.deepEqual(update.before, insert.after);
        assert.equal(del.after, null);
        assert.equal(del.before?.name, "one");
        assert.equal(del.before?.at, "2024-01-02T03:04:05Z");
        assert.ok(compareHlc(parseDecimal(update.updated!), parseDecimal(insert.updated!)) > 0);

        const rowRequests = sink.requests.filter((q) => q.body.includes('"payload"'));
        assert.match(rowRequests[0]!.body, /"amount":12\.50/, "DECIMAL keeps its digits");
        assert.match(rowRequests[0]!.body, /"big":9007199254740993/, "INT8 keeps its digits");
        assert.deepEqual(
            (bodies as Body[]).flatMap((b) => ("payload" in b ? [b.length] : [])),
            [1, 1, 1],
            "no Flush config: one message per request",
        );

        for (const request of sink.requests) {
            assert.equal(request.path, "/defaultdb/public?access_token=a%2Bb");
            assert.equal(request.headers.authorization, "Bearer token-123");
            assert.equal(request.headers["content-type"], "application/json");
            assert.equal(request.clientAuthorized, true, "client certificate verified");
            assert.equal(request.clientCommonName, "client");
        }

        const resolved = resolvedOf(bodies);
        for (let i = 1; i < resolved.length; i++) {
            assert.ok(compareHlc(resolved[i]!, resolved[i - 1]!) > 0, "resolved increases");
        }
        for (const res of resolved) {
            const text = formatDecimal(res);
            const checkpointAt = r.log.findIndex(
                (e) => e.kind === "checkpoint" && e.value === text,
            );
            const receivedAt = r.log.findIndex(
                (e) => e.kind === "received" && e.value === `{"resolved":"${text}"}`,
            );
            assert.ok(checkpointAt >= 0 && checkpointAt < receivedAt, "checkpoint before resolved");
        }
        // No row may arrive at or below a resolved timestamp received before it.
        let highestResolved: Hlc = { wallNanos: 0n, logical: 0 };
        for (const body of bodies as Body[]) {
            if ("resolved" in body) {
                highestResolved = parseDecimal(body.resolved);
                continue;
            }
            for (const row of body.payload) {
                assert.ok(compareHlc(parseDecimal(row.updated!), highestResolved) > 0);
            }
        }
        assert.match(r.statuses.at(-1) ?? "", /^running: resolved=\d+\.\d{9},\d+$/);
        assert.deepEqual(r.failures, []);
    });

    it("honours mvcc_timestamp, full_table_name, no `updated`, and insecure_tls_skip_verify", async () => {
        await db.query("CREATE TABLE plain (a int, b text, PRIMARY KEY (b, a))");
        const r = recorder();
        const sink = await receiver();
        await feed(
            "plain",
            `webhook-https://127.0.0.1:${sink.port}/db/public?insecure_tls_skip_verify=true`,
            { mvcc_timestamp: null, full_table_name: null },
            r,
        );
        await db.query("INSERT INTO plain VALUES (7, 'x')");
        await waitFor("one row", () => rowsOf(acceptedBodies(sink)).length === 1);
        const [row] = rowsOf(acceptedBodies(sink)) as [Row];
        assert.deepEqual(Object.keys(row), ["after", "key", "mvcc_timestamp", "topic"]);
        assert.equal(row.topic, "defaultdb.public.plain");
        assert.deepEqual(row.key, ["x", 7], "key in primary-key column order");
        assert.match(row.mvcc_timestamp!, /^\d+\.\d{10}$/);
        assert.equal(sink.requests[0]!.clientAuthorized, false, "no client certificate given");
    });

    it("scans initialScanTables as of startAfter, then streams later changes", async () => {
        await db.query("CREATE TABLE scanned (id int PRIMARY KEY, v text)");
        await db.query("INSERT INTO scanned VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        const at = clock.now();
        await db.query("UPDATE scanned SET v = 'B' WHERE id = 2");
        await db.query("DELETE FROM scanned WHERE id = 3");
        await db.query("INSERT INTO scanned VALUES (4, 'd')");
        const r = recorder();
        const sink = await receiver();
        await feed("scanned", verifiedSink(sink.port), { updated: null }, r, {
            startAfter: at,
            initialScanTables: ["public.scanned"],
        });
        await waitFor("six rows", () => rowsOf(acceptedBodies(sink)).length >= 6);
        const rows = rowsOf(acceptedBodies(sink));
        const scan = rows.filter((row) => row.updated === formatDecimal(at));
        assert.deepEqual(
            scan.map((row) => row.after).sort((x, y) => Number(x?.id) - Number(y?.id)),
            [
                { id: 1, v: "a" },
                { id: 2, v: "b" },
                { id: 3, v: "c" },
            ],
            "the rows as of startAfter",
        );
        const streamed = rows.filter((row) => row.updated !== formatDecimal(at));
        assert.deepEqual(
            streamed.map((row) => [row.key, row.after]),
            [
                [[2], { id: 2, v: "B" }],
                [[3], null],
                [[4], { id: 4, v: "d" }],
            ],
        );
        assert.equal(rows.length, 6);
    });

    it("fails verification for a CA that did not sign the server certificate", async () => {
        await db.query("CREATE TABLE wrongca (id int PRIMARY KEY)");
        const otherCa = await createTestCa("some other CA");
        const r = recorder();
        const sink = await receiver();
        await feed(
            "wrongca",
            `webhook-https://127.0.0.1:${sink.port}/x?ca_cert=${encodeCertParam(otherCa.certPem)}`,
            {
                resolved: "50ms",
                min_checkpoint_frequency: "50ms",
                webhook_sink_config: '{"Retry":{"Max":1,"Backoff":"10ms"}}',
            },
            r,
        );
        await db.query("INSERT INTO wrongca VALUES (1)");
        await waitFor("a transient TLS error", () =>
            r.statuses.some((s) => s.startsWith("transient")),
        );
        assert.equal(
            r.statuses.find((s) => s.startsWith("transient")),
            `transient error: Post "https://127.0.0.1:${sink.port}/x": tls: failed to verify ` +
                "certificate: x509: certificate signed by unknown authority",
        );
        assert.equal(sink.requests.length, 0, "nothing delivered");
    });

    it("fails verification for a host name the certificate does not name", async () => {
        await db.query("CREATE TABLE wronghost (id int PRIMARY KEY)");
        const elsewhere = await certs.ca.issue({
            commonName: "127.0.0.1",
            dnsNames: ["elsewhere.example"],
            ipAddresses: ["127.0.0.2"],
        });
        const r = recorder();
        const sink = await receiver(elsewhere);
        await feed(
            "wronghost",
            verifiedSink(sink.port),
            {
                resolved: "50ms",
                min_checkpoint_frequency: "50ms",
                webhook_sink_config: '{"Retry":{"Max":1,"Backoff":"10ms"}}',
            },
            r,
        );
        await waitFor("a transient TLS error", () =>
            r.statuses.some((s) => s.startsWith("transient")),
        );
        assert.equal(
            r.statuses.find((s) => s.startsWith("transient")),
            `transient error: Post "https://127.0.0.1:${sink.port}/defaultdb/public": tls: failed ` +
                "to verify certificate: x509: certificate is valid for 127.0.0.2, not 127.0.0.1",
        );
        assert.equal(sink.requests.length, 0, "nothing delivered");
    });

    it("reports a refused connection in Go's words", async () => {
        await db.query("CREATE TABLE refused (id int PRIMARY KEY)");
        const port = await freePort();
        const r = recorder();
        await feed(
            "refused",
            `webhook-https://127.0.0.1:${port}/p/q?insecure_tls_skip_verify=true`,
            {
                resolved: "50ms",
                min_checkpoint_frequency: "50ms",
                webhook_sink_config: '{"Retry":{"Max":1,"Backoff":"10ms"}}',
            },
            r,
        );
        await waitFor("a transient error", () => r.statuses.some((s) => s.startsWith("transient")));
        assert.equal(
            r.statuses.find((s) => s.startsWith("transient")),
            `transient error: Post "https://127.0.0.1:${port}/p/q": dial tcp 127.0.0.1:${port}: ` +
                "connect: connection refused",
        );
    });

    it("retries 400 answers, reports them, and delivers every row once the sink recovers", async () => {
        await db.query("CREATE TABLE retried (id int PRIMARY KEY)");
        const r = recorder();
        const sink = await receiver();
        let rejecting = true;
        sink.respond = () =>
            rejecting ? { status: 400, body: "unknown schema: " } : { status: 200, body: "OK" };
        await feed(
            "retried",
            verifiedSink(sink.port),
            {
                updated: null,
                resolved: "50ms",
                min_checkpoint_frequency: "50ms",
                webhook_sink_config: '{"Retry":{"Max":2,"Backoff":"10ms"}}',
            },
            r,
        );
        for (let id = 1; id <= 5; id++) await db.query("INSERT INTO retried VALUES ($1)", [id]);
        // A resolved message can be the first rejected request under load, so the
        // status alone does not mean the row batch has used up its retries yet.
        const rowAttempts = () => sink.requests.filter((q) => q.body.includes('"payload"')).length;
        await waitFor("the first row batch tried 1 + Retry.Max times", () => rowAttempts() >= 3);
        await waitFor("the 400 status", () =>
            r.statuses.includes("transient error: 400 Bad Request: unknown schema: "),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const checkpointsWhileRejecting = [...r.checkpoints];
        rejecting = false;
        await waitFor("all five rows", () => {
            const ids = new Set(rowsOf(acceptedBodies(sink)).map((row) => row.key[0]));
            return [1, 2, 3, 4, 5].every((id) => ids.has(id));
        });
        const rows = rowsOf(acceptedBodies(sink));
        const firstRow = rows.reduce<Hlc | undefined>((low, row) => {
            const u = parseDecimal(row.updated!);
            return !low || compareHlc(u, low) < 0 ? u : low;
        }, undefined)!;
        for (const checkpoint of checkpointsWhileRejecting) {
            assert.ok(
                compareHlc(checkpoint, firstRow) < 0,
                "high-water never passed a rejected row",
            );
        }
        await waitFor("running again", () => /^running: resolved=/.test(r.statuses.at(-1) ?? ""));
    });

    it("advances the high-water of an idle feed while the sink rejects every request", async () => {
        await db.query("CREATE TABLE idle (id int PRIMARY KEY)");
        const r = recorder();
        const sink = await receiver();
        sink.respond = () => ({ status: 400, body: "nope" });
        await feed(
            "idle",
            verifiedSink(sink.port),
            {
                resolved: "50ms",
                min_checkpoint_frequency: "50ms",
                webhook_sink_config: '{"Retry":{"Max":1,"Backoff":"10ms"}}',
            },
            r,
        );
        await waitFor("three checkpoints", () => r.checkpoints.length >= 3);
        for (let i = 1; i < r.checkpoints.length; i++) {
            assert.ok(compareHlc(r.checkpoints[i]!, r.checkpoints[i - 1]!) > 0);
        }
        assert.equal(acceptedBodies(sink).length, 0, "the sink accepted nothing");
        assert.ok(sink.requests.every((q) => q.body.startsWith('{"resolved":')));
        assert.ok(r.statuses.includes("transient error: 400 Bad Request: nope"));
    });

    it("batches by Flush.Messages and flushes the rest after Flush.Frequency", async () => {
        await db.query("CREATE TABLE batched (id int PRIMARY KEY)");
        const r = recorder();
        const sink = await receiver();
        await feed(
            "batched",
            verifiedSink(sink.port),
            {
                webhook_sink_config: '{"Flush":{"Messages":3,"Frequency":"1s"}}',
            },
            r,
        );
        await db.query("INSERT INTO batched SELECT generate_series(1, 7)");
        await waitFor("seven rows", () => rowsOf(acceptedBodies(sink)).length === 7);
        const lengths = (acceptedBodies(sink) as Body[]).map((b) => ("length" in b ? b.length : 0));
        assert.deepEqual(lengths, [3, 3, 1]);
        const [, second, third] = sink.requests;
        assert.ok(third!.at - second!.at >= 800, "the partial batch waited for Frequency");
    });

    it("sends one batch per Flush.Frequency window", async () => {
        await db.query("CREATE TABLE windowed (id int PRIMARY KEY)");
        const r = recorder();
        const sink = await receiver();
        await feed(
            "windowed",
            verifiedSink(sink.port),
            {
                webhook_sink_config: '{"Flush":{"Frequency":"1s"}}',
            },
            r,
        );
        await db.query("INSERT INTO windowed VALUES (1)");
        await new Promise((resolve) => setTimeout(resolve, 150));
        await db.query("INSERT INTO windowed VALUES (2)");
        await waitFor("two rows", () => rowsOf(acceptedBodies(sink)).length === 2);
        assert.deepEqual(
            (acceptedBodies(sink) as Body[]).map((b) => ("length" in b ? b.length : 0)),
            [2],
        );
    });

    it("stamps each commit between the cursors taken just before and just after it", async () => {
        await db.query("CREATE TABLE ordered (id int PRIMARY KEY)");
        const cursors: Hlc[] = [clock.now()];
        for (let id = 1; id <= 30; id++) {
            await db.query("INSERT INTO ordered VALUES ($1)", [id]);
            cursors.push(clock.now());
        }
        const r = recorder();
        const sink = await receiver();
        await feed("ordered", verifiedSink(sink.port), { updated: null }, r, {
            startAfter: cursors[0]!,
        });
        await waitFor("thirty rows", () => rowsOf(acceptedBodies(sink)).length === 30);
        for (const row of rowsOf(acceptedBodies(sink))) {
            const id = row.key[0] as number;
            const updated = parseDecimal(row.updated!);
            assert.ok(compareHlc(updated, cursors[id - 1]!) > 0, `row ${id} after its cursor`);
            assert.ok(compareHlc(updated, cursors[id]!) < 0, `row ${id} before the next cursor`);
        }
    });

    it("resumes from the high-water with the changes made while stopped, beside another feed", async () => {
        await db.query("CREATE TABLE resumed (id int PRIMARY KEY)");
        const r = recorder();
        const sink = await receiver();
        const options = { updated: null, resolved: "50ms", min_checkpoint_frequency: "50ms" };
        const other = recorder();
        const otherSink = await receiver();
        await feed("resumed", verifiedSink(otherSink.port), options, other);
        const first = await feed("resumed", verifiedSink(sink.port), options, r);
        await db.query("INSERT INTO resumed VALUES (1)");
        await waitFor("row 1 and a checkpoint past it", () => {
            const rows = rowsOf(acceptedBodies(sink));
            const row = rows[0];
            const last = r.checkpoints.at(-1);
            return !!row && !!last && compareHlc(last, parseDecimal(row.updated!)) >= 0;
        });
        await first.stop();
        const highWater = r.checkpoints.at(-1)!;
        await db.query("INSERT INTO resumed VALUES (2)");
        await db.query("INSERT INTO resumed VALUES (3)");
        await feed("resumed", verifiedSink(sink.port), options, r, { startAfter: highWater });
        await waitFor("rows 2 and 3", () => rowsOf(acceptedBodies(sink)).length >= 3);
        assert.deepEqual(
            rowsOf(acceptedBodies(sink)).map((row) => row.key[0]),
            [1, 2, 3],
            "nothing lost, nothing before the high-water repeated",
        );
        await waitFor("the other feed's rows", () => rowsOf(acceptedBodies(otherSink)).length >= 3);
        assert.deepEqual(
            rowsOf(acceptedBodies(otherSink)).map((row) => row.key[0]),
            [1, 2, 3],
        );
    });

    it("times out after webhook_client_timeout", async () => {
        await db.query("CREATE TABLE slow (id int PRIMARY KEY)");
        const r = recorder();
        const sink = await receiver();
        sink.respond = () => "hang";
        await feed(
            "slow",
            verifiedSink(sink.port, "/s"),
            {
                webhook_client_timeout: "200ms",
                webhook_sink_config: '{"Retry":{"Max":1,"Backoff":"10ms"}}',
            },
            r,
        );
        await db.query("INSERT INTO slow VALUES (1)");
        await waitFor("a transient error", () => r.statuses.some((s) => s.startsWith("transient")));
        assert.equal(
            r.statuses.find((s) => s.startsWith("transient")),
            `transient error: Post "https://127.0.0.1:${sink.port}/s": context deadline exceeded ` +
                "(Client.Timeout exceeded while awaiting headers)",
        );
    });

    it("stops promptly while a request hangs, and stop() is idempotent", async () => {
        await db.query("CREATE TABLE hanging (id int PRIMARY KEY)");
        const r = recorder();
        const sink = await receiver();
        let asked = 0;
        sink.respond = () => {
            asked++;
            return "hang";
        };
        const running = await feed(
            "hanging",
            verifiedSink(sink.port),
            {
                webhook_client_timeout: "10s",
            },
            r,
        );
        await db.query("INSERT INTO hanging VALUES (1)");
        await waitFor("the request", () => asked === 1);
        const started = performance.now();
        await running.stop();
        assert.ok(performance.now() - started < 1000, "stop() did not wait for the request");
        await running.stop();
    });
});
