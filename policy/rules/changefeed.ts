/**
 * Rules on the Changefeed dynamic resource's non-secret inputs (`webhookUrl`, `options`,
 * `exclusive`). Secret-bearing inputs (`connection`, `clientKeyPem`, `authToken`) are never read;
 * only whether `authToken` is given at all (its value may still be unknown in a preview).
 */
import { isGoFalse, isRecord, type Rule } from "./rule";

export const CHANGEFEED_TYPE = "pulumi-nodejs:dynamic/crdb-failback:Changefeed";

const SKIP_VERIFY = "insecure_tls_skip_verify";

/** The URL scheme as written (`http://`), or a description when there is none. */
function schemeOf(url: string): string {
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
    return match ? `${match[1]}://` : "no scheme";
}

/** `insecure_tls_skip_verify` turned on in a query string or option text (`=false` is off). */
function skipVerifyInText(text: string): boolean {
    const pattern = new RegExp(`${SKIP_VERIFY}(?:\\s*=\\s*'?([^&'#\\s]*))?`, "gi");
    for (const match of text.matchAll(pattern)) {
        const value = match[1];
        if (value === undefined || value === "" || !isGoFalse(value)) return true;
    }
    return false;
}

/** Where `insecure_tls_skip_verify` is turned on in `options` (keys and values, nested). */
function skipVerifyInOptions(value: unknown, path: string, found: string[]): void {
    if (typeof value === "string") {
        if (skipVerifyInText(value)) found.push(path);
    } else if (Array.isArray(value)) {
        value.forEach((item, i) => skipVerifyInOptions(item, `${path}[${i}]`, found));
    } else if (isRecord(value)) {
        for (const [key, item] of Object.entries(value)) {
            const itemPath = `${path}.${key}`;
            if (key.toLowerCase() === SKIP_VERIFY) {
                const off = item === false || (typeof item === "string" && isGoFalse(item));
                if (!off) found.push(itemPath);
            } else {
                skipVerifyInOptions(item, itemPath, found);
            }
        }
    }
}

export const changefeedTlsVerifySkipped: Rule = {
    name: "changefeed-tls-verify-skipped",
    description: `A failback Changefeed must verify the replicator's certificate (no ${SKIP_VERIFY}).`,
    remediation:
        `Remove ${SKIP_VERIFY} and give the Changefeed the CA that signed the replicator's certificate ` +
        "as caCertPem (ReplicatorHost.caCertPem).",
    severity: "high",
    types: [CHANGEFEED_TYPE],
    check(props) {
        const places: string[] = [];
        if (typeof props.webhookUrl === "string" && skipVerifyInText(props.webhookUrl)) {
            places.push("webhookUrl");
        }
        skipVerifyInOptions(props.options, "options", places);
        return places.map(
            (place) =>
                `Changefeed ${place} turns on ${SKIP_VERIFY}: CockroachDB would accept any certificate ` +
                "from the webhook endpoint and send rows and the bearer token to whoever presents one " +
                `(man in the middle). Fix: remove ${SKIP_VERIFY} and give the Changefeed the CA that ` +
                "signed the replicator's certificate as caCertPem (ReplicatorHost.caCertPem).",
        );
    },
};

export const changefeedWebhookNotHttps: Rule = {
    name: "changefeed-webhook-not-https",
    description:
        "A failback Changefeed must deliver to an https:// webhook (a webhook-https sink).",
    remediation:
        "Set webhookUrl to the replicator's https://host:port/<path> (ReplicatorHost.webhookUrl).",
    severity: "high",
    types: [CHANGEFEED_TYPE],
    check(props) {
        const url = props.webhookUrl;
        if (typeof url !== "string" || /^https:\/\//i.test(url)) return [];
        return [
            `Changefeed webhookUrl uses ${schemeOf(url)} instead of https://: the sink would not be ` +
                "webhook-https, so changed rows and the bearer token would cross the network unencrypted " +
                "to an endpoint nobody verified. Fix: set webhookUrl to the replicator's " +
                "https://host:port/<path> (ReplicatorHost.webhookUrl; the replicator serves only HTTPS).",
        ];
    },
};

export const changefeedNotExclusive: Rule = {
    name: "changefeed-not-exclusive",
    description:
        "A failback Changefeed must keep exclusive (one changefeed per replicator webhook).",
    remediation:
        "Remove exclusive: false (the default is true); to take over a changefeed created by hand, " +
        "use adoptJobId.",
    severity: "medium",
    types: [CHANGEFEED_TYPE],
    check(props) {
        if (props.exclusive !== false) return [];
        return [
            "Changefeed sets exclusive: false: it no longer refuses to start when another active changefeed " +
                "already delivers to the same replicator host, port and path, and two feeds into one " +
                "replicator interleave the same rows and checkpoints. Fix: remove exclusive (default true); " +
                "to take over a changefeed created by hand, use adoptJobId instead.",
        ];
    },
};

export const changefeedWithoutAuthToken: Rule = {
    name: "changefeed-without-auth-token",
    description:
        "A failback Changefeed must authenticate to the replicator with a bearer token (authToken).",
    remediation:
        "Pass the ReplicatorHost's authToken output (or a token from `replicator make-jwt`) as authToken, " +
        "and run the replicator with JWT authentication (the ReplicatorHost default).",
    severity: "high",
    types: [CHANGEFEED_TYPE],
    check(props) {
        // `in`, not a read: the token is a secret and, in a preview, often still unknown.
        if ("authToken" in props) return [];
        return [
            "Changefeed has no authToken: it sends no webhook_auth_header, so it can deliver only to a " +
                "replicator that runs with --disableAuthentication, where any caller that reaches the " +
                "webhook can write to every target schema. Fix: run the replicator with JWT auth (the " +
                "ReplicatorHost default) and pass its authToken output to the Changefeed as authToken.",
        ];
    },
};
