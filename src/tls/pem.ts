/**
 * Offline checks of PEM certificates and keys with `node:crypto`: does a PEM parse, does a key
 * belong to a certificate, which names a certificate covers, is it within its validity period.
 * Messages name the argument (`tls.certPem`, …) and never contain key material.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { isIP } from "node:net";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----/;

/** What a PEM argument holds. */
export type PemKind = "certificate" | "key";

/**
 * Why `value` is not a usable PEM `kind` (a problem text without the argument's name), or
 * undefined when it parses. An encrypted key gets the command that decrypts it.
 */
export function pemProblem(value: unknown, kind: PemKind): string | undefined {
    if (typeof value !== "string" || !PEM_BLOCK.test(value)) {
        return `must be a PEM ${kind} (-----BEGIN …----- block), not a file path or base64 text`;
    }
    try {
        if (kind === "certificate") new X509Certificate(value);
        else createPrivateKey(value);
        return undefined;
    } catch {
        if (kind === "key" && /ENCRYPTED/.test(value)) {
            return "is an encrypted private key; CockroachDB needs it unencrypted (openssl pkey -in key.pem -out key.decrypted.pem)";
        }
        return `looks like PEM but does not parse as ${kind === "key" ? "a private key" : "an X.509 certificate"}`;
    }
}

/** True when `key` is the private key of `cert`. */
export function keyBelongsTo(cert: X509Certificate, key: KeyObject): boolean {
    return cert.checkPrivateKey(key);
}

/**
 * False when both PEMs parse and the key is not the certificate's private key; true otherwise
 * (unparseable PEMs are reported on their own).
 */
export function pemKeyPairMatches(certPem: string, keyPem: string): boolean {
    try {
        return keyBelongsTo(new X509Certificate(certPem), createPrivateKey(keyPem));
    } catch {
        return true;
    }
}

/** Extended key usage OIDs (RFC 5280 §4.2.1.12). */
export const EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

/** Parses the first certificate of a PEM bundle, or returns undefined. */
export function parseCertificate(pem: string): X509Certificate | undefined {
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) return undefined;
    try {
        return new X509Certificate(pem);
    } catch {
        return undefined;
    }
}

/** Parses a PEM private key (PKCS#8, SEC1 EC or PKCS#1 RSA), or returns undefined. */
export function parsePrivateKey(pem: string): KeyObject | undefined {
    if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(pem)) return undefined;
    try {
        return createPrivateKey({ key: pem, format: "pem" });
    } catch {
        return undefined;
    }
}

/** The DNS names and IP addresses in a certificate's subjectAltName extension. */
export function subjectAltNames(cert: X509Certificate): { dns: string[]; ip: string[] } {
    const dns: string[] = [];
    const ip: string[] = [];
    for (const entry of (cert.subjectAltName ?? "").split(/,\s*/)) {
        if (entry.startsWith("DNS:")) dns.push(entry.slice(4));
        else if (entry.startsWith("IP Address:")) ip.push(entry.slice(11));
    }
    return { dns, ip };
}

/** True when the certificate's SANs cover `name` (a DNS name, wildcard-aware, or an IP address). */
export function certificateCovers(cert: X509Certificate, name: string): boolean {
    if (isIP(name) !== 0) return cert.checkIP(name) !== undefined;
    return cert.checkHost(name, { subject: "never" }) !== undefined;
}

/** The names in `required` that the certificate does not cover, in the order given. */
export function uncoveredNames(cert: X509Certificate, required: readonly string[]): string[] {
    return required.filter((name) => !certificateCovers(cert, name));
}

/**
 * How far in the future a certificate's start may be and still count as valid: certificates
 * are often issued on a host whose clock runs slightly ahead, and `openssl`-style tools stamp
 * "not before" with the issuing second.
 */
export const NOT_BEFORE_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A problem with the certificate's validity period at `now`, or undefined when it is valid.
 * `label` names the argument in the message.
 */
export function validityProblem(
    cert: X509Certificate,
    label: string,
    now: Date,
): string | undefined {
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    if (now.getTime() > notAfter.getTime()) {
        return `${label} expired on ${notAfter.toISOString()}; issue a new certificate`;
    }
    if (now.getTime() + NOT_BEFORE_CLOCK_SKEW_MS < notBefore.getTime()) {
        return `${label} is not valid before ${notBefore.toISOString()}; check the issuing host's clock`;
    }
    return undefined;
}

/** Hours left until the certificate expires (negative once expired). */
export function hoursUntilExpiry(cert: X509Certificate, now: Date): number {
    return (new Date(cert.validTo).getTime() - now.getTime()) / 3_600_000;
}

/** True when the certificate allows `oid` as extended key usage (no EKU extension allows all). */
export function allowsExtendedKeyUsage(cert: X509Certificate, oid: string): boolean {
    const usages = cert.keyUsage;
    if (usages === undefined || usages.length === 0) return true;
    return usages.includes(oid) || usages.includes("2.5.29.37.0");
}
