/**
 * The webhook sink URI (`webhook-https://host:port/path?params`) the way CockroachDB's webhook
 * sink reads it (reference/cockroachdb.md §6.2): query parameters are decoded like Go's
 * `url.Query()` (`+` is a space, so base64 must be URL-encoded), the TLS parameters are
 * base64-decoded and removed, and the remaining parameters are re-encoded like Go's
 * `url.Values.Encode()` (sorted by key) into the URL actually POSTed to.
 */

/** Where and how to POST. */
export interface WebhookTarget {
    /** `https://host:port/path[?other params]`. */
    url: string;
    /** Extra trusted CA (PEM), added to the system roots. */
    caCertPem: string | undefined;
    clientCertPem: string | undefined;
    clientKeyPem: string | undefined;
    /** `insecure_tls_skip_verify=true`: no server certificate verification at all. */
    skipVerify: boolean;
}

const TLS_PARAMS = ["ca_cert", "client_cert", "client_key", "insecure_tls_skip_verify"];

/** Parses the sink URI. Throws CockroachDB's error text for malformed input. */
export function parseWebhookSinkUri(sinkUri: string): WebhookTarget {
    const schemeEnd = sinkUri.indexOf("://");
    const scheme = schemeEnd < 0 ? "" : sinkUri.slice(0, schemeEnd);
    if (scheme !== "webhook-https") {
        throw new Error(
            scheme === "webhook-http"
                ? "this sink requires webhook-https"
                : `unsupported sink: ${scheme}`,
        );
    }
    const rest = sinkUri.slice(schemeEnd + 3);
    const queryStart = rest.indexOf("?");
    const hostAndPath = queryStart < 0 ? rest : rest.slice(0, queryStart);
    const rawQuery = queryStart < 0 ? "" : rest.slice(queryStart + 1).replace(/#.*$/, "");
    const params = parseGoQuery(rawQuery);

    const single = (name: string) => params.get(name)?.[0];
    const decoded = (name: string) => {
        const value = single(name);
        return value === undefined ? undefined : decodeBase64Param(name, value);
    };
    const caCertPem = decoded("ca_cert");
    const clientCertPem = decoded("client_cert");
    const clientKeyPem = decoded("client_key");
    const skipText = single("insecure_tls_skip_verify");
    const skipVerify = skipText === undefined ? false : parseGoBool(skipText);

    for (const name of TLS_PARAMS) params.delete(name);
    const query = encodeGoQuery(params);
    return {
        url: `https://${hostAndPath}${query === "" ? "" : `?${query}`}`,
        caCertPem,
        clientCertPem,
        clientKeyPem,
        skipVerify,
    };
}

/** Go's `url.ParseQuery`: `&`-separated, `+` → space, percent-decoding. */
export function parseGoQuery(rawQuery: string): Map<string, string[]> {
    const values = new Map<string, string[]>();
    for (const part of rawQuery.split("&")) {
        if (part === "") continue;
        const eq = part.indexOf("=");
        const key = goUnescape(eq < 0 ? part : part.slice(0, eq));
        const value = goUnescape(eq < 0 ? "" : part.slice(eq + 1));
        const list = values.get(key);
        if (list) list.push(value);
        else values.set(key, [value]);
    }
    return values;
}

function goUnescape(text: string): string {
    return decodeURIComponent(text.replace(/\+/g, " "));
}

/** Go's `url.Values.Encode()`: keys sorted, `url.QueryEscape` on keys and values. */
export function encodeGoQuery(values: Map<string, string[]>): string {
    return [...values.keys()]
        .sort()
        .flatMap((key) =>
            (values.get(key) ?? []).map((v) => `${goQueryEscape(key)}=${goQueryEscape(v)}`),
        )
        .join("&");
}

/** Go's `url.QueryEscape`: unreserved characters stay, space → `+`, the rest %XX. */
export function goQueryEscape(text: string): string {
    let out = "";
    for (const byte of Buffer.from(text, "utf8")) {
        const ch = String.fromCharCode(byte);
        if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
        else if (ch === " ") out += "+";
        else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    return out;
}

/**
 * Go's `base64.StdEncoding.DecodeString` (padding required; only CR/LF ignored), returning the
 * decoded text or throwing `param <name> must be base 64 encoded`.
 */
export function decodeBase64Param(name: string, value: string): string {
    const compact = value.replace(/[\r\n]/g, "");
    if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
        throw new Error(`param ${name} must be base 64 encoded`);
    }
    return Buffer.from(compact, "base64").toString("utf8");
}

/** The value to put in a sink URI for a PEM: base64, then URL-encoded (docs: `base64 | jq @uri`). */
export function encodeCertParam(pem: string): string {
    return encodeURIComponent(Buffer.from(pem, "utf8").toString("base64"));
}

/** Go's `strconv.ParseBool`. */
function parseGoBool(text: string): boolean {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
    throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
}
