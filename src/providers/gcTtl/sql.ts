/**
 * The statements GcTtl issues. Names are quoted by CockroachDB's identifier rules; the only
 * value written into statement text is a TTL that `check` parsed into an integer within
 * CockroachDB's range (CONFIGURE ZONE's USING clause is evaluated as an expression, so the
 * integer is a literal there, the way `SHOW ZONE CONFIGURATION` prints it).
 */
import { quoteIdent, quoteQualifiedName } from "../cockroach";
import type { ZoneTarget } from "./types";

export const SELECT_CLUSTER_ID = "SELECT crdb_internal.cluster_id()";

/** `DATABASE "app"` or `TABLE "app"."public"."orders"`. */
function specifier(target: ZoneTarget): string {
    return target.table === undefined
        ? `DATABASE ${quoteIdent(target.database)}`
        : `TABLE ${quoteQualifiedName([target.database, target.schema ?? "public", target.table])}`;
}

/** The configuration that applies to a zone, inherited values filled in. */
export function showZone(target: ZoneTarget): string {
    return `SHOW ZONE CONFIGURATION FROM ${specifier(target)}`;
}

/** The zone's own row (only the fields set on it), if the zone exists. */
export function selectOwnZone(target: ZoneTarget): { sql: string; params: string[] } {
    return target.table === undefined
        ? {
              sql: "SELECT raw_config_sql FROM crdb_internal.zones WHERE database_name = $1 AND table_name IS NULL AND index_name IS NULL AND partition_name IS NULL",
              params: [target.database],
          }
        : {
              sql: "SELECT raw_config_sql FROM crdb_internal.zones WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 AND index_name IS NULL AND partition_name IS NULL",
              params: [target.database, target.schema ?? "public", target.table],
          };
}

export function setTtl(target: ZoneTarget, seconds: number): string {
    if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`invalid TTL ${seconds}`);
    return `ALTER ${specifier(target)} CONFIGURE ZONE USING gc.ttlseconds = ${seconds}`;
}

/** Removes the zone's own configuration: every field inherits again. */
export function discardZone(target: ZoneTarget): string {
    return `ALTER ${specifier(target)} CONFIGURE ZONE DISCARD`;
}

/** Sets the field to the value the parent zone applies now (it stays set on the zone). */
export function copyTtlFromParent(target: ZoneTarget): string {
    return `ALTER ${specifier(target)} CONFIGURE ZONE USING gc.ttlseconds = COPY FROM PARENT`;
}

/** `gc.ttlseconds = N` in a zone's SQL rendering, if present. */
export function ttlInConfigSql(text: string): number | undefined {
    const match = /\bgc\.ttlseconds\s*=\s*(\d+)/.exec(text);
    return match ? Number(match[1]) : undefined;
}

/** The field names a zone's SQL rendering sets (`ALTER … CONFIGURE ZONE USING\n\tf = v,\n…`). */
export function fieldsInConfigSql(text: string): string[] {
    const body = text.split(/CONFIGURE ZONE USING/i)[1] ?? "";
    return [...body.matchAll(/(?:^|,)\s*([a-z_][a-z0-9_.]*)\s*=/g)].map((m) => m[1] as string);
}
