/**
 * Helpers that keep secrets out of messages. A connection string's password and every query
 * parameter value (TLS keys, tokens) are replaced; the scheme, user, host, port and path stay so
 * an error still says which server it is about.
 */

const REDACTED = "redacted";

/**
 * Returns `url` with its password, every query parameter value and any fragment replaced by
 * `redacted`.
 */
export function redactUrl(url: string): string {
    try {
        const parsed = new URL(url);
        if (parsed.password) parsed.password = REDACTED;
        for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, REDACTED);
        if (parsed.hash) parsed.hash = REDACTED;
        return parsed.toString();
    } catch {
        return `<unparseable URL, ${url.length} characters>`;
    }
}

/**
 * Replaces every occurrence of each secret (and of each URL-shaped secret's password) in
 * `message`. Use on driver errors before rethrowing them: drivers sometimes quote the
 * connection string or a statement back.
 *
 * A URL-shaped secret (`scheme://host…`) is replaced by its {@link redactUrl} form, so the
 * message still names the server; any other secret is replaced by `redacted`. Longer secrets
 * are replaced first, so a URL is matched whole before its password is.
 */
export function scrubSecrets(message: string, secrets: ReadonlyArray<string | undefined>): string {
    let out = message;
    const ordered = secrets
        .filter((s): s is string => Boolean(s))
        .sort((a, b) => b.length - a.length);
    for (const secret of ordered) {
        out = out.split(secret).join(replacementFor(secret));
        const password = passwordOf(secret);
        if (password && password.length >= 3) {
            out = out.split(password).join(REDACTED);
            out = out.split(safeDecode(password)).join(REDACTED);
        }
    }
    return out;
}

/** Wraps a driver error in an Error whose message has been scrubbed of `secrets`. */
export function scrubbedError(
    context: string,
    err: unknown,
    secrets: ReadonlyArray<string | undefined>,
): Error {
    const raw = err instanceof Error ? err.message : String(err);
    const wrapped = new Error(scrubSecrets(`${context}: ${raw}`, secrets));
    const code = (err as { code?: unknown } | null)?.code;
    if (code !== undefined) (wrapped as Error & { code?: unknown }).code = code;
    const errno = (err as { errno?: unknown } | null)?.errno;
    if (errno !== undefined) (wrapped as Error & { errno?: unknown }).errno = errno;
    return wrapped;
}

/** What an occurrence of `secret` becomes: its redacted URL form, or `redacted`. */
function replacementFor(secret: string): string {
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s/?#]/i.test(secret)) return REDACTED;
    try {
        return new URL(secret).host ? redactUrl(secret) : REDACTED;
    } catch {
        return REDACTED;
    }
}

function passwordOf(maybeUrl: string): string | undefined {
    try {
        return new URL(maybeUrl).password || undefined;
    } catch {
        return undefined;
    }
}

/**
 * `decodeURIComponent`, or the text unchanged when it is not valid percent-encoding (a URL
 * component such as a password may hold a lone `%`).
 */
export function safeDecode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

/**
 * Replaces every URL-shaped word in free text (an error message of unknown origin) by its
 * {@link redactUrl} form, so no password or query value in it survives.
 */
export function redactUrlsIn(text: string): string {
    return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>]+/gi, (url) => redactUrl(url));
}
