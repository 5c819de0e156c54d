/**
 * Text CockroachDB echoes back about a changefeed job (`error`, `running_status`, a refused
 * statement's message) can quote the sink URI, an HTTP request line or header, or a statement
 * with its options. Everything read from a job row passes through {@link scrubEchoedText} before
 * it can reach state, logs or an error, so no secret is stored even when the caller does not know
 * it (e.g. a token rotated out of band, or a job another stack created).
 */

const REDACTED = "redacted";

/** `scheme://user:password@` or `scheme://user@`: user info is dropped to `redacted@`. */
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"]+@/gi;
/** Query parameters of any URL-shaped text: every value becomes `redacted`. */
const QUERY_VALUE = /([?&][A-Za-z0-9_.~-]+=)[^&\s'"#)]*/g;
/** `Bearer <token>` / `Basic <credentials>` wherever it appears (header echoes). */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[^\s'",)]+/gi;
/** `Authorization: <anything>` up to the end of the line or quote. */
const AUTH_HEADER = /(authorization\s*[:=]\s*)[^\n'"]+/gi;
/** Secret-bearing statement options quoted back: `webhook_auth_header = '…'` and the like. */
const SECRET_OPTION =
    /\b(webhook_auth_header|ca_cert|client_cert|client_key|sasl_password|shared_access_key|api_key|password)(\s*=\s*)('(?:[^']|'')*'|\S+)/gi;

/** Replaces user info, query values, auth headers and secret options in `text`. */
export function scrubEchoedText(text: string): string {
    return text
        .replace(SECRET_OPTION, (_m, name: string, eq: string) => `${name}${eq}'${REDACTED}'`)
        .replace(AUTH_HEADER, (_m, prefix: string) => `${prefix}${REDACTED}`)
        .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`)
        .replace(USER_INFO, (_m, scheme: string) => `${scheme}${REDACTED}@`)
        .replace(QUERY_VALUE, (_m, key: string) => `${key}${REDACTED}`);
}
