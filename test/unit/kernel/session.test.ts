import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { openSession, withSession } from "../../../src/providers/kernel/session";
import { parseCockroachConnection } from "../../../src/providers/cockroach";

const URL_WITH_SECRET = "postgresql://root:s3cret-pass@db.example:26257/app";

describe("openSession", () => {
    it("names the server and scrubs secrets from connect and statement errors; close never throws", async () => {
        const spec = {
            product: "CockroachDB",
            server: "db.example:26257/app",
            secrets: [URL_WITH_SECRET],
            connect: async () => ({
                query: async () => {
                    throw Object.assign(new Error(`bad statement near ${URL_WITH_SECRET}`), {
                        code: "42601",
                    });
                },
                end: async () => {
                    throw new Error("already closed");
                },
            }),
        };
        const session = await openSession(spec);
        await assert.rejects(session.query("SELECT 1"), (err: Error & { code?: string }) => {
            assert.match(err.message, /^CockroachDB at db\.example:26257\/app: bad statement/);
            assert.doesNotMatch(err.message, /s3cret-pass/);
            assert.equal(err.code, "42601");
            return true;
        });
        await session.close();

        await assert.rejects(
            openSession({
                ...spec,
                connect: async () => {
                    throw new Error(`refused ${URL_WITH_SECRET}`);
                },
            }),
            (err: Error) => {
                assert.match(
                    err.message,
                    /^cannot connect to CockroachDB at db\.example:26257\/app/,
                );
                assert.doesNotMatch(err.message, /s3cret-pass/);
                return true;
            },
        );
    });

    it("passes default timeouts, overridden per field, and withSession always closes", async () => {
        const seen: unknown[] = [];
        let closed = 0;
        const open = () =>
            openSession(
                {
                    product: "X",
                    server: "x",
                    secrets: [],
                    connect: async (timeouts) => {
                        seen.push(timeouts);
                        return { query: async () => [], end: async () => void (closed += 1) };
                    },
                },
                { statementMs: 5 },
            );
        await assert.rejects(
            withSession(open, async () => {
                throw new Error("work failed");
            }),
            /work failed/,
        );
        assert.deepEqual(seen, [{ connectMs: 10_000, statementMs: 5 }]);
        assert.equal(closed, 1);
    });
});

describe("parseCockroachConnection", () => {
    it("parses once into target, explicit endpoint and a safe server name", () => {
        const parsed = parseCockroachConnection("postgresql://u:p@Host.Example/");
        assert.ok("connection" in parsed);
        assert.equal(parsed.connection.server, "host.example:26257/defaultdb");
        assert.equal(parsed.connection.endpoint, "postgresql://u:p@Host.Example:26257/defaultdb");
    });

    it("returns the problem for a URL that is not usable", () => {
        const parsed = parseCockroachConnection("mysql://x");
        assert.ok("problem" in parsed);
        assert.match(parsed.problem, /must be a CockroachDB SQL URL/);
    });
});
