import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    checkGcTtl,
    gcTtlProblems,
    parseGcTtl,
    parseTtl,
} from "../../../src/providers/gcTtl/check";
import { diffGcTtl } from "../../../src/providers/gcTtl/diff";
import type { GcTtlOutputs } from "../../../src/providers/gcTtl/types";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

const URL = "postgresql://root:secret@crdb.example:26257/defaultdb?sslmode=verify-full";

describe("GcTtl check", () => {
    it("parses durations and seconds", () => {
        assert.deepEqual(parseTtl("25h"), { seconds: 90000 });
        assert.deepEqual(parseTtl("1h30m"), { seconds: 5400 });
        assert.deepEqual(parseTtl(600), { seconds: 600 });
        assert.deepEqual(parseTtl("600"), { seconds: 600 });
        assert.deepEqual(parseTtl(2147483647), { seconds: 2147483647 });
    });

    it("names the property and the fix for each bad input, all at once", () => {
        const failures = gcTtlProblems({
            connection: "postgresql://root@crdb.example:26257/defaultdb?host=elsewhere",
            database: "",
            tables: ["ok", "a.b.c.d", "ok"],
            ttl: "25 hours",
            onDelete: "reset",
        });
        const text = failures.map((f) => `${f.property}|${f.reason}`);
        assert.deepEqual(
            failures.map((f) => f.property),
            ["", "database", "ttl", "tables[1]", "tables[2]", "onDelete"],
        );
        assert.match(text[0] ?? "", /^\|connection: has the query parameter\(s\) host/);
        assert.match(text[1] ?? "", /^database\|is required/);
        assert.match(
            text[2] ?? "",
            /^ttl\|"25 hours" is not a duration: write seconds \(90000\) or a duration such as "25h"/,
        );
        assert.match(text[3] ?? "", /^tables\[1\]\|"a\.b\.c\.d" is not a table name/);
        assert.match(text[4] ?? "", /^tables\[2\]\|TABLE \.public\.ok is listed twice/);
        assert.match(text[5] ?? "", /^onDelete\|must be "restore" \(default\) or "retain"/);
        assert.ok(!JSON.stringify(failures).includes("elsewhere"), "the connection is not echoed");
    });

    it("rejects TTLs CockroachDB would reject or wrap", () => {
        for (const [ttl, reason] of [
            [0, /at least 1 second/],
            ["0s", /at least 1 second/],
            [2147483648, /at most 2147483647 seconds/],
            ["1500ms", /not a whole number of seconds/],
            [1.5, /whole number of seconds/],
            ["-5m", /not a duration/],
            ["00:10:00", /not a duration/],
        ] as const) {
            const result = checkGcTtl({ connection: URL, database: "app", ttl });
            assert.equal(result.failures?.[0]?.property, "ttl", String(ttl));
            assert.match(result.failures?.[0]?.reason ?? "", reason);
        }
    });

    it("table names: one, two or three parts; duplicates and other databases refused", () => {
        const config = parseGcTtl({
            connection: URL,
            database: "app",
            tables: ["orders", 'Shop."Items"', "app.public.x"],
            ttl: "1h",
        });
        assert.deepEqual(config.targets, [
            { database: "app", schema: "public", table: "orders" },
            { database: "app", schema: "shop", table: "Items" },
            { database: "app", schema: "public", table: "x" },
        ]);
        const failures = gcTtlProblems({
            connection: URL,
            database: "app",
            tables: ["orders", "public.orders", "other.public.t"],
            ttl: 60,
        });
        assert.deepEqual(
            failures.map((f) => f.property),
            ["tables[1]", "tables[2]"],
        );
        assert.match(failures[0]?.reason ?? "", /listed twice/);
        assert.match(failures[1]?.reason ?? "", /names database other, but database is app/);
        assert.match(
            gcTtlProblems({ connection: URL, database: "app", tables: [], ttl: 60 })[0]?.reason ??
                "",
            /non-empty list/,
        );
    });

    it("unknown values pass check", () => {
        assert.equal(
            checkGcTtl({ connection: UNKNOWN, database: UNKNOWN, ttl: UNKNOWN, tables: UNKNOWN })
                .failures,
            undefined,
        );
    });
});

describe("GcTtl diff", () => {
    const olds: GcTtlOutputs = {
        connection: URL,
        database: "app",
        ttl: "25h",
        onDelete: "restore",
        stateVersion: 1,
        ttlSeconds: 90000,
        clusterId: "c1",
        previous: {
            "DATABASE app": {
                target: { database: "app" },
                ttlSeconds: 14400,
                origin: "inherited",
                setTo: 90000,
            },
        },
        current: { "DATABASE app": { ttlSeconds: 90000, origin: "set", otherFields: [] } },
    };

    it("no change when the cluster holds the TTL; the same TTL written another way is no change", () => {
        assert.deepEqual(diffGcTtl(olds, { connection: URL, database: "app", ttl: 90000 }), {
            changes: false,
        });
    });

    it("drift, another TTL or other tables are an update; another database or server a replacement", () => {
        const drifted = {
            ...olds,
            current: {
                "DATABASE app": { ttlSeconds: 600, origin: "set" as const, otherFields: [] },
            },
        };
        assert.equal(
            diffGcTtl(drifted, { connection: URL, database: "app", ttl: "25h" }).changes,
            true,
        );
        assert.equal(
            diffGcTtl(olds, { connection: URL, database: "app", ttl: "26h" }).changes,
            true,
        );
        assert.deepEqual(
            diffGcTtl(olds, { connection: URL, database: "app", tables: ["t"], ttl: "25h" }),
            { changes: true },
        );
        assert.deepEqual(
            diffGcTtl(olds, { connection: URL, database: "other", ttl: "25h" }).replaces,
            ["database"],
        );
        assert.deepEqual(
            diffGcTtl(olds, {
                connection: URL.replace("crdb.example", "crdb2.example"),
                database: "app",
                ttl: "25h",
            }).replaces,
            ["connection"],
        );
    });
});
