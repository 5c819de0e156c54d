/**
 * The TLS material of a ReplicatorHost (brought in and checked, or generated with `@pulumi/tls`)
 * and the JWT signing key.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as tlsTypes from "@pulumi/tls";

import type { ReplicatorHostArgs, ReplicatorTlsArgs } from "./args";
import { checkTlsMaterial, type CheckedHost } from "./check";
import type { HostContext } from "./context";
import { splitHostnames } from "./names";
import { loadTls, OPTIONAL_PACKAGES } from "./optionalPackages";
import {
    CA_ALLOWED_USES,
    caCommonName,
    CLIENT_ALLOWED_USES,
    CLIENT_COMMON_NAME,
    ECDSA_CURVE,
    KEY_ALGORITHM,
    SERVER_ALLOWED_USES,
    SUBJECT_ORGANIZATION,
} from "./tlsSpec";

/** The TLS material the component works with, wherever it came from. */
export interface TlsOutputs {
    caCertPem: pulumi.Output<string>;
    certPem: pulumi.Output<string>;
    keyPem: pulumi.Output<string>;
    clientCertPem: pulumi.Output<string | undefined>;
    clientKeyPem: pulumi.Output<string | undefined>;
}

/** Brought-in material when `tls` is given, else generated material. */
export function hostTls(
    ctx: HostContext,
    args: ReplicatorHostArgs,
    serverNames: pulumi.Output<string[]>,
    checked: CheckedHost["tlsChecked"],
): TlsOutputs {
    return args.tls
        ? broughtInTls(ctx, args.tls, serverNames, checked)
        : generatedTls(ctx, serverNames);
}

/**
 * Brought-in PEMs, checked offline once: at construction when they were plain strings
 * (`checked`), otherwise here when they resolve; every output waits for the check.
 */
function broughtInTls(
    ctx: HostContext,
    tlsArgs: ReplicatorTlsArgs,
    serverNames: pulumi.Output<string[]>,
    checked: CheckedHost["tlsChecked"],
): TlsOutputs {
    if (checked?.expiryWarning) ctx.warn(checked.expiryWarning);
    const validated = pulumi
        .all([
            tlsArgs.caCertPem,
            tlsArgs.certPem,
            pulumi.secret(tlsArgs.keyPem),
            tlsArgs.clientCertPem,
            pulumi.secret(tlsArgs.clientKeyPem),
            serverNames,
        ])
        .apply(([caCertPem, certPem, keyPem, clientCertPem, clientKeyPem, names]) => {
            const material = { caCertPem, certPem, keyPem, clientCertPem, clientKeyPem };
            if (!checked) {
                const result = checkTlsMaterial(material, names, ctx.plan.tlsEarlyRenewalHours);
                if (result.problems.length > 0) {
                    throw ctx.error(`invalid tls: ${result.problems.join("; ")}`);
                }
                if (result.expiryWarning) ctx.warn(result.expiryWarning);
            }
            return material;
        });
    // Certificates are public; only the keys stay secret.
    return {
        caCertPem: pulumi.unsecret(validated.apply((v) => v.caCertPem)),
        certPem: pulumi.unsecret(validated.apply((v) => v.certPem)),
        keyPem: pulumi.secret(validated.apply((v) => v.keyPem)),
        clientCertPem: pulumi.unsecret(validated.apply((v) => v.clientCertPem)),
        clientKeyPem: pulumi.secret(validated.apply((v) => v.clientKeyPem)),
    };
}

/** `@pulumi/tls`, loaded for `neededFor`; a missing package or plugin is named. */
function tlsPackage(ctx: HostContext, neededFor: string, avoidWith: string): typeof tlsTypes {
    const tls = ctx.load(() => loadTls(neededFor, avoidWith));
    ctx.warnIfPluginMissing(OPTIONAL_PACKAGES.tls, neededFor, avoidWith);
    return tls;
}

/** A CA, a server certificate for `serverNames` and a client certificate, from @pulumi/tls. */
function generatedTls(ctx: HostContext, serverNames: pulumi.Output<string[]>): TlsOutputs {
    const { name, plan } = ctx;
    const tls = tlsPackage(
        ctx,
        "generating TLS material",
        "bring your own TLS (tls: { caCertPem, certPem, keyPem })",
    );
    const child = ctx.child();
    const newKey = (keyName: string) =>
        new tls.PrivateKey(keyName, { algorithm: KEY_ALGORITHM, ecdsaCurve: ECDSA_CURVE }, child);

    const caKey = newKey(`${name}-ca-key`);
    const ca = new tls.SelfSignedCert(
        `${name}-ca`,
        {
            privateKeyPem: caKey.privateKeyPem,
            isCaCertificate: true,
            allowedUses: [...CA_ALLOWED_USES],
            validityPeriodHours: plan.tlsCaValidityHours,
            earlyRenewalHours: plan.tlsEarlyRenewalHours,
            subject: {
                commonName: caCommonName(plan.serviceName),
                organization: SUBJECT_ORGANIZATION,
            },
        },
        child,
    );
    const signed = (
        prefix: string,
        request: tlsTypes.CertRequestArgs,
        allowedUses: readonly string[],
    ) => {
        const key = newKey(`${prefix}-key`);
        const csr = new tls.CertRequest(
            `${prefix}-csr`,
            { ...request, privateKeyPem: key.privateKeyPem },
            child,
        );
        const cert = new tls.LocallySignedCert(
            `${prefix}-cert`,
            {
                certRequestPem: csr.certRequestPem,
                caPrivateKeyPem: caKey.privateKeyPem,
                caCertPem: ca.certPem,
                allowedUses: [...allowedUses],
                validityPeriodHours: plan.tlsValidityHours,
                earlyRenewalHours: plan.tlsEarlyRenewalHours,
            },
            child,
        );
        return { key, cert };
    };
    const server = signed(
        `${name}-server`,
        {
            dnsNames: serverNames.apply((names) => splitHostnames(names).dns),
            ipAddresses: serverNames.apply((names) => splitHostnames(names).ip),
            subject: { commonName: plan.serviceName, organization: SUBJECT_ORGANIZATION },
        },
        SERVER_ALLOWED_USES,
    );
    const client = signed(
        `${name}-client`,
        { subject: { commonName: CLIENT_COMMON_NAME, organization: SUBJECT_ORGANIZATION } },
        CLIENT_ALLOWED_USES,
    );
    return {
        caCertPem: ca.certPem,
        certPem: server.cert.certPem,
        keyPem: pulumi.secret(server.key.privateKeyPem),
        clientCertPem: client.cert.certPem,
        clientKeyPem: pulumi.secret(client.key.privateKeyPem),
    };
}

/** The JWT signing key: brought in, or an ECDSA P-256 key from @pulumi/tls. */
export function jwtPrivateKey(ctx: HostContext, args: ReplicatorHostArgs): pulumi.Output<string> {
    if (args.auth?.privateKeyPem !== undefined) return pulumi.secret(args.auth.privateKeyPem);
    const tls = tlsPackage(
        ctx,
        "generating the JWT signing key",
        "bring your own key (auth.privateKeyPem)",
    );
    const key = new tls.PrivateKey(
        `${ctx.name}-jwt-key`,
        { algorithm: KEY_ALGORITHM, ecdsaCurve: ECDSA_CURVE },
        ctx.child(),
    );
    return pulumi.secret(key.privateKeyPem);
}
