/** The fault-injection TCP proxy itself, against a local echo server. */
import assert from "node:assert/strict";
import { createServer, type Server, Socket } from "node:net";
import { after, before, describe, it } from "node:test";

import { startTcpProxy } from "../support/faults/tcpProxy";

let echo: Server;
let echoPort = 0;

before(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    echoPort = (echo.address() as { port: number }).port;
});

after(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
});

/** Connects, sends `payload`, and collects what comes back until the socket closes or 500 ms pass. */
async function exchange(
    port: number,
    payload: string,
): Promise<{ received: string; closed: boolean }> {
    return new Promise((resolve) => {
        const socket = new Socket();
        let received = "";
        let closed = false;
        const timer = setTimeout(() => {
            socket.destroy();
            resolve({ received, closed });
        }, 500);
        socket.on("data", (chunk) => (received += chunk.toString()));
        socket.on("error", () => undefined);
        socket.on("close", () => {
            closed = true;
            clearTimeout(timer);
            resolve({ received, closed });
        });
        socket.connect(port, "127.0.0.1", () => socket.write(payload));
    });
}

describe("tcpProxy", () => {
    it("forwards both ways and counts connections and bytes", async () => {
        const proxy = await startTcpProxy({ targetPort: echoPort });
        try {
            const { received } = await exchange(proxy.port, "hello");
            assert.equal(received, "hello");
            assert.equal(proxy.connections, 1);
            assert.deepEqual(proxy.bytes, { toServer: 5, toClient: 5 });
        } finally {
            await proxy.close();
        }
    });

    it("refuse: accepts and closes at once; stall: accepts and never forwards", async () => {
        const proxy = await startTcpProxy({ targetPort: echoPort, mode: "refuse" });
        try {
            assert.deepEqual(await exchange(proxy.port, "x"), { received: "", closed: true });
            proxy.mode = "stall";
            assert.deepEqual(await exchange(proxy.port, "x"), { received: "", closed: false });
            assert.equal(proxy.connections, 2);
            assert.deepEqual(proxy.bytes, { toServer: 0, toClient: 0 });
        } finally {
            await proxy.close();
        }
    });

    it("cuts after N bytes or after a match (echoed bytes show what got through)", async () => {
        const proxy = await startTcpProxy({ targetPort: echoPort });
        try {
            proxy.armCut({ direction: "toClient", afterBytes: 4 });
            assert.deepEqual(await exchange(proxy.port, "abcdefgh"), {
                received: "abcd",
                closed: true,
            });
            proxy.armCut({
                direction: "toClient",
                afterMatch: "GRANT",
                thenBytes: 2,
                thenDirection: "toClient",
            });
            assert.deepEqual(await exchange(proxy.port, "xxGRANT yy"), {
                received: "xxGR",
                closed: true,
            });
            proxy.armCut({ direction: "toServer", afterMatch: "ab", thenMatch: "cd" });
            assert.deepEqual(await exchange(proxy.port, "abcd"), { received: "ab", closed: true });
            assert.equal(proxy.cuts, 3);
        } finally {
            await proxy.close();
        }
    });

    it("cutAll destroys live connections on demand", async () => {
        const proxy = await startTcpProxy({ targetPort: echoPort });
        try {
            const pending = exchange(proxy.port, "live");
            await new Promise((resolve) => setTimeout(resolve, 100));
            proxy.cutAll();
            assert.deepEqual(await pending, { received: "live", closed: true });
        } finally {
            await proxy.close();
        }
    });
});
