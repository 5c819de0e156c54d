/**
 * A loopback TCP proxy for fault-injection tests. It sits in front of a real server and, per
 * mode, forwards traffic, refuses connections (accepts and closes at once), stalls them
 * (accepts and never forwards a byte), or cuts them: forwards and then destroys both sockets
 * after a number of bytes, when a chunk matches a pattern, or on demand. It counts every
 * connection it accepted, so a test can prove that nothing reached the server.
 */
import { Socket } from "node:net";

import { listenOnLoopback, urlThroughProxy } from "./loopback";

/** What the proxy does with a new connection. */
export type ProxyMode = "forward" | "refuse" | "stall";

/** Which way bytes travel through the proxy. */
export type Direction = "toServer" | "toClient";

/** When to cut an established connection (both sockets are destroyed). */
export interface CutRule {
    /** Only count/match bytes travelling this way; default both ways. */
    direction?: Direction;
    /** Cut once this many bytes (counted from when the rule was armed) have been forwarded. */
    afterBytes?: number;
    /**
     * Cut once a chunk containing this text has been seen (in `direction`). Without `thenBytes`,
     * the cut happens right after the matching chunk was forwarded. With `thenBytes`, it happens
     * once that many bytes travelled in `thenDirection` (default: the opposite direction) after
     * the match; when that is `direction` itself, counting starts at the match, so
     * `thenBytes: 10` forwards only the first 10 bytes of the matched text.
     */
    afterMatch?: string;
    thenBytes?: number;
    /**
     * After `afterMatch`, cut when a chunk in `thenDirection` contains this text: the bytes
     * before it are forwarded, the text and everything after it are not.
     */
    thenMatch?: string;
    thenDirection?: Direction;
}

export interface TcpProxyOptions {
    /** Where to forward to. Host defaults to 127.0.0.1. */
    targetPort: number;
    targetHost?: string;
    /** Initial mode; default "forward". */
    mode?: ProxyMode;
}

export interface TcpProxy {
    readonly host: string;
    readonly port: number;
    /** Connections accepted since start (or the last `resetCounters`), in every mode. */
    readonly connections: number;
    /** Bytes forwarded each way since start (or the last `resetCounters`). */
    readonly bytes: Record<Direction, number>;
    /** Number of connections destroyed by a cut rule or `cutAll`. */
    readonly cuts: number;
    mode: ProxyMode;
    /** `url` with its host and port replaced by the proxy's. */
    urlFor(url: string): string;
    /** Arms a cut rule for the connections that carry the matching traffic (one shot). */
    armCut(rule: CutRule): void;
    /** Destroys every live connection now. */
    cutAll(): void;
    resetCounters(): void;
    /** Stops listening and destroys every live connection. */
    close(): Promise<void>;
}

interface Pair {
    client: Socket;
    server?: Socket;
}

/** Starts a proxy on 127.0.0.1 (ephemeral port). */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
    const targetHost = options.targetHost ?? "127.0.0.1";
    const pairs = new Set<Pair>();
    const bytes: Record<Direction, number> = { toServer: 0, toClient: 0 };
    let connections = 0;
    let cuts = 0;
    let mode: ProxyMode = options.mode ?? "forward";
    let rule: (CutRule & { counted: number; matched?: Pair }) | undefined;

    const destroy = (pair: Pair) => {
        pair.client.destroy();
        pair.server?.destroy();
        pairs.delete(pair);
    };

    /** Forwards `chunk`, or the part of it before the armed cut point, then cuts if due. */
    const relay = (pair: Pair, direction: Direction, chunk: Buffer) => {
        const to = direction === "toServer" ? pair.server : pair.client;
        if (!to || to.destroyed) return;
        let forward = chunk;
        let cutNow = false;
        if (rule) {
            const r = rule;
            const counts = r.direction === undefined || r.direction === direction;
            const thenDirection: Direction =
                r.thenDirection ?? (r.direction === "toServer" ? "toClient" : "toServer");
            /** Forwards at most `room` more bytes of this chunk, then cuts. */
            const limit = (room: number) => {
                if (chunk.length >= room) {
                    forward = chunk.subarray(0, Math.max(0, room));
                    cutNow = true;
                }
            };
            if (r.afterMatch !== undefined && r.matched === undefined) {
                const at = counts ? chunk.indexOf(r.afterMatch) : -1;
                if (at >= 0) {
                    r.matched = pair;
                    if (r.thenBytes === undefined && r.thenMatch === undefined) {
                        cutNow = true;
                    } else if (r.thenBytes !== undefined && thenDirection === direction) {
                        // Count from the start of the match, inside this very chunk.
                        limit(at + r.thenBytes);
                        r.counted = chunk.length - at;
                    }
                }
            } else if (r.afterMatch !== undefined && r.matched === pair) {
                if (direction === thenDirection && r.thenMatch !== undefined) {
                    const at = chunk.indexOf(r.thenMatch);
                    if (at >= 0) limit(at);
                } else if (direction === thenDirection) {
                    limit((r.thenBytes ?? 0) - r.counted);
                    r.counted += forward.length;
                }
            } else if (r.afterBytes !== undefined && counts) {
                limit(r.afterBytes - r.counted);
                r.counted += forward.length;
            }
        }
        if (cutNow) {
            rule = undefined;
            cuts += 1;
        }
        if (forward.length > 0) {
            bytes[direction] += forward.length;
            // On a cut, both ends go away once the forwarded bytes have left.
            to.write(forward, cutNow ? () => destroy(pair) : undefined);
        } else if (cutNow) {
            destroy(pair);
        }
    };

    const { server, port } = await listenOnLoopback((client) => {
        connections += 1;
        const pair: Pair = { client };
        pairs.add(pair);
        client.on("error", () => destroy(pair));
        client.on("close", () => destroy(pair));
        if (mode === "refuse") {
            destroy(pair);
            return;
        }
        if (mode === "stall") {
            client.pause();
            return;
        }
        const upstream = new Socket();
        pair.server = upstream;
        client.pause();
        upstream.on("error", () => destroy(pair));
        upstream.on("close", () => destroy(pair));
        upstream.connect(options.targetPort, targetHost, () => {
            client.on("data", (chunk: Buffer) => relay(pair, "toServer", chunk));
            upstream.on("data", (chunk: Buffer) => relay(pair, "toClient", chunk));
            client.resume();
        });
    });

    return {
        host: "127.0.0.1",
        port,
        get connections() {
            return connections;
        },
        get bytes() {
            return { ...bytes };
        },
        get cuts() {
            return cuts;
        },
        get mode() {
            return mode;
        },
        set mode(next: ProxyMode) {
            mode = next;
        },
        urlFor(url: string) {
            return urlThroughProxy(url, port);
        },
        armCut(next: CutRule) {
            rule = { ...next, counted: 0 };
        },
        cutAll() {
            for (const pair of [...pairs]) {
                cuts += 1;
                destroy(pair);
            }
        },
        resetCounters() {
            connections = 0;
            cuts = 0;
            bytes.toServer = 0;
            bytes.toClient = 0;
        },
        close() {
            return new Promise<void>((resolve) => {
                for (const pair of [...pairs]) destroy(pair);
                server.close(() => resolve());
            });
        },
    };
}
