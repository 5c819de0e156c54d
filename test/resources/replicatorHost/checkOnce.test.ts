/**
 * Brought-in TLS material is checked once: at construction when it is plain strings, otherwise
 * when it resolves. The near-expiry warning shows that: it appears exactly once either way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it, mock } from "node:test";

import * as pulumi from "@pulumi/pulumi";

import { ReplicatorHost, type ReplicatorHostArgs } from "../../../src/resources/replicatorHost";
import { type KeyPair, TestPki } from "../../support/tls/openssl";
import { construct, installMocks } from "./harness";

describe("ReplicatorHost checks brought-in TLS once", () => {
    const pki = new TestPki();
    let ca: KeyPair;
    let server: KeyPair;
    let jwtKey: string;

    before(async () => {
        await installMocks();
        ca = pki.selfSigned({
            commonName: "CA",
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            isCaCertificate: true,
            validityHours: 48,
        });
        // Valid for 48 hours: inside the default 720-hour renewal window.
        server = pki.signed(
            {
                commonName: "ext",
                dnsNames: ["replicator.example.com"],
                allowedUses: ["digital_signature", "server_auth"],
            },
            ca,
        );
        jwtKey = pki.ecKey();
    });
    after(() => pki.dispose());

    function hostArgs(certPem: pulumi.Input<string>): ReplicatorHostArgs {
        return {
            targetDialect: "postgres",
            stagingConnection: "postgresql://crdb:pw@crdb.example:26257/defaultdb",
            stagingSchema: "defaultdb._replicator",
            targetSchema: ["molt", "public"],
            external: { url: "https://replicator.example.com:30004" },
            tls: { caCertPem: ca.certPem, certPem, keyPem: server.keyPem },
            auth: { privateKeyPem: jwtKey },
        };
    }

    async function expiryWarnings(name: string, certPem: pulumi.Input<string>): Promise<number> {
        const warn = mock.method(console, "warn", () => undefined);
        try {
            const { component } = await construct(
                (opts) => new ReplicatorHost(name, hostArgs(certPem), opts),
            );
            await new Promise<void>((resolve) => component.caCertPem.apply(() => resolve()));
            return warn.mock.calls.filter((c) =>
                String(c.arguments[0]).includes(`ReplicatorHost "${name}": tls.certPem expires on`),
            ).length;
        } finally {
            warn.mock.restore();
        }
    }

    it("warns once about a certificate near expiry given as a plain string", async () => {
        assert.equal(await expiryWarnings("plain", server.certPem), 1);
    });

    it("warns once about a certificate near expiry given as an Output", async () => {
        assert.equal(await expiryWarnings("late", pulumi.output(server.certPem)), 1);
    });
});
