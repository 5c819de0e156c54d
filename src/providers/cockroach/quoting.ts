/**
 * CockroachDB identifier quoting, qualified-name parsing and literal rendering. Pure.
 */

/** Quotes one identifier by CockroachDB's rules (`"` doubled); the result is always a name. */
export function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes every part of a qualified name: `["db", "public", "t"]` → `"db"."public"."t"`. */
export function quoteQualifiedName(parts: readonly string[]): string {
    return parts.map(quoteIdent).join(".");
}

/**
 * Parses a (possibly qualified) table name written the way SQL does: parts separated by `.`,
 * each either unquoted (letters, digits, `_`, `$`; lower-cased as CockroachDB does) or
 * double-quoted with `""` for a quote (kept verbatim). Returns the parts, or `undefined` when the
 * text is not such a name or has more than three parts.
 */
export function parseQualifiedName(text: string): string[] | undefined {
    const parts: string[] = [];
    let i = 0;
    for (;;) {
        if (text[i] === '"') {
            let part = "";
            i += 1;
            for (;;) {
                if (i >= text.length) return undefined;
                if (text[i] === '"') {
                    if (text[i + 1] === '"') {
                        part += '"';
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                part += text[i];
                i += 1;
            }
            if (part === "") return undefined;
            parts.push(part);
        } else {
            const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
            if (!match) return undefined;
            parts.push(match[0].toLowerCase());
            i += match[0].length;
        }
        if (i === text.length) break;
        if (text[i] !== ".") return undefined;
        i += 1;
    }
    return parts.length <= 3 ? parts : undefined;
}

/** Renders a string as a CockroachDB string literal (`'` doubled). */
export function stringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

/** Cluster setting names: dot-separated lower-case words, at least two parts. */
export const SETTING_NAME_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
