/**
 * A dead or silent server gives a clear, bounded error naming the (redacted) server, never a hang
 * and never the password.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { makeTargetGrantsProvider } from "../../../src/providers/targetGrants/provider";
import { lifecycle } from "../../support/grants/fixtures";

const SECRET = "hunter2-secret";

describe("TargetGrants against a dead server", () => {
    let silent: Server;
    let silentPort = 0;
    const sockets = new Set<Socket>();

    before(async () => {
        // Accepts TCP connections and never answers: only a timeout can end the attempt.
        silent = createServer((socket) => {
            sockets.add(socket);
            socket.on("close", () => sockets.delete(socket));
        });
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        silentPort = (silent.address() as AddressInfo).port;
    });

    after(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
    });

    for (const scheme of ["postgres", "mysql"] as const) {
        it(`${scheme}: refused connection fails at once with the server named and the password redacted`, async () => {
            const provider = lifecycle(makeTargetGrantsProvider());
            const started = Date.now();
            const url = `${scheme}://admin:${SECRET}@127.0.0.1:1/app`;
            const err = await provider.create({ connection: url, grantee: "r", schema: "s" }).then(
                () => undefined,
                (e: unknown) => e as Error,
            );
            assert.ok(err instanceof Error);
            assert.match(
                err.message,
                new RegExp(
                    `could not connect to .* at ${scheme}://admin:redacted@127\\.0\\.0\\.1:1/app \\(connect timeout 10 s\\): .*ECONNREFUSED`,
                ),
            );
            assert.ok(!err.message.includes(SECRET));
            assert.ok(Date.now() - started < 10_000);
        });

        it(`${scheme}: a server that never answers fails after the connect timeout`, async () => {
            const provider = lifecycle(
                makeTargetGrantsProvider({
                    sessionOptions: { connectTimeoutMs: 1000, statementTimeoutMs: 2000 },
                }),
            );
            const started = Date.now();
            const url = `${scheme}://admin:${SECRET}@127.0.0.1:${silentPort}/app`;
            const err = await provider.create({ connection: url, grantee: "r", schema: "s" }).then(
                () => undefined,
                (e: unknown) => e as Error,
            );
            const elapsed = Date.now() - started;
            assert.ok(err instanceof Error);
            assert.match(
                err.message,
                /could not connect to .* at .*:\/\/admin:redacted@127\.0\.0\.1:\d+\/app \(connect timeout 1 s\)/,
            );
            assert.ok(!err.message.includes(SECRET));
            assert.ok(elapsed >= 900 && elapsed < 5000, `took ${elapsed} ms`);
        });
    }
});
