/**
 * Validation of brought-in TLS material for the replicator's webhook server (and, optionally, the
 * changefeed's client certificate). Pure and offline; every problem is reported at once.
 */
import type { X509Certificate } from "node:crypto";

import {
    allowsExtendedKeyUsage,
    EKU_CLIENT_AUTH,
    EKU_SERVER_AUTH,
    keyBelongsTo,
    parseCertificate,
    parsePrivateKey,
    subjectAltNames,
    uncoveredNames,
    validityProblem,
} from "./pem";

/** PEM material brought in by the user (all values are plain strings here). */
export interface TlsMaterial {
    caCertPem: string;
    certPem: string;
    keyPem: string;
    clientCertPem?: string;
    clientKeyPem?: string;
}

/**
 * Returns every problem with `material`, as messages that name the argument (`tls.certPem`, …).
 * `requiredNames` are the host names (or IP addresses) the server certificate must cover.
 */
export function validateTlsMaterial(
    material: TlsMaterial,
    requiredNames: readonly string[],
    now: Date = new Date(),
): string[] {
    const problems: string[] = [];
    const ca = parseCertificate(material.caCertPem);
    if (!ca) problems.push("tls.caCertPem is not a PEM-encoded X.509 certificate");
    else pushIfDefined(problems, validityProblem(ca, "tls.caCertPem", now));

    const cert = parseCertificate(material.certPem);
    const key = parsePrivateKey(material.keyPem);
    if (!cert) problems.push("tls.certPem is not a PEM-encoded X.509 certificate");
    if (!key) problems.push("tls.keyPem is not a PEM-encoded private key");
    if (cert) {
        if (key && !keyBelongsTo(cert, key)) {
            problems.push("tls.keyPem does not belong to the certificate in tls.certPem");
        }
        if (ca && !signedBy(cert, ca)) {
            problems.push("tls.certPem is not signed by the certificate in tls.caCertPem");
        }
        const missing = uncoveredNames(cert, requiredNames);
        if (missing.length > 0) {
            problems.push(
                `tls.certPem does not cover ${missing.join(", ")} ` +
                    `(its subjectAltName: ${describeSans(cert)}); ` +
                    "reissue it with these names as DNS (or IP) subject alternative names",
            );
        }
        if (!allowsExtendedKeyUsage(cert, EKU_SERVER_AUTH)) {
            problems.push(
                "tls.certPem does not allow TLS server authentication (extended key usage)",
            );
        }
        pushIfDefined(problems, validityProblem(cert, "tls.certPem", now));
    }

    problems.push(...clientProblems(material, ca, now));
    return problems;
}

function clientProblems(
    material: TlsMaterial,
    ca: X509Certificate | undefined,
    now: Date,
): string[] {
    const { clientCertPem, clientKeyPem } = material;
    if (clientCertPem === undefined && clientKeyPem === undefined) return [];
    if (clientCertPem === undefined || clientKeyPem === undefined) {
        return ["tls.clientCertPem and tls.clientKeyPem must be given together"];
    }
    const problems: string[] = [];
    const cert = parseCertificate(clientCertPem);
    const key = parsePrivateKey(clientKeyPem);
    if (!cert) problems.push("tls.clientCertPem is not a PEM-encoded X.509 certificate");
    if (!key) problems.push("tls.clientKeyPem is not a PEM-encoded private key");
    if (cert) {
        if (key && !keyBelongsTo(cert, key)) {
            problems.push(
                "tls.clientKeyPem does not belong to the certificate in tls.clientCertPem",
            );
        }
        if (!allowsExtendedKeyUsage(cert, EKU_CLIENT_AUTH)) {
            problems.push(
                "tls.clientCertPem does not allow TLS client authentication (extended key usage)",
            );
        }
        pushIfDefined(problems, validityProblem(cert, "tls.clientCertPem", now));
    }
    return problems;
}

function signedBy(cert: X509Certificate, ca: X509Certificate): boolean {
    try {
        return cert.verify(ca.publicKey);
    } catch {
        return false;
    }
}

function describeSans(cert: X509Certificate): string {
    const { dns, ip } = subjectAltNames(cert);
    const all = [...dns.map((d) => `DNS:${d}`), ...ip.map((i) => `IP:${i}`)];
    return all.length > 0 ? all.join(", ") : "none";
}

function pushIfDefined(list: string[], item: string | undefined): void {
    if (item !== undefined) list.push(item);
}
