/** Table-name helpers for matching changefeed tables against the granted target tables. Pure. */
import { targetDialect } from "../../providers/targets";

/**
 * The parts of a CockroachDB table reference (`t`, `schema.t`, `db.schema.t`, parts optionally
 * double-quoted, `""` escaping a quote).
 */
export function tableParts(reference: string): string[] {
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
    return parts.map((p) => p.trim());
}

/**
 * The table's own name from a CockroachDB table reference. The changefeed's `topic` — which the
 * replicator uses as the target table name — is this last part.
 */
export function ownTableName(reference: string): string {
    const parts = tableParts(reference);
    return parts[parts.length - 1]!;
}

/**
 * The CockroachDB databases the changefeed tables are in: a three-part reference names its
 * database, the others are in the connection's database.
 */
export function changefeedDatabases(
    connectionDatabase: string,
    changefeedTables: readonly string[],
): string[] {
    const databases = changefeedTables.map((t) => {
        const parts = tableParts(t);
        return parts.length >= 3 ? parts[0]! : connectionDatabase;
    });
    return [...new Set(databases)];
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

/** Whether the target dialect stores unquoted names upper case (Oracle). */
export function foldsUpper(dialect: unknown): boolean {
    return targetDialect(dialect)?.nameCase === "upper";
}

/**
 * The default changefeed tables for a target: its tables, lower-cased for a dialect that stores
 * names upper case (MOLT Fetch creates Oracle's upper-case tables with lower-case names on
 * CockroachDB).
 */
export function defaultChangefeedTables(
    upperCaseTarget: boolean,
    targetTables: readonly string[],
): string[] {
    return upperCaseTarget ? targetTables.map((t) => t.toLowerCase()) : [...targetTables];
}
