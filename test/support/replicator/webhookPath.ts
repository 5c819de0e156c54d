/**
 * Webhook URL path → target schema (docs/replicator-behaviour.md, source
 * `internal/source/cdc/request.go`): PostgreSQL/CockroachDB targets use 2 schema segments
 * (`/db/schema`), MySQL/MariaDB/Oracle 1 (`/db` or `/SCHEMA`); one more segment names a table
 * (CDC-query feeds). Segments are query-unescaped; at most 8. Anything else is a 404.
 * The cloud-storage style file paths (`<date>/<ts>.RESOLVED`, `.ndjson`) are not served here.
 */

export type TargetProduct = "postgresql" | "mysql" | "mariadb" | "oracle";

export interface WebhookTarget {
    /** The schema parts: `[db, schema]` for PostgreSQL, `[db]` for MySQL/MariaDB, `[SCHEMA]` for Oracle. */
    schema: string[];
    /** The table named by an extra path segment (CDC-query changefeeds), if any. */
    table?: string;
}

const MAX_PATH_SEGMENTS = 8;

/** The number of leading path segments that name the target schema. */
export function schemaSegmentCount(product: TargetProduct): number {
    return product === "postgresql" ? 2 : 1;
}

/** Returns the target for a webhook path, or `undefined` when the replicator answers 404. */
export function parseWebhookPath(
    escapedPath: string,
    product: TargetProduct,
): WebhookTarget | undefined {
    const segments: string[] = [];
    for (const raw of escapedPath.split("/")) {
        if (raw === "") continue;
        const unescaped = queryUnescape(raw);
        if (unescaped === undefined) return undefined;
        segments.push(unescaped);
    }
    if (segments.length > MAX_PATH_SEGMENTS) return undefined;
    const count = schemaSegmentCount(product);
    if (segments.length === count) return { schema: segments };
    if (segments.length === count + 1) {
        return { schema: segments.slice(0, count), table: segments[count] };
    }
    return undefined;
}

/** Go's url.QueryUnescape: `+` is a space, `%XX` must be valid. */
function queryUnescape(segment: string): string | undefined {
    if (/%(?![0-9a-fA-F]{2})/.test(segment)) return undefined;
    try {
        return decodeURIComponent(segment.replace(/\+/g, " "));
    } catch {
        return undefined;
    }
}

/** Quotes identifiers the way the replicator prints them in errors: `"db"."schema"`. */
export function quotedName(parts: ReadonlyArray<string>): string {
    return parts.map((p) => `"${p.replace(/"/g, '""')}"`).join(".");
}
