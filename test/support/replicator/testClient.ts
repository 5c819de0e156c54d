/**
 * Test-only HTTPS/HTTP client for the stand-in: one request per connection (no keep-alive, so
 * nothing is left open) and a bounded timeout.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface SendOptions {
    method?: string;
    body?: string;
    token?: string;
    /** CA that signed the server certificate (https only). */
    ca?: string;
    /** Client certificate and key (https only). */
    cert?: string;
    key?: string;
    timeoutMs?: number;
}

export function send(
    url: string,
    options: SendOptions = {},
): Promise<{ status: number; body: string }> {
    const target = new URL(url);
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    const method = options.method ?? (options.body === undefined ? "GET" : "POST");
    return new Promise((resolve, reject) => {
        const common = {
            method,
            headers,
            agent: false as const,
            timeout: options.timeoutMs ?? 10_000,
        };
        const onResponse = (res: import("node:http").IncomingMessage) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({
                    status: res.statusCode ?? 0,
                    body: Buffer.concat(chunks).toString("utf8"),
                }),
            );
            res.on("error", reject);
        };
        const req =
            target.protocol === "https:"
                ? httpsRequest(
                      target,
                      { ...common, ca: options.ca, cert: options.cert, key: options.key },
                      onResponse,
                  )
                : httpRequest(target, common, onResponse);
        req.on("timeout", () => req.destroy(new Error(`request to ${target.pathname} timed out`)));
        req.on("error", reject);
        req.end(options.body);
    });
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs`. */
export async function waitUntil(
    what: string,
    check: () => Promise<boolean>,
    timeoutMs = 5_000,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await check()) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}
