import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";

import { PartialStateError } from "../../../src/providers/kernel/partialState";
import { makeGcTtlProvider } from "../../../src/providers/gcTtl/provider";
import type { GcTtlOutputs } from "../../../src/providers/gcTtl/types";
import { type CockroachTestServer, startCockroachTestServer } from "../../support/cockroach";
import { runSql } from "../../support/cockroach/testHelpers";
import { POSTGRES_ADMIN_URL, requireService } from "../../support/services";

const servers: CockroachTestServer[] = [];
const warnings: string[] = [];
const provider = makeGcTtlProvider({
    sessionOptions: { connectMs: 3_000, statementMs: 3_000 },
    warn: (message) => {
        warnings.push(message);
    },
});

async function newServer(): Promise<CockroachTestServer> {
    const server = await startCockroachTestServer();
    servers.push(server);
    return server;
}

function sql(server: CockroachTestServer, ...statements: string[]) {
    return runSql(server.url, statements);
}

/** Every zone as crdb_internal.zones lists it (target → own SQL). */
async function zones(server: CockroachTestServer): Promise<Record<string, string>> {
    const rows = await sql(server, "SELECT target, raw_config_sql FROM crdb_internal.zones");
    return Object.fromEntries(rows.map((r) => [String(r.target), String(r.raw_config_sql)]));
}

function writesSince(server: CockroachTestServer, mark: number): string[] {
    return server.statements.slice(mark).filter((s) => /CONFIGURE ZONE/i.test(s));
}

async function create(inputs: Record<string, unknown>) {
    const result = await provider.create(inputs as never);
    return { id: result.id, outs: result.outs as GcTtlOutputs };
}

before(async () => {
    await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
});

afterEach(async () => {
    warnings.length = 0;
    await Promise.all(servers.splice(0).map((s) => s.stop()));
});

after(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe("GcTtl provider against the CockroachDB test server", () => {
    it("sets an inherited TTL on the database zone and makes it inherit again on delete", async () => {
        const server = await newServer();
        const before = await zones(server);
        const mark = server.statements.length;
        const { id, outs } = await create({
            connection: server.url,
            database: "defaultdb",
            ttl: "25h",
        });
        assert.deepEqual(writesSince(server, mark), [
            'ALTER DATABASE "defaultdb" CONFIGURE ZONE USING gc.ttlseconds = 90000',
        ]);
        assert.deepEqual(outs.previous["DATABASE defaultdb"], {
            target: { database: "defaultdb" },
            ttlSeconds: 14400,
            origin: "inherited",
            setTo: 90000,
        });
        assert.deepEqual(outs.current["DATABASE defaultdb"], {
            ttlSeconds: 90000,
            origin: "set",
            otherFields: [],
        });
        assert.equal(outs.stateVersion, 1);
        assert.equal(outs.ttlSeconds, 90000);

        const again = await provider.diff!(id, outs, {
            connection: server.url,
            database: "defaultdb",
            ttl: 90000,
        } as never);
        assert.equal(again.changes, false);

        const deleteMark = server.statements.length;
        await provider.delete(id, outs);
        assert.deepEqual(writesSince(server, deleteMark), [
            'ALTER DATABASE "defaultdb" CONFIGURE ZONE DISCARD',
        ]);
        assert.deepEqual(await zones(server), before);
    });

    it("restores a value that was set on the zone, and keeps the zone's other fields", async () => {
        const server = await newServer();
        await sql(
            server,
            "ALTER DATABASE defaultdb CONFIGURE ZONE USING gc.ttlseconds = 600, num_replicas = 5",
        );
        const before = await zones(server);
        const { id, outs } = await create({
            connection: server.url,
            database: "defaultdb",
            ttl: 7200,
        });
        assert.equal(outs.previous["DATABASE defaultdb"]?.origin, "set");
        assert.equal(outs.previous["DATABASE defaultdb"]?.ttlSeconds, 600);
        assert.deepEqual(outs.current["DATABASE defaultdb"]?.otherFields, ["num_replicas"]);
        await provider.delete(id, outs);
        assert.deepEqual(await zones(server), before);
    });

    it("an inherited TTL on a zone with other fields gets the parent's value and a warning", async () => {
        const server = await newServer();
        await sql(server, "ALTER DATABASE defaultdb CONFIGURE ZONE USING num_replicas = 5");
        const { id, outs } = await create({
            connection: server.url,
            database: "defaultdb",
            ttl: "2h",
        });
        await provider.delete(id, outs);
        const after = await zones(server);
        assert.match(after["DATABASE defaultdb"] ?? "", /gc\.ttlseconds = 14400/);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0] ?? "", /COPY FROM PARENT.*CONFIGURE ZONE DISCARD/s);
    });

    it("sets table zones, shows drift on refresh, and leaves a value someone changed", async () => {
        const server = await newServer();
        await sql(
            server,
            "CREATE TABLE orders (id INT PRIMARY KEY)",
            "CREATE TABLE items (id INT PRIMARY KEY)",
        );
        const before = await zones(server);
        const inputs = {
            connection: server.url,
            database: "defaultdb",
            tables: ["orders", "public.items"],
            ttl: "1h",
        };
        const { id, outs } = await create(inputs);
        assert.deepEqual(Object.keys(outs.previous).sort(), [
            "TABLE defaultdb.public.items",
            "TABLE defaultdb.public.orders",
        ]);
        await sql(server, "ALTER TABLE orders CONFIGURE ZONE USING gc.ttlseconds = 100");
        const read = await provider.read!(id, outs);
        const refreshed = read.props as GcTtlOutputs;
        assert.deepEqual(refreshed.current["TABLE defaultdb.public.orders"], {
            ttlSeconds: 100,
            origin: "set",
            otherFields: [],
        });
        const diff = await provider.diff!(id, refreshed, inputs as never);
        assert.equal(diff.changes, true);

        await provider.delete(id, refreshed);
        const after = await zones(server);
        assert.match(after["TABLE defaultdb.public.orders"] ?? "", /gc\.ttlseconds = 100/);
        assert.equal(after["TABLE defaultdb.public.items"], before["TABLE defaultdb.public.items"]);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0] ?? "", /TABLE defaultdb\.public\.orders is now 100, not 3600/);
    });

    it("update restores a table dropped from the list and sets a new TTL", async () => {
        const server = await newServer();
        await sql(
            server,
            "CREATE TABLE orders (id INT PRIMARY KEY)",
            "CREATE TABLE items (id INT PRIMARY KEY)",
        );
        const before = await zones(server);
        const { id, outs } = await create({
            connection: server.url,
            database: "defaultdb",
            tables: ["orders", "items"],
            ttl: "1h",
        });
        const news = {
            connection: server.url,
            database: "defaultdb",
            tables: ["orders"],
            ttl: "3h",
        };
        assert.equal((await provider.diff!(id, outs, news as never)).changes, true);
        const updated = (await provider.update!(id, outs, news as never)).outs as GcTtlOutputs;
        assert.deepEqual(Object.keys(updated.previous), ["TABLE defaultdb.public.orders"]);
        assert.equal(updated.current["TABLE defaultdb.public.orders"]?.ttlSeconds, 10800);
        const now = await zones(server);
        assert.equal(now["TABLE defaultdb.public.items"], undefined);
        await provider.delete(id, updated);
        assert.deepEqual(await zones(server), before);
    });

    it("refuses to refresh or delete on another cluster, changing nothing", async () => {
        const server = await newServer();
        const { id, outs } = await create({
            connection: server.url,
            database: "defaultdb",
            ttl: 7200,
        });
        const other = await newServer();
        const moved = { ...outs, connection: other.url };
        const mark = other.statements.length;
        await assert.rejects(
            provider.read!(id, moved),
            /reaches CockroachDB cluster .* Refusing to refresh/,
        );
        await assert.rejects(provider.delete(id, moved), /Refusing to delete: nothing was changed/);
        assert.deepEqual(writesSince(other, mark), []);
    });

    it("a missing table is an answered error: nothing recorded", async () => {
        const server = await newServer();
        await assert.rejects(
            create({ connection: server.url, database: "defaultdb", tables: ["nope"], ttl: 60 }),
            (err: Error) =>
                !(err instanceof PartialStateError) &&
                /relation .*nope.* does not exist/.test(err.message),
        );
    });

    it("a user without the privilege gets the GRANT to run", async () => {
        const server = await newServer();
        await sql(server, "CREATE USER app");
        await assert.rejects(
            create({ connection: server.urlFor("app"), database: "defaultdb", ttl: 60 }),
            /GRANT ZONECONFIG ON DATABASE "defaultdb" TO <user>/,
        );
    });
});
