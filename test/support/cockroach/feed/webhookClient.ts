/**
 * The HTTPS client of the webhook sink: one POST per batch, TLS verified against the system
 * roots plus `ca_cert` and the host name (unless `insecure_tls_skip_verify`), the client
 * certificate presented when given, `Content-Type: application/json`, `Authorization` from
 * `webhook_auth_header`, and `webhook_client_timeout` for the whole exchange. Failures are
 * reported in the words CockroachDB (Go) uses.
 */
import { Agent, request } from "node:https";
import { STATUS_CODES } from "node:http";
import { rootCertificates } from "node:tls";
import { goCheckServerIdentity, goPostError } from "./goErrors";
import type { WebhookTarget } from "./sinkUrl";

/** A failed POST; `message` is the Go-shaped error text (without `transient error: `). */
export class SinkError extends Error {}

/** Thrown when the feed is being stopped. */
export class StoppedError extends Error {
    constructor() {
        super("feed stopped");
    }
}

export interface WebhookClientOptions {
    /** `webhook_client_timeout` in ms. */
    timeoutMs: number;
    /** `webhook_auth_header`, or undefined for no `Authorization` header. */
    authHeader: string | undefined;
}

export class WebhookClient {
    private readonly agent: Agent;

    constructor(
        private readonly target: WebhookTarget,
        private readonly options: WebhookClientOptions,
    ) {
        this.agent = new Agent({
            keepAlive: true,
            maxSockets: 1,
            ca: target.caCertPem ? [...rootCertificates, target.caCertPem] : undefined,
            cert: target.clientCertPem,
            key: target.clientKeyPem,
            rejectUnauthorized: !target.skipVerify,
            checkServerIdentity: target.skipVerify ? () => undefined : goCheckServerIdentity,
        });
    }

    /** POSTs `body`; resolves on 2xx, throws {@link SinkError} otherwise. */
    post(body: string, signal: AbortSignal): Promise<void> {
        if (signal.aborted) return Promise.reject(new StoppedError());
        const url = this.target.url;
        return new Promise<void>((resolve, reject) => {
            let settled = false;
            const finish = (err?: Error) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                signal.removeEventListener("abort", onAbort);
                if (err) reject(err);
                else resolve();
            };
            const headers: Record<string, string | number> = {
                "Content-Type": "application/json",
                "Content-Length": Buffer.byteLength(body),
            };
            if (this.options.authHeader !== undefined) {
                headers.Authorization = this.options.authHeader;
            }
            const req = request(url, { method: "POST", agent: this.agent, headers }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (chunk: Buffer) => chunks.push(chunk));
                res.on("error", (err) => finish(new SinkError(goPostError(url, err))));
                res.on("end", () => {
                    const status = res.statusCode ?? 0;
                    if (status >= 200 && status < 300) return finish();
                    const statusText = res.statusMessage || STATUS_CODES[status] || "";
                    const text = Buffer.concat(chunks).toString("utf8");
                    finish(new SinkError(`${status} ${statusText}: ${text}`));
                });
            });
            req.on("error", (err) => {
                if (signal.aborted) finish(new StoppedError());
                else finish(new SinkError(goPostError(url, err)));
            });
            const timer = setTimeout(() => {
                finish(
                    new SinkError(
                        `Post ${JSON.stringify(url)}: context deadline exceeded ` +
                            "(Client.Timeout exceeded while awaiting headers)",
                    ),
                );
                req.destroy();
            }, this.options.timeoutMs);
            const onAbort = () => {
                finish(new StoppedError());
                req.destroy();
            };
            signal.addEventListener("abort", onAbort);
            req.end(body);
        });
    }

    /** Closes every socket. */
    close(): void {
        this.agent.destroy();
    }
}
