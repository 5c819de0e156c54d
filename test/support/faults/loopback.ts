/** The listening side shared by the fault proxies: a loopback port and URLs that point at it. */
import { createServer, type Server, type Socket } from "node:net";

export interface LoopbackListener {
    server: Server;
    port: number;
}

/** Listens on 127.0.0.1 (ephemeral port) and calls `onConnection` for each client. */
export async function listenOnLoopback(
    onConnection: (client: Socket) => void,
): Promise<LoopbackListener> {
    const server = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    return { server, port };
}

/** `url` with its host and port replaced by the loopback proxy's. */
export function urlThroughProxy(url: string, port: number): string {
    const parsed = new URL(url);
    parsed.hostname = "127.0.0.1";
    parsed.port = String(port);
    return parsed.toString();
}
