/**
 * The webhook sink: validating the replicator's URL, building the `webhook-https://` sink URI
 * with TLS material, and the host/port/path identity used to tell whether two changefeeds feed
 * the same replicator (CockroachDB shows sink URIs with secret parameters `redacted`).
 */

/** Where a webhook sink delivers: what makes two feeds "the same replicator". */
export interface SinkIdentity {
    host: string;
    port: string;
    /** The path without a trailing slash, e.g. `/migration_db/migration_schema`. */
    path: string;
}

const WEBHOOK_URL_SHAPE = /^https:\/\/([^/?#@\s]+):(\d{1,5})(\/[^?#\s]*)$/;

/**
 * Parses `https://host:port/<path>` where the path has one segment (MySQL database, Oracle
 * schema) or two (PostgreSQL database/schema). Returns the identity, or a problem text.
 */
export function parseWebhookUrl(url: string): SinkIdentity | { problem: string } {
    const match = WEBHOOK_URL_SHAPE.exec(url);
    if (!match) {
        return {
            problem:
                "must be https://host:port/<path> with an explicit port and no query string or fragment " +
                "(e.g. https://replicator.failback.svc:30004/migration_db/migration_schema)",
        };
    }
    const [, , port = "", path = ""] = match;
    const portNumber = Number(port);
    if (portNumber < 1 || portNumber > 65535) return { problem: `port ${port} is out of range` };
    const segments = path.split("/").slice(1);
    if (segments.length < 1 || segments.length > 2 || segments.some((s) => s === "")) {
        return {
            problem:
                "the path must have one segment (/<database> for MySQL, /<SCHEMA> for Oracle) or two " +
                "(/<database>/<schema> for PostgreSQL), without a trailing slash",
        };
    }
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return { problem: "is not a valid URL" };
    }
    return { host: parsed.hostname.toLowerCase(), port, path: parsed.pathname };
}

/** The TLS material a sink URI carries. */
export interface SinkTls {
    caCertPem: string;
    clientCertPem?: string;
    clientKeyPem?: string;
}

/**
 * A PEM as a sink query parameter value: base64 of the PEM text, then URL-encoded, because
 * CockroachDB query-decodes the URI first (a raw `+` would become a space) and then expects
 * base64 (reference cockroachdb.md §6.2).
 */
export function encodeSinkParam(pem: string): string {
    return encodeURIComponent(Buffer.from(pem, "utf8").toString("base64"));
}

/** `webhook-https://host:port/path?ca_cert=…&client_cert=…&client_key=…` (a secret). */
export function buildSinkUri(webhookUrl: string, tls: SinkTls): string {
    const params = [`ca_cert=${encodeSinkParam(tls.caCertPem)}`];
    if (tls.clientCertPem) params.push(`client_cert=${encodeSinkParam(tls.clientCertPem)}`);
    if (tls.clientKeyPem) params.push(`client_key=${encodeSinkParam(tls.clientKeyPem)}`);
    return `webhook-${webhookUrl}?${params.join("&")}`;
}

/**
 * The identity of a sink URI as CockroachDB reports it (`webhook-https://host:port/path?…`,
 * parameters possibly `redacted`). `undefined` for other sink kinds.
 */
export function sinkIdentityOf(sinkUri: string | null | undefined): SinkIdentity | undefined {
    if (!sinkUri || !sinkUri.startsWith("webhook-")) return undefined;
    let parsed: URL;
    try {
        parsed = new URL(sinkUri.slice("webhook-".length));
    } catch {
        return undefined;
    }
    const defaultPort = parsed.protocol === "https:" ? "443" : "80";
    return {
        host: parsed.hostname.toLowerCase(),
        port: parsed.port || defaultPort,
        path: parsed.pathname.replace(/\/+$/, "") || "/",
    };
}

/** True when both identities are the same host, port and path. */
export function sameSink(a: SinkIdentity | undefined, b: SinkIdentity | undefined): boolean {
    return !!a && !!b && a.host === b.host && a.port === b.port && a.path === b.path;
}

/** `host:port/path`, for messages (no credentials or TLS material). */
export function describeSink(identity: SinkIdentity): string {
    return `${identity.host}:${identity.port}${identity.path}`;
}
