/**
 * One bounded GET of the replicator's Prometheus endpoint, with failures classified by their
 * Node.js error code (never by message text) into what they mean for the drain gate.
 */
import * as http from "node:http";
import * as https from "node:https";

import { redactUrl } from "../kernel/redact";
import { type PrometheusSample, PrometheusParseError, parsePrometheusText } from "./prometheusText";

/** The largest body read: `/_/varz` of a busy replicator is well under 1 MB. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * - `refused`: nothing listens there (stopped, or a wrong port);
 * - `unresolved`: the host name does not resolve (a wrong or deleted Service);
 * - `timeout`: no complete answer within the fetch timeout;
 * - `network`: another connection-level error (reset, unreachable);
 * - `tls`: the TLS handshake failed (certificate not trusted, wrong host name);
 * - `http`: an HTTP status other than 200;
 * - `notPrometheus`: a 200 whose body is not Prometheus text (a wrong path);
 * - `tooLarge`: a body over 16 MB.
 */
export type ScrapeFailureKind =
    | "refused"
    | "unresolved"
    | "timeout"
    | "network"
    | "tls"
    | "http"
    | "notPrometheus"
    | "tooLarge";

export interface ScrapeSuccess {
    ok: true;
    samples: PrometheusSample[];
}

export interface ScrapeFailure {
    ok: false;
    kind: ScrapeFailureKind;
    /** What happened, for messages (the URL redacted). */
    detail: string;
    /** Whether a server answered at all (an HTTP response arrived). */
    responded: boolean;
    /** True for a failure that retrying will not fix (wrong path, not a metrics endpoint). */
    definitive: boolean;
}

export type ScrapeResult = ScrapeSuccess | ScrapeFailure;

/** A path-less URL (`http://host:30005`) gets the replicator's metrics path `/_/varz`. */
export function metricsEndpoint(metricsUrl: string): URL {
    const url = new URL(metricsUrl);
    if (url.pathname === "" || url.pathname === "/") url.pathname = "/_/varz";
    return url;
}

const REFUSED_CODES = new Set(["ECONNREFUSED"]);
const UNRESOLVED_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT", "UND_ERR_CONNECT_TIMEOUT"]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_)/;

/** Classifies a request error by its `code`. */
export function classifyNetworkError(err: unknown): ScrapeFailureKind {
    const code = String((err as { code?: unknown } | null)?.code ?? "");
    if (REFUSED_CODES.has(code)) return "refused";
    if (UNRESOLVED_CODES.has(code)) return "unresolved";
    if (TIMEOUT_CODES.has(code)) return "timeout";
    if (TLS_CODE.test(code)) return "tls";
    return "network";
}

/** GETs `metricsUrl` (with `/_/varz` appended when it has no path) within `timeoutMs`. */
export function scrapeMetrics(metricsUrl: string, timeoutMs: number): Promise<ScrapeResult> {
    const url = metricsEndpoint(metricsUrl);
    const shown = redactUrl(url.toString());
    const client = url.protocol === "https:" ? https : http;
    return new Promise<ScrapeResult>((resolve) => {
        let settled = false;
        const finish = (result: ScrapeResult) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            request.destroy();
            resolve(result);
        };
        const fail = (kind: ScrapeFailureKind, detail: string, responded: boolean) =>
            finish({
                ok: false,
                kind,
                detail: `${shown}: ${detail}`,
                responded,
                definitive: ["tls", "notPrometheus", "tooLarge"].includes(kind),
            });
        const request = client.get(
            url,
            {
                headers: {
                    // The classic text format; the parser also reads OpenMetrics if served.
                    Accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1",
                    "Accept-Encoding": "identity",
                },
                agent: false,
            },
            (response) => {
                const status = response.statusCode ?? 0;
                if (status !== 200) {
                    response.resume();
                    finish({
                        ok: false,
                        kind: "http",
                        detail: `${shown}: HTTP ${status}${status === 404 ? " (no such path)" : ""}`,
                        responded: true,
                        // 4xx will not go away by waiting; 5xx may (a proxy in front restarting).
                        definitive: status < 500,
                    });
                    return;
                }
                const chunks: Buffer[] = [];
                let size = 0;
                response.on("data", (chunk: Buffer) => {
                    size += chunk.length;
                    if (size > MAX_BODY_BYTES) {
                        fail("tooLarge", `body larger than ${MAX_BODY_BYTES} bytes`, true);
                        return;
                    }
                    chunks.push(chunk);
                });
                response.on("error", (err) =>
                    fail(classifyNetworkError(err), describeError(err), true),
                );
                response.on("end", () => {
                    try {
                        const samples = parsePrometheusText(Buffer.concat(chunks).toString("utf8"));
                        finish({ ok: true, samples });
                    } catch (err) {
                        const reason =
                            err instanceof PrometheusParseError ? err.message : describeError(err);
                        fail("notPrometheus", `not Prometheus text (${reason})`, true);
                    }
                });
            },
        );
        request.on("error", (err) => fail(classifyNetworkError(err), describeError(err), false));
        const timer = setTimeout(
            () => fail("timeout", `no answer within ${timeoutMs} ms`, false),
            timeoutMs,
        );
    });
}

function describeError(err: unknown): string {
    const code = (err as { code?: unknown } | null)?.code;
    const message = err instanceof Error ? err.message : String(err);
    return code && !message.includes(String(code)) ? `${code}: ${message}` : message;
}
