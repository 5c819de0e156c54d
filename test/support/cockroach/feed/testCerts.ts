/**
 * Throw-away X.509 certificates for tests, made at test time with the `openssl` CLI (node:crypto
 * cannot issue certificates). Keys only ever live in a temporary directory that is removed
 * before the function returns; nothing is written to the repository.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A certificate and its (unencrypted PKCS#8) key, PEM-encoded. */
export interface CertAndKey {
    certPem: string;
    keyPem: string;
}

/** What to put in an issued certificate. */
export interface IssueOptions {
    commonName: string;
    /** DNS subject alternative names. */
    dnsNames?: string[];
    /** IP subject alternative names. */
    ipAddresses?: string[];
    /** Extended key usage; default "server". */
    usage?: "server" | "client";
}

/** A test certificate authority that can issue leaf certificates. */
export interface TestCertificateAuthority extends CertAndKey {
    issue(options: IssueOptions): Promise<CertAndKey>;
}

/** The usual set: a CA, a server certificate for localhost/127.0.0.1 and a client certificate. */
export interface TestCertificates {
    ca: TestCertificateAuthority;
    server: CertAndKey;
    client: CertAndKey;
}

/** Creates a new CA (P-256 key, valid two days). */
export async function createTestCa(
    commonName = "crdb-failback test CA",
): Promise<TestCertificateAuthority> {
    const created = await inTempDir(async (dir) => {
        await openssl(
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            join(dir, "ca.key"),
            "-out",
            join(dir, "ca.crt"),
            "-days",
            "2",
            "-subj",
            `/CN=${commonName}`,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        );
        return {
            certPem: await readFile(join(dir, "ca.crt"), "utf8"),
            keyPem: await readFile(join(dir, "ca.key"), "utf8"),
        };
    });
    return { ...created, issue: (options) => issue(created, options) };
}

/** A CA plus a server certificate (SANs localhost, 127.0.0.1) and a client certificate. */
export async function createTestCertificates(): Promise<TestCertificates> {
    const ca = await createTestCa();
    const [server, client] = await Promise.all([
        ca.issue({ commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] }),
        ca.issue({ commonName: "client", usage: "client" }),
    ]);
    return { ca, server, client };
}

async function issue(ca: CertAndKey, options: IssueOptions): Promise<CertAndKey> {
    return inTempDir(async (dir) => {
        const caCert = join(dir, "ca.crt");
        const caKey = join(dir, "ca.key");
        await writeFile(caCert, ca.certPem);
        await writeFile(caKey, ca.keyPem, { mode: 0o600 });
        const sans = [
            ...(options.dnsNames ?? []).map((n) => `DNS:${n}`),
            ...(options.ipAddresses ?? []).map((ip) => `IP:${ip}`),
        ];
        const extensions = [
            "basicConstraints=CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            `extendedKeyUsage=${options.usage === "client" ? "clientAuth" : "serverAuth"}`,
            ...(sans.length > 0 ? [`subjectAltName=${sans.join(",")}`] : []),
        ];
        const extFile = join(dir, "ext.cnf");
        await writeFile(extFile, `${extensions.join("\n")}\n`);
        await openssl(
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            join(dir, "leaf.key"),
            "-out",
            join(dir, "leaf.csr"),
            "-subj",
            `/CN=${options.commonName}`,
        );
        await openssl(
            "x509",
            "-req",
            "-in",
            join(dir, "leaf.csr"),
            "-CA",
            caCert,
            "-CAkey",
            caKey,
            "-set_serial",
            `0x${randomBytes(8).toString("hex")}`,
            "-days",
            "2",
            "-extfile",
            extFile,
            "-out",
            join(dir, "leaf.crt"),
        );
        return {
            certPem: await readFile(join(dir, "leaf.crt"), "utf8"),
            keyPem: await readFile(join(dir, "leaf.key"), "utf8"),
        };
    });
}

async function openssl(...args: string[]): Promise<void> {
    try {
        await run("openssl", args, { timeout: 30_000 });
    } catch (err) {
        const stderr = (err as { stderr?: string }).stderr ?? "";
        throw new Error(`openssl ${args[0]} failed: ${stderr || (err as Error).message}`);
    }
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), "crdb-test-certs-"));
    try {
        return await work(dir);
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
}
