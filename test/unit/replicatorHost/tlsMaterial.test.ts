import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { X509Certificate } from "node:crypto";
import { validateTlsMaterial } from "../../../src/tls/material";
import { validityProblem } from "../../../src/tls/pem";
import { type KeyPair, TestPki } from "../../support/tls/openssl";

const SERVICE_NAMES = [
    "failback",
    "failback.molt",
    "failback.molt.svc",
    "failback.molt.svc.cluster.local",
];

describe("validateTlsMaterial (bring-your-own TLS)", () => {
    const pki = new TestPki();
    let ca: KeyPair;
    let otherCa: KeyPair;
    let server: KeyPair;
    let client: KeyPair;
    const now = new Date();

    before(() => {
        const caRequest = {
            commonName: "test CA",
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            isCaCertificate: true,
            validityHours: 48,
        };
        ca = pki.selfSigned(caRequest);
        otherCa = pki.selfSigned(caRequest);
        server = pki.signed(
            {
                commonName: "failback",
                dnsNames: [...SERVICE_NAMES, "replicator.example.com"],
                ipAddresses: ["10.0.0.7"],
                allowedUses: ["digital_signature", "server_auth"],
                validityHours: 24,
            },
            ca,
        );
        client = pki.signed(
            { commonName: "changefeed", allowedUses: ["digital_signature", "client_auth"] },
            ca,
        );
    });
    after(() => pki.dispose());

    const material = (overrides: Partial<Record<string, string | undefined>> = {}) => ({
        caCertPem: ca.certPem,
        certPem: server.certPem,
        keyPem: server.keyPem,
        clientCertPem: client.certPem,
        clientKeyPem: client.keyPem,
        ...overrides,
    });

    it("accepts matching material that covers every required name", () => {
        assert.deepEqual(
            validateTlsMaterial(
                material(),
                [...SERVICE_NAMES, "replicator.example.com", "10.0.0.7"],
                now,
            ),
            [],
        );
    });

    it("rejects PEMs that do not parse, naming each argument", () => {
        assert.deepEqual(
            validateTlsMaterial(
                material({
                    caCertPem: "not a pem",
                    certPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                    keyPem: "garbage",
                }),
                SERVICE_NAMES,
                now,
            ),
            [
                "tls.caCertPem is not a PEM-encoded X.509 certificate",
                "tls.certPem is not a PEM-encoded X.509 certificate",
                "tls.keyPem is not a PEM-encoded private key",
            ],
        );
    });

    it("rejects a key that does not belong to the certificate", () => {
        assert.deepEqual(
            validateTlsMaterial(material({ keyPem: pki.ecKey() }), SERVICE_NAMES, now),
            ["tls.keyPem does not belong to the certificate in tls.certPem"],
        );
    });

    it("rejects a certificate that another CA signed", () => {
        assert.deepEqual(
            validateTlsMaterial(material({ caCertPem: otherCa.certPem }), SERVICE_NAMES, now),
            ["tls.certPem is not signed by the certificate in tls.caCertPem"],
        );
    });

    it("names every required host the certificate does not cover", () => {
        assert.deepEqual(
            validateTlsMaterial(material(), [...SERVICE_NAMES, "lb.example.net", "192.0.2.1"], now),
            [
                "tls.certPem does not cover lb.example.net, 192.0.2.1 (its subjectAltName: " +
                    "DNS:failback, DNS:failback.molt, DNS:failback.molt.svc, " +
                    "DNS:failback.molt.svc.cluster.local, DNS:replicator.example.com, IP:10.0.0.7); " +
                    "reissue it with these names as DNS (or IP) subject alternative names",
            ],
        );
    });

    it("accepts a start a few minutes ahead (clock skew) and rejects one further ahead", () => {
        const start = new X509Certificate(server.certPem).validFrom;
        const justBefore = new Date(new Date(start).getTime() - 60_000);
        assert.equal(
            validityProblem(new X509Certificate(server.certPem), "tls.certPem", justBefore),
            undefined,
        );
        const hourBefore = new Date(new Date(start).getTime() - 3_600_000);
        assert.match(
            validityProblem(new X509Certificate(server.certPem), "tls.certPem", hourBefore) ?? "",
            /^tls\.certPem is not valid before [\d-]+T[\d:.]+Z; check the issuing host's clock$/,
        );
    });

    it("rejects an expired certificate with its expiry date", () => {
        const later = new Date(now.getTime() + 36 * 3_600_000);
        const problems = validateTlsMaterial(material(), SERVICE_NAMES, later);
        assert.equal(problems.length, 2);
        assert.match(
            problems[0]!,
            /^tls\.certPem expired on \d{4}-\d{2}-\d{2}T[\d:.]+Z; issue a new certificate$/,
        );
        assert.match(problems[1]!, /^tls\.clientCertPem expired on /);
    });

    it("rejects a server certificate without serverAuth and a client one without clientAuth", () => {
        assert.deepEqual(
            validateTlsMaterial(
                material({
                    certPem: client.certPem,
                    keyPem: client.keyPem,
                    clientCertPem: server.certPem,
                    clientKeyPem: server.keyPem,
                }),
                [],
                now,
            ),
            [
                "tls.certPem does not allow TLS server authentication (extended key usage)",
                "tls.clientCertPem does not allow TLS client authentication (extended key usage)",
            ],
        );
    });

    it("wants the client certificate and key together", () => {
        assert.deepEqual(
            validateTlsMaterial(material({ clientKeyPem: undefined }), SERVICE_NAMES, now),
            ["tls.clientCertPem and tls.clientKeyPem must be given together"],
        );
        assert.deepEqual(
            validateTlsMaterial(
                material({ clientCertPem: undefined, clientKeyPem: undefined }),
                SERVICE_NAMES,
                now,
            ),
            [],
        );
    });

    it("never puts key material in a message", () => {
        const problems = validateTlsMaterial(material({ keyPem: client.keyPem }), ["nope"], now);
        for (const problem of problems) {
            assert.ok(!problem.includes("PRIVATE KEY"));
            assert.ok(!problem.includes(client.keyPem.split("\n")[1]!));
        }
    });
});
