/**
 * The webhook sink: validating the replicator's URL, building the `webhook-https://` sink URI
 * with TLS material, and the host/port/path identity used to tell whether two changefeeds feed
 * the same replicator (CockroachDB shows sink URIs with secret parameters `redacted`).
 *
 * Two sinks are the same replicator target when the network and the replicator see them so
 * (docs/changefeed-sinks.md): every loopback name/address is one host, a missing port is 443,
 * names resolving to a shared address are one host, and the path is read the way the
 * replicator's webhook handler reads it — empty segments skipped, each segment query-unescaped
 * (`%70` is `p`, `+` is a space), schema names compared without regard to case.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Where a webhook sink delivers: what makes two feeds "the same replicator". */
export interface SinkIdentity {
    /** The host as written (lowercased), for messages. */
    host: string;
    port: string;
    /** The path without a trailing slash, e.g. `/migration_db/migration_schema`, for messages. */
    path: string;
    /** The host as the network sees it: `loopback` for any loopback name or address. */
    hostKey: string;
    /** The path as the replicator sees it ({@link pathKeyOf}), e.g. `migration_db/public`. */
    pathKey: string;
}

const LOOPBACK = "loopback";

/** `loopback` for localhost, 127.0.0.0/8, ::1 and ::ffff:127.x; else the normalized host. */
export function hostKeyOf(host: string): string {
    const bare = host
        .toLowerCase()
        .replace(/^\[|\]$/g, "")
        .replace(/\.$/, "");
    if (bare === "localhost" || bare.endsWith(".localhost")) return LOOPBACK;
    if (isIP(bare) === 4 && bare.startsWith("127.")) return LOOPBACK;
    if (isIP(bare) === 6) {
        if (/^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(bare)) return LOOPBACK;
        const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
        if (mapped) return hostKeyOf(mapped[1]!);
    }
    return bare;
}

/**
 * The segments of an escaped webhook path as the replicator reads them
 * (`internal/source/cdc/request.go` `parseURL` in cockroachdb/replicator): split on `/` first,
 * empty ones ignored, then each `url.QueryUnescape`d — `+` is a space, `%2F` a `/` inside its
 * segment. `undefined` when a segment is not validly escaped (the replicator refuses the path).
 */
export function replicatorPathSegments(escapedPath: string): string[] | undefined {
    try {
        return escapedPath
            .split("/")
            .filter((segment) => segment !== "")
            .map((segment) => decodeURIComponent(segment.replace(/\+/g, " ")));
    } catch {
        return undefined;
    }
}

/**
 * The path as the replicator sees it, as a comparable key: its {@link replicatorPathSegments}
 * (the raw segments when they do not unescape), lowercased because identifiers compare
 * case-insensitively (`ident.Equal`), each re-encoded canonically and joined with `/`.
 */
export function pathKeyOf(escapedPath: string): string {
    const segments =
        replicatorPathSegments(escapedPath) ??
        escapedPath.split("/").filter((segment) => segment !== "");
    // Re-encoded so a `/` inside a segment never reads as a separator.
    return segments.map((segment) => encodeURIComponent(segment.toLowerCase())).join("/");
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
    const host = parsed.hostname.toLowerCase();
    return {
        host,
        port,
        path: parsed.pathname,
        hostKey: hostKeyOf(host),
        pathKey: pathKeyOf(parsed.pathname),
    };
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
    const host = parsed.hostname.toLowerCase();
    return {
        host,
        port: parsed.port || defaultPort,
        path: parsed.pathname.replace(/\/+$/, "") || "/",
        hostKey: hostKeyOf(host),
        pathKey: pathKeyOf(parsed.pathname),
    };
}

/** True when both identities are the same host (loopback as one), port and replicator path. */
export function sameSink(a: SinkIdentity | undefined, b: SinkIdentity | undefined): boolean {
    return !!a && !!b && a.hostKey === b.hostKey && a.port === b.port && a.pathKey === b.pathKey;
}

/** Resolves a host name to its addresses (tests pass their own). */
export type HostResolver = (host: string) => Promise<string[]>;

/** Every address `host` resolves to (an IP literal is itself); none when it does not resolve. */
export const resolveHost: HostResolver = async (host) => {
    const bare = host.replace(/^\[|\]$/g, "");
    if (isIP(bare)) return [bare];
    try {
        return (await lookup(bare, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
        return [];
    }
};

/**
 * {@link sameSink}, and also true when port and path match and the two hosts resolve to a shared
 * address (a service name and its IP, two DNS names of one load balancer).
 */
export async function sameSinkResolved(
    a: SinkIdentity | undefined,
    b: SinkIdentity | undefined,
    resolve: HostResolver = resolveHost,
): Promise<boolean> {
    if (sameSink(a, b)) return true;
    if (!a || !b || a.port !== b.port || a.pathKey !== b.pathKey) return false;
    const [ofA, ofB] = await Promise.all([resolve(a.host), resolve(b.host)]);
    const keysA = new Set(ofA.map(hostKeyOf));
    return ofB.some((address) => keysA.has(hostKeyOf(address)));
}

/** `host:port/path`, for messages (no credentials or TLS material). */
export function describeSink(identity: SinkIdentity): string {
    return `${identity.host}:${identity.port}${identity.path}`;
}

/** The inputs a sink URI is built from. */
export interface SinkInputs {
    webhookUrl: string;
    caCertPem: string;
    clientCertPem?: string;
    clientKeyPem?: string;
}

/** Inputs (or state) that may carry secrets. */
export type SecretBearing = Partial<SinkInputs> & {
    connection?: string;
    stagingConnection?: string;
    sinkUri?: string;
    authToken?: string;
};

/** The sink URI the inputs describe. */
export function sinkUriOf(inputs: SinkInputs): string {
    return buildSinkUri(inputs.webhookUrl, {
        caCertPem: inputs.caCertPem,
        clientCertPem: inputs.clientCertPem,
        clientKeyPem: inputs.clientKeyPem,
    });
}

/**
 * Every secret that could end up in a message: scrubbed before anything is thrown. `sinkUri` is
 * the inputs' sink URI when the caller has built it already.
 */
export function secretsOf(inputs: SecretBearing, sinkUri?: string): string[] {
    const out: string[] = [];
    for (const value of [
        inputs.connection,
        inputs.stagingConnection,
        inputs.sinkUri,
        inputs.clientKeyPem,
        inputs.authToken,
    ]) {
        if (value) out.push(value);
    }
    if (inputs.clientKeyPem) {
        out.push(
            Buffer.from(inputs.clientKeyPem).toString("base64"),
            encodeSinkParam(inputs.clientKeyPem),
        );
    }
    if (sinkUri !== undefined) out.push(sinkUri);
    else if (inputs.webhookUrl && inputs.caCertPem) {
        try {
            out.push(
                sinkUriOf({
                    ...inputs,
                    webhookUrl: inputs.webhookUrl,
                    caCertPem: inputs.caCertPem,
                }),
            );
        } catch {
            // inputs that do not describe a sink have no sink URI to hide
        }
    }
    return out;
}
