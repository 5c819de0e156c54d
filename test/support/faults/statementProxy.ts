/**
 * A statement-aware loopback TCP proxy for crash-point tests. It understands enough of pgwire
 * (PostgreSQL, CockroachDB) and of the MySQL client protocol (MariaDB, MySQL) to count the
 * statements clients send through it — across every connection — and to cut the connection
 * that carries a chosen statement k:
 *
 * - `"before"`: statement k never reaches the server (its frame is dropped, both sockets are
 *   destroyed);
 * - `"after"`: statement k is forwarded, the server executes it and answers completely
 *   (pgwire ReadyForQuery, MySQL end of OK/ERR/result set), and then both sockets are destroyed
 *   without the client receiving any of that answer — a lost acknowledgement.
 *
 * Unarmed, it only records the statement texts, so a suite can run an operation once cleanly and
 * derive its crash points from what the operation actually sent. TLS is kept off: the proxy
 * answers pgwire's SSLRequest with 'N' itself and clears CLIENT_SSL in MySQL's greeting.
 * Protocol details: `wire/pgwire.ts`, `wire/mysql.ts`.
 */
import { Socket } from "node:net";

import { listenOnLoopback, urlThroughProxy } from "./loopback";
import type { ClientFrame, ServerFrame, WireCodec } from "./wire/codec";
import { MysqlCodec } from "./wire/mysql";
import { PgwireCodec } from "./wire/pgwire";

export type WireProtocol = "pgwire" | "mysql";

/** Where to cut relative to the chosen statement. */
export type CutPoint = "before" | "after";

export interface StatementCut {
    /** 1-based: the k-th statement sent after `armCut` was called. */
    statement: number;
    when: CutPoint;
}

export interface StatementProxyOptions {
    protocol: WireProtocol;
    targetPort: number;
    /** Default 127.0.0.1. */
    targetHost?: string;
}

/** What a fired cut hit. */
export interface FiredCut extends StatementCut {
    /** The text of statement k as the client sent it. */
    text: string;
}

export interface StatementProxy {
    readonly host: string;
    readonly port: number;
    /** Texts of every statement sent through the proxy since start or `reset()`, in order. */
    readonly statements: readonly string[];
    /** The cuts that fired since start or `reset()`. */
    readonly fired: readonly FiredCut[];
    /** `url` with its host and port replaced by the proxy's. */
    urlFor(url: string): string;
    /** Arms one cut (replacing any armed one); it fires once. */
    armCut(cut: StatementCut): void;
    disarm(): void;
    /** Forgets the recorded statements and fired cuts, and disarms. */
    reset(): void;
    /** Stops listening and destroys every live connection. */
    close(): Promise<void>;
}

interface Pair {
    client: Socket;
    server: Socket;
    codec: WireCodec;
    /** Answers the client's forwarded frames will get, and answers the server completed. */
    answersExpected: number;
    answersCompleted: number;
    /** After an "after" cut was triggered: the answer whose completion ends the connection. */
    lastAnswer?: number;
    closed: boolean;
}

function codecFor(protocol: WireProtocol): WireCodec {
    return protocol === "pgwire" ? new PgwireCodec() : new MysqlCodec();
}

/** Starts a statement proxy on 127.0.0.1 (ephemeral port) in front of a loopback server. */
export async function startStatementProxy(options: StatementProxyOptions): Promise<StatementProxy> {
    const targetHost = options.targetHost ?? "127.0.0.1";
    const pairs = new Set<Pair>();
    let statements: string[] = [];
    let fired: FiredCut[] = [];
    let armed: (StatementCut & { target: number }) | undefined;

    const destroy = (pair: Pair) => {
        pair.closed = true;
        pair.client.destroy();
        pair.server.destroy();
        pairs.delete(pair);
    };

    /** Records the frame's statements; returns the cut that the frame triggers, if any. */
    const count = (frame: ClientFrame): FiredCut | undefined => {
        let hit: FiredCut | undefined;
        for (const text of frame.statements) {
            statements.push(text);
            if (armed && hit === undefined && statements.length === armed.target) {
                hit = { statement: armed.statement, when: armed.when, text };
                fired.push(hit);
                armed = undefined;
            }
        }
        return hit;
    };

    const fromClient = (pair: Pair, chunk: Buffer) => {
        for (const frame of pair.codec.fromClient(chunk)) {
            if (pair.closed) return;
            // Once the statement to cut after is on its way, nothing else is sent.
            if (pair.lastAnswer !== undefined) continue;
            if (frame.reply) {
                pair.client.write(frame.reply);
                continue;
            }
            const hit = count(frame);
            if (hit?.when === "before") {
                destroy(pair);
                return;
            }
            pair.server.write(frame.bytes);
            if (frame.expectsAnswer) pair.answersExpected += 1;
            if (hit?.when === "after") {
                pair.lastAnswer = frame.expectsAnswer
                    ? pair.answersExpected
                    : pair.answersExpected + 1;
            }
        }
    };

    const fromServer = (pair: Pair, chunk: Buffer) => {
        for (const frame of pair.codec.fromServer(chunk)) {
            if (pair.closed) return;
            relayAnswer(pair, frame);
        }
    };

    /** Forwards frames of answers before the cut one; ends the connection when that one completes. */
    const relayAnswer = (pair: Pair, frame: ServerFrame) => {
        const answer = pair.answersCompleted + 1;
        if (frame.completesAnswer) pair.answersCompleted = answer;
        if (pair.lastAnswer === undefined || answer < pair.lastAnswer) {
            pair.client.write(frame.bytes);
            return;
        }
        if (frame.completesAnswer && answer >= pair.lastAnswer) destroy(pair);
    };

    const { server, port } = await listenOnLoopback((client) => {
        const upstream = new Socket();
        const pair: Pair = {
            client,
            server: upstream,
            codec: codecFor(options.protocol),
            answersExpected: 0,
            answersCompleted: 0,
            closed: false,
        };
        pairs.add(pair);
        client.pause();
        for (const socket of [client, upstream]) {
            socket.on("error", () => destroy(pair));
            socket.on("close", () => destroy(pair));
        }
        upstream.connect(options.targetPort, targetHost, () => {
            client.on("data", (chunk: Buffer) => fromClient(pair, chunk));
            upstream.on("data", (chunk: Buffer) => fromServer(pair, chunk));
            client.resume();
        });
    });

    return {
        host: "127.0.0.1",
        port,
        get statements() {
            return [...statements];
        },
        get fired() {
            return [...fired];
        },
        urlFor: (url) => urlThroughProxy(url, port),
        armCut(cut) {
            if (!Number.isInteger(cut.statement) || cut.statement < 1) {
                throw new Error(`statement must be a positive integer, got ${cut.statement}`);
            }
            armed = { ...cut, target: statements.length + cut.statement };
        },
        disarm() {
            armed = undefined;
        },
        reset() {
            statements = [];
            fired = [];
            armed = undefined;
        },
        close() {
            return new Promise<void>((resolve) => {
                for (const pair of [...pairs]) destroy(pair);
                server.close(() => resolve());
            });
        },
    };
}
