/**
 * Test-only TLS material made with the `openssl` CLI at test time: a CA, a server certificate
 * for 127.0.0.1/localhost and a client certificate, all EC P-256, valid for two days.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
    caPem: string;
    serverCertPem: string;
    serverKeyPem: string;
    clientCertPem: string;
    clientKeyPem: string;
}

export function makeTestCertificates(): TestCertificates {
    const dir = mkdtempSync(join(tmpdir(), "replicator-tls-"));
    const openssl = (...args: string[]) =>
        execFileSync("openssl", args, {
            cwd: dir,
            stdio: ["ignore", "ignore", "pipe"],
            timeout: 20_000,
        });
    const newKey = (name: string) =>
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name);
    const issue = (name: string, cn: string, extensions: string) => {
        newKey(`${name}.key`);
        writeFileSync(join(dir, `${name}.ext`), extensions);
        openssl("req", "-new", "-key", `${name}.key`, "-subj", `/CN=${cn}`, "-out", `${name}.csr`);
        openssl(
            "x509",
            "-req",
            "-in",
            `${name}.csr`,
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-sha256",
            "-extfile",
            `${name}.ext`,
            "-out",
            `${name}.crt`,
        );
    };
    try {
        newKey("ca.key");
        openssl(
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=replicator-test-ca",
            "-days",
            "2",
            "-sha256",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "ca.crt",
        );
        issue(
            "server",
            "127.0.0.1",
            "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        );
        issue("client", "changefeed", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
        const read = (name: string) => readFileSync(join(dir, name), "utf8");
        return {
            caPem: read("ca.crt"),
            serverCertPem: read("server.crt"),
            serverKeyPem: read("server.key"),
            clientCertPem: read("client.crt"),
            clientKeyPem: read("client.key"),
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
