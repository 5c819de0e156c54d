/**
 * The target schema a failback changefeed writes to, as the replicator's webhook path and the
 * JWT schema claim name it (docs/replicator-behaviour.md, "Webhook requests"). Pure.
 */
import { requireDialect } from "../../providers/targets";
import type { TargetDialect } from "../replicatorHost/args";
import { webhookPathFor } from "../replicatorHost/names";

/**
 * The target schema parts: `[database, schema]` for PostgreSQL (two path segments), `[schema]`
 * for MySQL (the database) and Oracle (the owning schema, stored case — upper case for unquoted
 * names, as the MOLT docs write `/MIGRATION_SCHEMA`). The same parts are the token's claim.
 */
export function failbackTargetSchema(
    dialect: TargetDialect,
    database: string | undefined,
    schema: string,
): string[] {
    return requireDialect(dialect).failback.targetSchemaParts(database, schema);
}

/** The webhook path: `/<database>/<schema>` (PostgreSQL), `/<database>` (MySQL), `/<SCHEMA>` (Oracle). */
export function failbackWebhookPath(
    dialect: TargetDialect,
    database: string | undefined,
    schema: string,
): string {
    return webhookPathFor(failbackTargetSchema(dialect, database, schema));
}
