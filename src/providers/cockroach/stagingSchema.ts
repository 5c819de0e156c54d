/**
 * The replicator's staging schema name (`--stagingSchema`) and the statements on its
 * `jwt_public_keys` table (docs/replicator-behaviour.md, "Webhook requests"). Pure.
 */
import { quoteQualifiedName } from "./quoting";

/** A staging schema split into its database and schema. */
export interface StagingSchema {
    database: string;
    schema: string;
}

/**
 * Parses `--stagingSchema` the way the replicator does: `db.schema`, or a one-part `db` that
 * means `db.public` (`_replicator` → `_replicator.public`). Returns undefined for anything else
 * (empty parts, more than two parts, quotes).
 */
export function parseStagingSchema(text: string): StagingSchema | undefined {
    const parts = text.split(".");
    if (parts.length > 2 || parts.some((part) => part === "" || /["\s]/.test(part))) {
        return undefined;
    }
    const [database, schema = "public"] = parts as [string, string?];
    return { database, schema };
}

/** `db.schema` in the two-part form the replicator prints. */
export function formatStagingSchema(staging: StagingSchema): string {
    return `${staging.database}.${staging.schema}`;
}

/** The quoted, fully qualified name of the staging schema's `jwt_public_keys` table. */
export function publicKeysTable(staging: StagingSchema): string {
    return quoteQualifiedName([staging.database, staging.schema, "jwt_public_keys"]);
}

/** Statements on `jwt_public_keys`; the key PEM is always bind parameter `$1`. */
export function publicKeyStatements(staging: StagingSchema): {
    find: string;
    insertIfAbsent: string;
    remove: string;
} {
    const table = publicKeysTable(staging);
    return {
        find: `SELECT count(*) AS n FROM ${table} WHERE public_key = $1`,
        insertIfAbsent:
            `INSERT INTO ${table} (public_key) SELECT $1::TEXT ` +
            `WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE public_key = $1::TEXT)`,
        remove: `DELETE FROM ${table} WHERE public_key = $1`,
    };
}

/**
 * SQLSTATEs meaning "the table (or its schema/database) is not there": 42P01 undefined_table,
 * 3F000 invalid_schema_name, 3D000 invalid_catalog_name.
 */
export const MISSING_TABLE_STATES: ReadonlySet<string> = new Set(["42P01", "3F000", "3D000"]);
