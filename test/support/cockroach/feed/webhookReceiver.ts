/**
 * A local HTTPS endpoint for tests that records every webhook request (body, headers, the
 * client certificate it saw) and answers with whatever the test decides.
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import type { CertAndKey } from "./testCerts";

/** One received request. */
export interface ReceivedRequest {
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: string;
    /** Whether the client presented a certificate the receiver's CA verified. */
    clientAuthorized: boolean;
    /** Common name of the presented client certificate, if any. */
    clientCommonName: string | undefined;
    /** Status the receiver answered with. */
    status: number;
    /** `performance.now()` when the request was answered. */
    at: number;
}

/** How to answer: status and body (default 200 `OK`), or "hang" to never answer. */
export type Answer = { status: number; body?: string } | "hang";

export interface WebhookReceiver {
    port: number;
    requests: ReceivedRequest[];
    /** Decides each answer; default: 200 OK. */
    respond: (request: Omit<ReceivedRequest, "status" | "at">) => Answer;
    close(): Promise<void>;
}

/**
 * Starts the receiver on 127.0.0.1 with `server`'s certificate. With `clientCa`, it asks for a
 * client certificate and verifies it against that CA (but still answers without one, recording
 * `clientAuthorized: false`).
 */
export async function startWebhookReceiver(
    server: CertAndKey,
    clientCa?: string,
): Promise<WebhookReceiver> {
    const receiver: WebhookReceiver = {
        port: 0,
        requests: [],
        respond: () => ({ status: 200, body: "OK" }),
        close: async () => undefined,
    };
    const https: Server = createServer(
        {
            cert: server.certPem,
            key: server.keyPem,
            ca: clientCa,
            requestCert: clientCa !== undefined,
            rejectUnauthorized: false,
        },
        (req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (chunk: Buffer) => chunks.push(chunk));
            req.on("end", () => {
                const socket = req.socket as TLSSocket;
                const peer = socket.getPeerCertificate();
                const seen = {
                    path: req.url ?? "",
                    headers: req.headers,
                    body: Buffer.concat(chunks).toString("utf8"),
                    clientAuthorized: socket.authorized,
                    clientCommonName:
                        peer && typeof peer.subject?.CN === "string" ? peer.subject.CN : undefined,
                };
                const answer = receiver.respond(seen);
                if (answer === "hang") return;
                receiver.requests.push({ ...seen, status: answer.status, at: performance.now() });
                res.writeHead(answer.status, { "Content-Type": "text/plain" });
                res.end(answer.body ?? (answer.status === 200 ? "OK" : ""));
            });
        },
    );
    await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
    receiver.port = (https.address() as AddressInfo).port;
    receiver.close = () =>
        new Promise<void>((resolve) => {
            https.close(() => resolve());
            https.closeAllConnections();
        });
    return receiver;
}

/** The parsed JSON bodies of the accepted (2xx) requests. */
export function acceptedBodies(receiver: WebhookReceiver): unknown[] {
    return receiver.requests
        .filter((r) => r.status >= 200 && r.status < 300)
        .map((r) => JSON.parse(r.body) as unknown);
}
