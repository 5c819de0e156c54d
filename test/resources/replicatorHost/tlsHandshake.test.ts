/**
 * TLS for real: the certificates the component asks @pulumi/tls for (read back from the mocked
 * registrations: key algorithm, SANs, usages, CA flag) are made with openssl, and an HTTPS server
 * standing in for the replicator's webhook must accept a client that trusts only the CA and
 * connects by each SAN name — and refuse every other name.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import * as https from "node:https";
import { after, before, describe, it } from "node:test";

import { ReplicatorHost } from "../../../src/resources/replicatorHost";
import { type KeyPair, TestPki } from "../../support/tls/openssl";
import { construct, installMocks, type Registration } from "./harness";

interface Subject {
    commonName?: string;
    organization?: string;
}

function byName(registered: Registration[], name: string): Record<string, unknown> {
    const found = registered.find((r) => r.name === name);
    assert.ok(found, `registration ${name}`);
    return found.inputs;
}

function get(
    port: number,
    options: { servername?: string; host?: string; ca?: string; cert?: string; key?: string },
): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const request = https.request(
            {
                host: options.host ?? "127.0.0.1",
                port,
                path: "/_/healthz",
                servername: options.servername,
                ca: options.ca,
                cert: options.cert,
                key: options.key,
                agent: false,
                timeout: 5000,
            },
            (response) => {
                let body = "";
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => (body += chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
            },
        );
        request.on("timeout", () => request.destroy(new Error("timed out")));
        request.on("error", reject);
        request.end();
    });
}

function listen(options: https.ServerOptions): Promise<{ server: https.Server; port: number }> {
    const server = https.createServer(options, (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("OK");
    });
    return new Promise((resolve) => {
        server.listen(0, "127.0.0.1", () =>
            resolve({ server, port: (server.address() as AddressInfo).port }),
        );
    });
}

function close(server: https.Server): Promise<void> {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
}

describe("generated TLS, mirrored with openssl, works for a webhook client", () => {
    const pki = new TestPki();
    let ca: KeyPair;
    let server: KeyPair;
    let client: KeyPair;
    let sanNames: string[];
    let webhook: { server: https.Server; port: number };
    let mutual: { server: https.Server; port: number };

    before(async () => {
        await installMocks();
        const { registered } = await construct(
            (opts) =>
                new ReplicatorHost(
                    "hs",
                    {
                        namespace: "molt",
                        targetDialect: "postgres",
                        targetConnection: "postgres://u:p@pg/molt",
                        stagingConnection: "postgresql://root@crdb:26257/defaultdb",
                        stagingSchema: "defaultdb._replicator",
                        targetSchema: ["molt", "public"],
                        hostnames: ["replicator.example.com", "127.0.0.1"],
                    },
                    opts,
                ),
        );
        for (const key of ["hs-ca-key", "hs-server-key", "hs-client-key"]) {
            assert.deepEqual(byName(registered, key), { algorithm: "ECDSA", ecdsaCurve: "P256" });
        }
        const caArgs = byName(registered, "hs-ca");
        ca = pki.selfSigned({
            commonName: (caArgs.subject as Subject).commonName!,
            organization: (caArgs.subject as Subject).organization,
            allowedUses: caArgs.allowedUses as string[],
            isCaCertificate: caArgs.isCaCertificate as boolean,
            validityHours: caArgs.validityPeriodHours as number,
        });
        const serverCsr = byName(registered, "hs-server-csr");
        const serverCert = byName(registered, "hs-server-cert");
        sanNames = [...(serverCsr.dnsNames as string[]), ...(serverCsr.ipAddresses as string[])];
        server = pki.signed(
            {
                commonName: (serverCsr.subject as Subject).commonName!,
                organization: (serverCsr.subject as Subject).organization,
                dnsNames: serverCsr.dnsNames as string[],
                ipAddresses: serverCsr.ipAddresses as string[],
                allowedUses: serverCert.allowedUses as string[],
                isCaCertificate: (serverCert.isCaCertificate as boolean | undefined) ?? false,
                validityHours: serverCert.validityPeriodHours as number,
            },
            ca,
        );
        const clientCsr = byName(registered, "hs-client-csr");
        const clientCert = byName(registered, "hs-client-cert");
        client = pki.signed(
            {
                commonName: (clientCsr.subject as Subject).commonName!,
                allowedUses: clientCert.allowedUses as string[],
                validityHours: clientCert.validityPeriodHours as number,
            },
            ca,
        );
        webhook = await listen({ key: server.keyPem, cert: server.certPem });
        mutual = await listen({
            key: server.keyPem,
            cert: server.certPem,
            ca: ca.certPem,
            requestCert: true,
            rejectUnauthorized: true,
        });
    });

    after(async () => {
        await Promise.all([webhook && close(webhook.server), mutual && close(mutual.server)]);
        pki.dispose();
    });

    it("covers the four Service names, the extra hostname and the IP", () => {
        assert.deepEqual(sanNames, [
            "hs",
            "hs.molt",
            "hs.molt.svc",
            "hs.molt.svc.cluster.local",
            "replicator.example.com",
            "127.0.0.1",
        ]);
    });

    it("accepts a client that trusts only the CA, by every SAN name", async () => {
        for (const name of sanNames.filter((n) => n !== "127.0.0.1")) {
            assert.deepEqual(await get(webhook.port, { servername: name, ca: ca.certPem }), {
                status: 200,
                body: "OK",
            });
        }
        assert.deepEqual(await get(webhook.port, { host: "127.0.0.1", ca: ca.certPem }), {
            status: 200,
            body: "OK",
        });
    });

    it("refuses a name not in the SANs", async () => {
        for (const name of ["hs.other", "evil.example.com", "hs.molt.svc.cluster.example"]) {
            await assert.rejects(get(webhook.port, { servername: name, ca: ca.certPem }), {
                code: "ERR_TLS_CERT_ALTNAME_INVALID",
            });
        }
    });

    it("is not trusted without the CA", async () => {
        await assert.rejects(get(webhook.port, { servername: "hs.molt.svc" }), {
            code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        });
    });

    it("the client certificate authenticates a client; the server certificate does not", async () => {
        assert.equal(
            (
                await get(mutual.port, {
                    servername: "hs",
                    ca: ca.certPem,
                    cert: client.certPem,
                    key: client.keyPem,
                })
            ).status,
            200,
        );
        await assert.rejects(
            get(mutual.port, {
                servername: "hs",
                ca: ca.certPem,
                cert: server.certPem,
                key: server.keyPem,
            }),
        );
    });
});
