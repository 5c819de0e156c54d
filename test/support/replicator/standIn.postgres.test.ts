/**
 * The replicator stand-in against a REAL PostgreSQL: staging in its own database, target
 * database with a grantee user that holds SELECT/INSERT/UPDATE/DELETE.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../services";
import { ReplicatorStandIn, startReplicatorStandIn } from "./index";
import { makeTestCertificates, TestCertificates } from "./testCerts";
import { send, waitUntil } from "./testClient";
import { newEcKeyPair, replicatorClaims, signEs256, signHs256, unsignedToken } from "./testTokens";

const adminUrl = (db: string) => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${db}`;
    return url.toString();
};

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
        return await work(client);
    } finally {
        await client.end();
    }
}

describe("replicator stand-in with a PostgreSQL target", () => {
    const stagingDb = uniqueName("repl_stg");
    const targetDb = uniqueName("repl_tgt");
    const grantee = uniqueName("repl_user");
    const keys = newEcKeyPair();
    const otherKeys = newEcKeyPair();
    let certs: TestCertificates;
    let standIn: ReplicatorStandIn;
    let token: string;
    const group = targetDb.toLowerCase() + ".public";

    /** `bearer: null` sends no Authorization header. */
    const post = (path: string, body: string, bearer: string | null = token) =>
        send(`${standIn.url}${path}`, { body, token: bearer ?? undefined, ca: certs.caPem });
    const rows = (items: object[]) => JSON.stringify({ payload: items, length: items.length });
    const ts = (n: number, logical = 0) =>
        `${1_700_000_000_000_000_000n + BigInt(n)}.${String(logical).padStart(10, "0")}`;
    const targetQuery = (sql: string) =>
        withClient(adminUrl(targetDb), (c) => c.query(sql).then((r) => r.rows));
    const stagingQuery = (sql: string, params: unknown[] = []) =>
        withClient(adminUrl(stagingDb), (c) => c.query(sql, params).then((r) => r.rows));

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        certs = makeTestCertificates();
        await withClient(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${stagingDb}`);
            await c.query(`CREATE DATABASE ${targetDb}`);
            await c.query(`CREATE ROLE ${grantee} LOGIN`);
        });
        await withClient(adminUrl(targetDb), async (c) => {
            await c.query(
                `CREATE TABLE public.items (id INT8 PRIMARY KEY, name TEXT, qty INT4, tags TEXT[], doc JSONB)`,
            );
            await c.query(`CREATE TABLE public.pairs (a INT4, b TEXT, v TEXT, PRIMARY KEY (a, b))`);
            await c.query(`CREATE TABLE public.hidden (id INT4 PRIMARY KEY)`);
            await c.query(`GRANT USAGE ON SCHEMA public TO ${grantee}`);
            await c.query(
                `GRANT SELECT, INSERT, UPDATE, DELETE ON public.items, public.pairs TO ${grantee}`,
            );
            await c.query(`CREATE SCHEMA restricted`);
            await c.query(`CREATE TABLE restricted.limited (id INT4 PRIMARY KEY, v TEXT)`);
            await c.query(`GRANT USAGE ON SCHEMA restricted TO ${grantee}`);
            await c.query(`GRANT SELECT, INSERT ON restricted.limited TO ${grantee}`);
            await c.query(`CREATE SCHEMA broken`);
            await c.query(
                `CREATE TABLE broken.present (id INT4 PRIMARY KEY, v TEXT CHECK (v <> 'bad'))`,
            );
            await c.query(`GRANT USAGE ON SCHEMA broken TO ${grantee}`);
            await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON broken.present TO ${grantee}`);
        });
        const targetUrl = new URL(POSTGRES_ADMIN_URL);
        targetUrl.username = grantee;
        targetUrl.pathname = `/${targetDb}`;
        standIn = await startReplicatorStandIn({
            targetConnection: targetUrl.toString(),
            stagingConnection: adminUrl(stagingDb),
            stagingSchema: "defaultdb._replicator",
            stagingCreateSchema: true,
            tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
            jwtKeyRefreshMs: 100,
            applyRetryMs: 100,
        });
        token = signEs256(keys.privateKey, replicatorClaims([[targetDb, "public"]]));
        await stagingQuery(`INSERT INTO _replicator.jwt_public_keys (public_key) VALUES ($1)`, [
            keys.publicKeyPem,
        ]);
        await waitUntil(
            "the JWT key refresh",
            async () => (await post(`/${targetDb}/public`, "")).status === 200,
        );
    });

    after(async () => {
        await standIn?.stop();
        await withClient(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${stagingDb} WITH (FORCE)`);
            await c.query(`DROP DATABASE IF EXISTS ${targetDb} WITH (FORCE)`);
            await c.query(`DROP ROLE IF EXISTS ${grantee}`);
        });
    });

    it("created the replicator's staging tables", async () => {
        const tables = await stagingQuery(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = '_replicator' ORDER BY 1`,
        );
        const names = tables.map((r) => r.table_name);
        for (const name of ["checkpoints", "jwt_public_keys", "jwt_revoked_ids", "memo"]) {
            assert.ok(names.includes(name), `${name} in ${names.join(",")}`);
        }
    });

    describe("authentication", () => {
        const path = () => `/${targetDb}/public`;

        it("accepts a token for its schema (header, access_token, wildcard)", async () => {
            assert.deepEqual(await post(path(), ""), { status: 200, body: "OK" });
            const viaQuery = await send(`${standIn.url}${path()}?access_token=${token}`, {
                body: "",
                ca: certs.caPem,
            });
            assert.equal(viaQuery.status, 200);
            const wildcard = signEs256(keys.privateKey, replicatorClaims([["*", "public"]]));
            assert.equal((await post(path(), "", wildcard)).status, 200);
            assert.ok(standIn.requests.some((r) => r.authorized && r.status === 200));
        });

        it("refuses other schemas, missing jti, HS256, alg none, unknown keys and no token", async () => {
            const refused = [
                signEs256(keys.privateKey, replicatorClaims([[targetDb, "other"]])),
                signEs256(keys.privateKey, replicatorClaims([[targetDb]])),
                signEs256(
                    keys.privateKey,
                    replicatorClaims([[targetDb, "public"]], { jti: undefined }),
                ),
                signEs256(keys.privateKey, replicatorClaims([])),
                signEs256(keys.privateKey, replicatorClaims([[targetDb, "public"]], { exp: 1 })),
                signHs256("secret", replicatorClaims([[targetDb, "public"]])),
                unsignedToken(replicatorClaims([[targetDb, "public"]])),
                signEs256(otherKeys.privateKey, replicatorClaims([[targetDb, "public"]])),
                "not-a-jwt",
                null,
            ];
            for (const bad of refused) {
                assert.deepEqual(await post(path(), "", bad), {
                    status: 401,
                    body: "missing or invalid access token",
                });
            }
        });

        it("refuses a revoked jti after the refresh", async () => {
            const claims = replicatorClaims([[targetDb, "public"]]);
            const revocable = signEs256(keys.privateKey, claims);
            assert.equal((await post(path(), "", revocable)).status, 200);
            await stagingQuery(`INSERT INTO _replicator.jwt_revoked_ids (id) VALUES ($1)`, [
                claims.jti,
            ]);
            await waitUntil(
                "the revocation refresh",
                async () => (await post(path(), "", revocable)).status === 401,
            );
            assert.equal((await post(path(), "")).status, 200);
        });
    });

    describe("paths and bodies", () => {
        it("404s a wrong segment count before checking the token", async () => {
            assert.equal((await post(`/${targetDb}`, "", null)).status, 404);
            assert.equal((await post(`/${targetDb}/public/items/extra`, "")).status, 404);
            assert.equal((await post(`/_/nope`, "")).status, 404);
        });

        it("answers 400 unknown schema for a database that does not match", async () => {
            const any = signEs256(keys.privateKey, replicatorClaims([["*", "*"]]));
            const body = rows([{ after: { id: 1 }, key: [1], topic: "items", updated: ts(1) }]);
            const missing = await post(`/no_such_db_${process.pid}/public`, body, any);
            assert.equal(missing.status, 400);
            assert.equal(missing.body, `unknown schema: "no_such_db_${process.pid}"."public"`);
            const otherDb = await post(`/postgres/public`, body, any);
            assert.equal(otherDb.status, 400);
            assert.match(otherDb.body, /cross-database references are not implemented/);
        });

        it("rejects unknown fields, mvcc_timestamp, missing updated and an empty topic", async () => {
            const p = `/${targetDb}/public`;
            const unknownTop = await post(p, JSON.stringify({ payload: [], length: 0, extra: 1 }));
            assert.deepEqual(unknownTop, {
                status: 400,
                body: 'could not decode payload: json: unknown field "extra"',
            });
            const mvcc = await post(
                p,
                rows([
                    {
                        after: { id: 1 },
                        key: [1],
                        topic: "items",
                        updated: ts(1),
                        mvcc_timestamp: ts(1),
                    },
                ]),
            );
            assert.deepEqual(mvcc, {
                status: 400,
                body: 'could not decode payload: json: unknown field "mvcc_timestamp"',
            });
            const noUpdated = await post(p, rows([{ after: { id: 1 }, key: [1], topic: "items" }]));
            assert.equal(noUpdated.status, 400);
            assert.match(noUpdated.body, /WITH updated/);
            const noTopic = await post(p, rows([{ after: { id: 1 }, key: [1], updated: ts(1) }]));
            assert.deepEqual(noTopic, {
                status: 400,
                body: "table name is empty, please ensure the table name is included in the path",
            });
        });
    });

    describe("staging and apply", () => {
        const bigId = "9007199254740993";

        it("stages on receipt, records the checkpoint unapplied, applies in the background", async () => {
            const p = `/${targetDb}/public`;
            const batch =
                `{"payload":[` +
                `{"after":{"id":${bigId},"name":"big","qty":1,"tags":["a","b"],"doc":{"k":1}},"key":[${bigId}],"topic":"items","updated":"${ts(10)}"},` +
                `{"after":{"id":2,"name":"two","qty":2,"tags":null,"doc":null},"key":[2],"topic":"items","updated":"${ts(11)}"},` +
                `{"after":{"id":2,"name":"two-b","qty":3,"tags":null,"doc":null},"key":[2],"topic":"items","updated":"${ts(12)}"},` +
                `{"after":{"a":1,"b":"x","v":"p"},"key":[1,"x"],"topic":"pairs","updated":"${ts(12)}"}` +
                `],"length":4}`;
            standIn.setStageOnly(true);
            assert.deepEqual(await post(p, batch), { status: 200, body: "OK" });
            const stagedItems = await stagingQuery(
                `SELECT count(*)::INT AS n FROM _replicator."${targetDb}_public_items" WHERE NOT applied`,
            );
            assert.deepEqual(stagedItems, [{ n: 3 }], "rows are staged on receipt");
            assert.deepEqual(await targetQuery("SELECT * FROM public.items"), []);
            assert.deepEqual(await post(p, JSON.stringify({ resolved: ts(12) })), {
                status: 200,
                body: "OK",
            });
            const appliedAt = () =>
                stagingQuery(
                    `SELECT source_hlc::TEXT AS hlc, target_applied_at IS NOT NULL AS applied
                       FROM _replicator.checkpoints WHERE group_name = $1 ORDER BY source_hlc`,
                    [group],
                );
            assert.deepEqual(await appliedAt(), [{ hlc: ts(12), applied: false }]);
            await new Promise((r) => setTimeout(r, 300));
            assert.deepEqual(await targetQuery("SELECT * FROM public.items"), [], "stage only");
            assert.deepEqual(await appliedAt(), [{ hlc: ts(12), applied: false }]);

            standIn.setStageOnly(false);
            await waitUntil(
                "the background apply to set target_applied_at",
                async () => (await appliedAt())[0]?.applied === true,
            );
            const items = await targetQuery(
                "SELECT id::TEXT AS id, name, qty, tags, doc FROM public.items ORDER BY id",
            );
            assert.deepEqual(items, [
                { id: "2", name: "two-b", qty: 3, tags: null, doc: null },
                { id: bigId, name: "big", qty: 1, tags: ["a", "b"], doc: { k: 1 } },
            ]);
            assert.deepEqual(await targetQuery("SELECT * FROM public.pairs"), [
                { a: 1, b: "x", v: "p" },
            ]);
            assert.equal(standIn.stats().upserts, 3);
        });

        it("applies deletes and CDC-query rows addressed by a table segment", async () => {
            const del = rows([{ after: null, key: [2], topic: "items", updated: ts(20) }]);
            assert.equal((await post(`/${targetDb}/public`, del)).status, 200);
            const query = rows([
                {
                    after: { id: 3, name: "q", qty: 0, tags: [], doc: [] },
                    key: [3],
                    updated: ts(21),
                },
            ]);
            assert.equal((await post(`/${targetDb}/public/items`, query)).status, 200);
            assert.equal(
                (await post(`/${targetDb}/public`, JSON.stringify({ resolved: ts(21) }))).status,
                200,
            );
            await waitUntil("the delete to be applied", async () => standIn.stats().deletes === 1);
            const ids = await targetQuery("SELECT id::TEXT AS id FROM public.items ORDER BY id");
            assert.deepEqual(
                ids.map((r) => r.id),
                ["3", bigId],
            );
            assert.equal(standIn.stats().deletes, 1);
        });

        it("records checkpoints, rejects going backwards and accepts an equal timestamp", async () => {
            const checkpoints = await stagingQuery(
                `SELECT source_hlc::TEXT AS hlc, partition, target_applied_at IS NOT NULL AS applied
                   FROM _replicator.checkpoints WHERE group_name = $1 ORDER BY source_hlc`,
                [group],
            );
            assert.deepEqual(checkpoints, [
                { hlc: ts(12), partition: group, applied: true },
                { hlc: ts(21), partition: group, applied: true },
            ]);
            const backwards = await post(
                `/${targetDb}/public`,
                JSON.stringify({ resolved: ts(15) }),
            );
            assert.deepEqual(backwards, {
                status: 400,
                body:
                    `proposed checkpoint timestamp for group="${group}" [ ], partition="${group}" is going backwards: ` +
                    `${ts(15)}; verify changefeed cursor or remove already-applied checkpoint timestamp entries`,
            });
            assert.equal(
                (await post(`/${targetDb}/public`, JSON.stringify({ resolved: ts(21) }))).status,
                200,
            );
            await new Promise((r) => setTimeout(r, 200));
            assert.deepEqual(
                standIn.stats().resolved,
                [ts(12), ts(21)],
                "an equal, already applied checkpoint is not applied again",
            );
        });

        const varz = async () => (await send(`${standIn.metricsUrl}/_/varz`)).body;
        const checkpointsOf = (g: string) =>
            stagingQuery(
                `SELECT source_hlc::TEXT AS hlc, target_applied_at IS NOT NULL AS applied
                   FROM _replicator.checkpoints WHERE group_name = $1 ORDER BY source_hlc`,
                [g],
            );
        const logged = (pattern: RegExp) =>
            waitUntil(`a log line matching ${pattern}`, async () =>
                standIn.logs().some((l) => pattern.test(l)),
            );

        it("missing target privileges: 200 on the wire, logged, counted, retried until granted", async () => {
            const restricted = signEs256(
                keys.privateKey,
                replicatorClaims([[targetDb, "restricted"]]),
            );
            const p = `/${targetDb}/restricted`;
            const g = `${targetDb}.restricted`;
            // Two rows for the same key: the upsert needs UPDATE, which the grantee lacks.
            const body = rows([
                { after: { id: 1, v: "x" }, key: [1], topic: "limited", updated: ts(30) },
            ]);
            assert.equal((await post(p, body, restricted)).status, 200);
            const resolved = await post(p, JSON.stringify({ resolved: ts(30) }), restricted);
            assert.deepEqual(resolved, { status: 200, body: "OK" });
            await logged(
                new RegExp(
                    `level=warning msg="error while copying data for ${g}; will restart" error=".*permission denied for table limited`,
                ),
            );
            assert.match(
                await varz(),
                new RegExp(`apply_errors_total\\{schema="${g}",table="limited"\\} [1-9]`),
            );
            assert.deepEqual(await checkpointsOf(g), [{ hlc: ts(30), applied: false }]);
            const errorsBefore = standIn.logs().length;
            await new Promise((r) => setTimeout(r, 350));
            assert.ok(standIn.logs().length > errorsBefore, "the failed apply is retried");

            await withClient(adminUrl(targetDb), (c) =>
                c.query(`GRANT UPDATE ON restricted.limited TO ${grantee}`),
            );
            await waitUntil(
                "the retry to apply once UPDATE is granted",
                async () => (await checkpointsOf(g))[0]?.applied === true,
            );
            assert.deepEqual(await targetQuery("SELECT id, v FROM restricted.limited"), [
                { id: 1, v: "x" },
            ]);
        });

        it("unknown table, unexpected columns, a constraint: staged with 200, fail in the background", async () => {
            const broken = signEs256(keys.privateKey, replicatorClaims([[targetDb, "broken"]]));
            const p = `/${targetDb}/broken`;
            const g = `${targetDb}.broken`;
            const unknownRows = rows([
                { after: { id: 1 }, key: [1], topic: "nope", updated: ts(40) },
            ]);
            assert.deepEqual(await post(p, unknownRows, broken), { status: 200, body: "OK" });
            assert.equal((await post(p, JSON.stringify({ resolved: ts(40) }), broken)).status, 200);
            await logged(
                new RegExp(
                    `error while copying data for ${g}; will restart" error="update sent to unknown tables: ${g}\\.nope"`,
                ),
            );
            assert.deepEqual(await checkpointsOf(g), [{ hlc: ts(40), applied: false }]);
            await withClient(adminUrl(targetDb), async (c) => {
                await c.query(`CREATE TABLE broken.nope (id INT4 PRIMARY KEY)`);
                await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON broken.nope TO ${grantee}`);
            });
            await waitUntil(
                "the retry to apply once the table exists",
                async () => (await checkpointsOf(g)).at(-1)?.applied === true,
            );

            const extra = rows([
                {
                    after: { id: 2, v: "y", color: "red" },
                    key: [2],
                    topic: "present",
                    updated: ts(41),
                },
            ]);
            assert.equal((await post(p, extra, broken)).status, 200);
            assert.equal((await post(p, JSON.stringify({ resolved: ts(41) }), broken)).status, 200);
            await logged(
                new RegExp(
                    `schema drift detected in \\\\"${targetDb}\\\\"\\.\\\\"broken\\\\"\\.\\\\"present\\\\" at payload object offset 0: unexpected columns: color`,
                ),
            );
            assert.match(
                await varz(),
                new RegExp(`apply_errors_total\\{schema="${g}",table="present"\\} [1-9]`),
            );
            await withClient(adminUrl(targetDb), (c) =>
                c.query(`ALTER TABLE broken.present ADD COLUMN color TEXT`),
            );
            await waitUntil(
                "the retry to apply once the column exists",
                async () => (await checkpointsOf(g)).at(-1)?.applied === true,
            );

            const bad = rows([
                {
                    after: { id: 3, v: "bad", color: null },
                    key: [3],
                    topic: "present",
                    updated: ts(42),
                },
            ]);
            assert.equal((await post(p, bad, broken)).status, 200);
            assert.equal((await post(p, JSON.stringify({ resolved: ts(42) }), broken)).status, 200);
            await logged(/violates check constraint .{0,2}present_v_check/);
            assert.equal((await checkpointsOf(g)).at(-1)?.applied, false);
            await withClient(adminUrl(targetDb), (c) =>
                c.query(`ALTER TABLE broken.present DROP CONSTRAINT present_v_check`),
            );
            await waitUntil(
                "the retry to apply once the constraint is gone",
                async () => (await checkpointsOf(g)).at(-1)?.applied === true,
            );
            assert.deepEqual(
                await targetQuery("SELECT id, v, color FROM broken.present ORDER BY id"),
                [
                    { id: 2, v: "y", color: "red" },
                    { id: 3, v: "bad", color: null },
                ],
            );
        });
    });

    describe("health and metrics", () => {
        it("serves /_/healthz on both ports and Prometheus text on /_/varz", async () => {
            assert.deepEqual(await send(`${standIn.url}/_/healthz`, { ca: certs.caPem }), {
                status: 200,
                body: "OK",
            });
            assert.deepEqual(await send(`${standIn.metricsUrl}/_/healthz`), {
                status: 200,
                body: "OK",
            });
            assert.equal((await send(`${standIn.metricsUrl}/_/other`)).status, 404);
            const varz = await send(`${standIn.metricsUrl}/_/varz`);
            assert.equal(varz.status, 200);
            assert.match(
                varz.body,
                new RegExp(`apply_upserts_total\\{schema="${group}",table="items"\\} 3`),
            );
            assert.match(
                varz.body,
                new RegExp(`apply_deletes_total\\{schema="${group}",table="items"\\} 1`),
            );
            assert.match(varz.body, /http_status_codes_total\{code="200"\} \d+/);
            assert.match(varz.body, /http_status_codes_total\{code="401"\} \d+/);
            assert.match(
                varz.body,
                new RegExp(`checkpoint_proposed_going_backwards_errors\\{schema="${group}"\\} 1\n`),
            );
            assert.match(
                varz.body,
                new RegExp(
                    `target_applied_timestamp_seconds\\{kind="cdc",target="${group}"\\} \\d`,
                ),
            );
            standIn.setCounters("forward", "t", { upserts: 7 });
            assert.match(
                (await send(`${standIn.metricsUrl}/_/varz`)).body,
                /apply_upserts_total\{schema="forward",table="t"\} 7/,
            );
        });
    });
});

describe("replicator stand-in startup and TLS", () => {
    const db = uniqueName("repl_boot");
    let certs: TestCertificates;

    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        certs = makeTestCertificates();
        await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE DATABASE ${db}`));
    });

    after(async () => {
        await withClient(POSTGRES_ADMIN_URL, (c) =>
            c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`),
        );
    });

    it("refuses to start without the staging schema unless stagingCreateSchema", async () => {
        await assert.rejects(
            startReplicatorStandIn({
                targetConnection: adminUrl(db),
                stagingConnection: adminUrl(db),
                stagingSchema: "defaultdb._missing",
                tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
            }),
            /schema "_missing" does not exist/,
        );
    });

    it("requires a client certificate when clientCaPem is set", async () => {
        const standIn = await startReplicatorStandIn({
            targetConnection: adminUrl(db),
            stagingConnection: adminUrl(db),
            stagingSchema: "_replicator",
            disableAuthentication: true,
            tls: {
                certPem: certs.serverCertPem,
                keyPem: certs.serverKeyPem,
                clientCaPem: certs.caPem,
            },
        });
        try {
            await assert.rejects(
                send(`${standIn.url}/${db}/public`, { body: "", ca: certs.caPem }),
            );
            const ok = await send(`${standIn.url}/${db}/public`, {
                body: "",
                ca: certs.caPem,
                cert: certs.clientCertPem,
                key: certs.clientKeyPem,
            });
            assert.deepEqual(ok, { status: 200, body: "OK" });
        } finally {
            await standIn.stop();
        }
    });

    it("best-effort mode refuses rows for a table the target lacks with a 400, consistent mode stages them", async () => {
        const rowsFor = (topic: string) =>
            JSON.stringify({
                payload: [{ after: { id: 1 }, key: [1], topic, updated: "1700000000000000000.0" }],
                length: 1,
            });
        for (const mode of ["bestEffort", "consistent"] as const) {
            const standIn = await startReplicatorStandIn({
                targetConnection: adminUrl(db),
                stagingConnection: adminUrl(db),
                stagingSchema: "_replicator",
                stagingCreateSchema: true,
                disableAuthentication: true,
                mode,
                tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
            });
            try {
                const answer = await send(`${standIn.url}/${db}/public`, {
                    body: rowsFor("nope"),
                    ca: certs.caPem,
                });
                assert.deepEqual(
                    answer,
                    mode === "bestEffort"
                        ? { status: 400, body: `unknown table "${db}"."public"."nope"` }
                        : { status: 200, body: "OK" },
                );
            } finally {
                await standIn.stop();
            }
        }
    });

    it("lets a test force responses with respondWith (auth disabled)", async () => {
        const standIn = await startReplicatorStandIn({
            targetConnection: adminUrl(db),
            stagingConnection: adminUrl(db),
            stagingSchema: "_replicator",
            disableAuthentication: true,
            respondWith: (req) =>
                req.body.includes("boom") ? { status: 500, body: "injected" } : undefined,
            tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
        });
        try {
            const url = `${standIn.url}/${db}/public`;
            assert.deepEqual(await send(url, { body: '{"boom":1}', ca: certs.caPem }), {
                status: 500,
                body: "injected",
            });
            assert.deepEqual(await send(url, { body: "", ca: certs.caPem }), {
                status: 200,
                body: "OK",
            });
            assert.deepEqual(
                standIn.requests.map((r) => [r.status, r.authorized]),
                [
                    [500, true],
                    [200, true],
                ],
            );
        } finally {
            await standIn.stop();
        }
    });

    it("reports an unreachable target on /_/healthz", async () => {
        const role = uniqueName("repl_gone");
        await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE ROLE ${role} LOGIN`));
        const url = new URL(adminUrl(db));
        url.username = role;
        const standIn = await startReplicatorStandIn({
            targetConnection: url.toString(),
            stagingConnection: adminUrl(db),
            stagingSchema: "_replicator",
            disableAuthentication: true,
            tls: { certPem: certs.serverCertPem, keyPem: certs.serverKeyPem },
        });
        try {
            await withClient(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`ALTER ROLE ${role} NOLOGIN`);
                await c.query(
                    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`,
                    [role],
                );
            });
            await waitUntil("the target health check to fail", async () => {
                const res = await send(`${standIn.url}/_/healthz`, { ca: certs.caPem });
                return res.status === 500 && res.body === "health check failed for target";
            });
        } finally {
            await standIn.stop();
            await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`DROP ROLE IF EXISTS ${role}`));
        }
    });
});
