/**
 * What the component asks `@pulumi/tls` for when it generates the TLS material: key algorithm,
 * certificate usages and subjects. Exported so tests can build the same certificates with openssl.
 */

/** Every generated key (CA, server, client, JWT) is ECDSA P-256. */
export const KEY_ALGORITHM = "ECDSA";
export const ECDSA_CURVE = "P256";

/** The CA signs certificates (and CRLs); it is never a TLS endpoint. */
export const CA_ALLOWED_USES: readonly string[] = [
    "cert_signing",
    "crl_signing",
    "digital_signature",
];
/** The replicator's webhook server certificate (ECDSA: no key encipherment). */
export const SERVER_ALLOWED_USES: readonly string[] = ["digital_signature", "server_auth"];
/** The changefeed's client certificate (`client_cert`). */
export const CLIENT_ALLOWED_USES: readonly string[] = ["digital_signature", "client_auth"];

export const SUBJECT_ORGANIZATION = "crdb-failback";
export const CLIENT_COMMON_NAME = "crdb-failback-changefeed";

export function caCommonName(serviceName: string): string {
    return `${serviceName} replicator CA`;
}
