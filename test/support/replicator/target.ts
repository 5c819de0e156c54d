/**
 * The target database as the replicator sees it: product picked from the `targetConnection`
 * URL scheme (docs/replicator-behaviour.md), a catalog reader and a transactional applier.
 * Connections are made AS the user in the URL (the grantee), so missing privileges surface.
 */
import { PlannedStatement } from "./applyPlan";
import { TargetTable } from "./applyStatements";
import { TargetProduct } from "./webhookPath";

export interface TargetDatabase {
    readonly product: TargetProduct;
    /** Checks the server answers. */
    ping(): Promise<void>;
    /** The base tables of a schema (`[db, schema]` or `[db]`), read fresh from the catalog. */
    tables(schema: ReadonlyArray<string>): Promise<TargetTable[]>;
    /**
     * Runs the statements in ONE transaction; returns each statement's affected-row count as
     * the driver reports it (MySQL counts an updated row twice). A failing statement throws a
     * `TableApplyError` naming its table.
     */
    apply(statements: ReadonlyArray<PlannedStatement>): Promise<number[]>;
    close(): Promise<void>;
}

/** Opens the target for a URL; rejects like the replicator for unsupported schemes. */
export async function openTarget(connection: string): Promise<TargetDatabase> {
    const scheme = connection.slice(0, Math.max(0, connection.indexOf("://"))).toLowerCase();
    if (["postgres", "postgresql", "pg", "pgx"].includes(scheme)) {
        const { PostgresTarget } = await import("./targetPostgres");
        return PostgresTarget.open(connection);
    }
    if (scheme === "mysql") {
        const { MysqlTarget } = await import("./targetMysql");
        return MysqlTarget.open(connection);
    }
    if (scheme === "oracle" || scheme === "ora") {
        throw new Error("this build does not support Oracle Database");
    }
    throw new Error(`unknown URL scheme: ${scheme || "(none)"}`);
}
