/**
 * Test-time certificates made with the `openssl` CLI, in a temporary directory that `dispose()`
 * removes (no key file ever lands in the repository). The options use `@pulumi/tls` vocabulary
 * (`allowedUses` such as `server_auth`, `isCaCertificate`) so a test can mirror exactly what the
 * component asks `@pulumi/tls` for.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `@pulumi/tls` `allowed_uses` → openssl keyUsage / extendedKeyUsage names. */
const KEY_USAGES: Record<string, string> = {
    digital_signature: "digitalSignature",
    content_commitment: "nonRepudiation",
    key_encipherment: "keyEncipherment",
    data_encipherment: "dataEncipherment",
    key_agreement: "keyAgreement",
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
    encipher_only: "encipherOnly",
    decipher_only: "decipherOnly",
};
const EXTENDED_KEY_USAGES: Record<string, string> = {
    server_auth: "serverAuth",
    client_auth: "clientAuth",
    code_signing: "codeSigning",
    email_protection: "emailProtection",
    timestamping: "timeStamping",
    ocsp_signing: "OCSPSigning",
};

export interface CertificateRequest {
    commonName: string;
    organization?: string;
    dnsNames?: readonly string[];
    ipAddresses?: readonly string[];
    allowedUses: readonly string[];
    isCaCertificate?: boolean;
    validityHours?: number;
}

export interface KeyPair {
    keyPem: string;
    certPem: string;
}

/** A throw-away PKI in a temporary directory. */
export class TestPki {
    readonly #dir = mkdtempSync(join(tmpdir(), "crdb-failback-pki-"));
    #counter = 0;

    /** An ECDSA P-256 private key in SEC1 PEM (what `tls.PrivateKey` ECDSA/P256 gives). */
    ecKey(): string {
        const path = this.#path("key.pem");
        this.#openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path]);
        return readFileSync(path, "utf8");
    }

    /** A self-signed certificate (a CA when `isCaCertificate`). */
    selfSigned(request: CertificateRequest, keyPem = this.ecKey()): KeyPair {
        return { keyPem, certPem: this.#sign(request, keyPem, undefined) };
    }

    /** A certificate for a new (or given) key, signed by `issuer`. */
    signed(request: CertificateRequest, issuer: KeyPair, keyPem = this.ecKey()): KeyPair {
        return { keyPem, certPem: this.#sign(request, keyPem, issuer) };
    }

    /** Removes every file this PKI wrote. */
    dispose(): void {
        rmSync(this.#dir, { recursive: true, force: true });
    }

    #sign(request: CertificateRequest, keyPem: string, issuer: KeyPair | undefined): string {
        const keyPath = this.#write("subject.key", keyPem);
        const csrPath = this.#path("req.csr");
        const subject = `/CN=${request.commonName}${request.organization ? `/O=${request.organization}` : ""}`;
        this.#openssl(["req", "-new", "-key", keyPath, "-subj", subject, "-out", csrPath]);
        const extPath = this.#write("ext.cnf", extensions(request, issuer !== undefined));
        const certPath = this.#path("cert.pem");
        const days = String(Math.max(1, Math.ceil((request.validityHours ?? 24) / 24)));
        const signing = issuer
            ? [
                  "-CA",
                  this.#write("issuer.pem", issuer.certPem),
                  "-CAkey",
                  this.#write("issuer.key", issuer.keyPem),
              ]
            : ["-signkey", keyPath];
        this.#openssl([
            "x509",
            "-req",
            "-in",
            csrPath,
            ...signing,
            "-set_serial",
            `0x${randomBytes(8).toString("hex")}`,
            "-days",
            days,
            "-sha256",
            "-extfile",
            extPath,
            "-extensions",
            "v3",
            "-out",
            certPath,
        ]);
        return readFileSync(certPath, "utf8");
    }

    #path(name: string): string {
        this.#counter += 1;
        return join(this.#dir, `${this.#counter}-${name}`);
    }

    #write(name: string, content: string): string {
        const path = this.#path(name);
        writeFileSync(path, content, { mode: 0o600 });
        return path;
    }

    #openssl(args: string[]): void {
        execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
    }
}

function extensions(request: CertificateRequest, issued: boolean): string {
    const keyUsage = request.allowedUses.flatMap((use) => KEY_USAGES[use] ?? []);
    const extended = request.allowedUses.flatMap((use) => EXTENDED_KEY_USAGES[use] ?? []);
    const unknown = request.allowedUses.filter(
        (use) => !KEY_USAGES[use] && !EXTENDED_KEY_USAGES[use],
    );
    if (unknown.length > 0) throw new Error(`unknown allowed uses: ${unknown.join(", ")}`);
    const sans = [
        ...(request.dnsNames ?? []).map((name) => `DNS:${name}`),
        ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ];
    return [
        "[v3]",
        `basicConstraints=critical,CA:${request.isCaCertificate ? "TRUE" : "FALSE"}`,
        ...(keyUsage.length > 0 ? [`keyUsage=critical,${keyUsage.join(",")}`] : []),
        ...(extended.length > 0 ? [`extendedKeyUsage=${extended.join(",")}`] : []),
        ...(sans.length > 0 ? [`subjectAltName=${sans.join(",")}`] : []),
        "subjectKeyIdentifier=hash",
        ...(issued ? ["authorityKeyIdentifier=keyid"] : []),
        "",
    ].join("\n");
}
