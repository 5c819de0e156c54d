/**
 * Node's network and TLS errors rephrased the way Go's `net/http` client reports them, since the
 * job's `running_status` shows CockroachDB's (Go) error text, e.g.
 * `Post "https://127.0.0.1:9/x": dial tcp 127.0.0.1:9: connect: connection refused`.
 */
import { isIP } from "node:net";
import type { PeerCertificate } from "node:tls";

const UNKNOWN_AUTHORITY_CODES = new Set([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "CERT_SIGNATURE_FAILURE",
    "CERT_UNTRUSTED",
]);

const TLS_ALERTS: Record<string, string> = {
    ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "certificate required",
    ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "bad certificate",
    ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "unknown certificate authority",
    ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: "handshake failure",
    ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: "access denied",
    ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: "expired certificate",
    ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: "unknown certificate",
    ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: "error decrypting message",
};

/** An error whose message is already in Go's words (set by {@link goCheckServerIdentity}). */
export class GoTlsError extends Error {}

interface NodeNetError {
    code?: string;
    message?: string;
    address?: string;
    port?: number;
    syscall?: string;
    hostname?: string;
}

/** `Post "<url>": <cause in Go's words>`. */
export function goPostError(url: string, err: unknown): string {
    return `Post ${JSON.stringify(url)}: ${goCause(err)}`;
}

/** The cause part of a Go transport error. */
export function goCause(err: unknown): string {
    if (err instanceof GoTlsError) return err.message;
    const e = (err ?? {}) as NodeNetError;
    const code = e.code ?? "";
    const endpoint =
        e.address !== undefined
            ? `${e.address.includes(":") ? `[${e.address}]` : e.address}:${e.port ?? ""}`
            : "";
    switch (code) {
        case "ECONNREFUSED":
            return `dial tcp ${endpoint}: connect: connection refused`;
        case "EHOSTUNREACH":
            return `dial tcp ${endpoint}: connect: no route to host`;
        case "ENETUNREACH":
            return `dial tcp ${endpoint}: connect: network is unreachable`;
        case "ETIMEDOUT":
            return `dial tcp ${endpoint}: i/o timeout`;
        case "ENOTFOUND":
        case "EAI_AGAIN":
            return `dial tcp: lookup ${e.hostname ?? ""}: no such host`;
        case "ECONNRESET":
            return "EOF";
        case "CERT_HAS_EXPIRED":
        case "CERT_NOT_YET_VALID":
            return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid";
    }
    if (UNKNOWN_AUTHORITY_CODES.has(code)) {
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
    }
    const alert = TLS_ALERTS[code];
    if (alert) return `remote error: tls: ${alert}`;
    return e.message ?? String(err);
}

/**
 * Go's `crypto/x509` host name check (no Common Name fallback), as a `checkServerIdentity`
 * for node:tls: returns a {@link GoTlsError} worded like Go's `x509.HostnameError`.
 */
export function goCheckServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
    const { dnsNames, ipAddresses } = subjectAltNames(cert.subjectaltname ?? "");
    const hostIp = host.replace(/^\[|\]$/g, "");
    if (isIP(hostIp)) {
        const wanted = normalizeIp(hostIp);
        if (ipAddresses.some((ip) => normalizeIp(ip) === wanted)) return undefined;
        return new GoTlsError(
            `tls: failed to verify certificate: ${hostnameErrorText(host, cert)}`,
        );
    }
    const wanted = host.toLowerCase().replace(/\.$/, "");
    if (dnsNames.some((pattern) => matchHostname(pattern.toLowerCase(), wanted))) return undefined;
    return new GoTlsError(`tls: failed to verify certificate: ${hostnameErrorText(host, cert)}`);
}

/** Go's `x509.HostnameError.Error()`. */
export function hostnameErrorText(
    host: string,
    cert: Pick<PeerCertificate, "subjectaltname">,
): string {
    const { dnsNames, ipAddresses } = subjectAltNames(cert.subjectaltname ?? "");
    const hostIp = host.replace(/^\[|\]$/g, "");
    let valid: string;
    if (isIP(hostIp)) {
        if (ipAddresses.length === 0) {
            return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
        }
        valid = ipAddresses.join(", ");
    } else {
        valid = dnsNames.join(", ");
    }
    if (valid === "") {
        return `x509: certificate is not valid for any names, but wanted to match ${host}`;
    }
    return `x509: certificate is valid for ${valid}, not ${host}`;
}

function subjectAltNames(text: string): { dnsNames: string[]; ipAddresses: string[] } {
    const dnsNames: string[] = [];
    const ipAddresses: string[] = [];
    for (const entry of text.split(/,\s*/)) {
        if (entry.startsWith("DNS:")) dnsNames.push(entry.slice(4));
        else if (entry.startsWith("IP Address:")) ipAddresses.push(entry.slice(11));
    }
    return { dnsNames, ipAddresses };
}

function normalizeIp(ip: string): string {
    return ip.toLowerCase().replace(/^::ffff:/, "");
}

/** Go's `matchHostnames`: a wildcard only as the whole leftmost label. */
function matchHostname(pattern: string, host: string): boolean {
    if (pattern === host) return true;
    if (!pattern.startsWith("*.")) return false;
    const dot = host.indexOf(".");
    return dot > 0 && host.slice(dot) === pattern.slice(1);
}
