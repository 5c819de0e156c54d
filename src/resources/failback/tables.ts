/** Table-name helpers for matching changefeed tables against the granted target tables. Pure. */

/**
 * The table's own name from a CockroachDB table reference (`t`, `schema.t`, `db.schema.t`,
 * parts optionally double-quoted, `""` escaping a quote). The changefeed's `topic` — which the
 * replicator uses as the target table name — is this last part.
 */
export function ownTableName(reference: string): string {
    const parts: string[] = [];
    let current = "";
    let quoted = false;
    for (let i = 0; i < reference.length; i++) {
        const ch = reference[i]!;
        if (quoted) {
            if (ch === '"' && reference[i + 1] === '"') {
                current += '"';
                i++;
            } else if (ch === '"') {
                quoted = false;
            } else {
                current += ch;
            }
        } else if (ch === '"') {
            quoted = true;
        } else if (ch === ".") {
            parts.push(current);
            current = "";
        } else {
            current += ch;
        }
    }
    parts.push(current);
    return parts[parts.length - 1]!.trim();
}

/**
 * Changefeed tables whose own name is not among `targetTables`. Compared case-insensitively:
 * the replicator looks target tables up case-insensitively (`ILIKE` on PostgreSQL, `upper()` on
 * MySQL and Oracle).
 */
export function uncoveredTables(
    changefeedTables: readonly string[],
    targetTables: readonly string[],
): string[] {
    const granted = new Set(targetTables.map((t) => t.toLowerCase()));
    return changefeedTables.filter((t) => !granted.has(ownTableName(t).toLowerCase()));
}

/**
 * The default changefeed tables for a target: its tables, lower-cased for Oracle (MOLT Fetch
 * creates Oracle's upper-case tables with lower-case names on CockroachDB).
 */
export function defaultChangefeedTables(
    oracle: boolean,
    targetTables: readonly string[],
): string[] {
    return oracle ? targetTables.map((t) => t.toLowerCase()) : [...targetTables];
}
