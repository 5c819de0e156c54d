/**
 * Shapes of the target-table catalog the pre-flight reads: tables, columns, types, nullability,
 * defaults, primary keys and the grantee's privileges, per dialect (`postgres.ts`, `mysql.ts`,
 * `oracle.ts`; the registry is `index.ts`). The type compatibility rules are in `compatibility.ts`
 * and documented in docs/preflight.md.
 */
import type { ParsedConnection } from "../dialect";
import type { Dialect } from "../types";

/** A type family both sides are normalized to before they are compared. */
export type TypeFamily =
    | "int"
    | "decimal"
    | "float"
    | "string"
    | "bytes"
    | "bool"
    | "timestamp"
    | "date"
    | "time"
    | "uuid"
    | "json"
    | "interval"
    | "inet"
    | "array"
    | "other";

/** A column type reduced to what the compatibility rules compare. */
export interface NormalizedType {
    family: TypeFamily;
    /** The type as the catalog prints it (shown in messages). */
    text: string;
    /** Integers: storage bits (8, 16, 24, 32, 64). */
    bits?: number;
    /** Integers: unsigned (MySQL). */
    unsigned?: boolean;
    /** Strings and bytes: maximum length in characters/bytes; absent = unlimited. */
    length?: number;
    /** Decimals: precision and scale; absent = unconstrained. */
    precision?: number;
    scale?: number;
    /** Floats: 4 or 8 bytes. */
    floatBytes?: number;
    /** Timestamps and times: whether the time zone (offset) is kept. */
    zone?: boolean;
}

/** One column of a target table. */
export interface TargetColumn {
    name: string;
    type: NormalizedType;
    nullable: boolean;
    /** The column has a default (or is an identity/auto-increment column). */
    hasDefault: boolean;
}

/** One target table as read from the catalog. */
export interface TargetTable {
    /** The name as stored in the catalog. */
    name: string;
    columns: TargetColumn[];
    /** Primary-key columns in key order; empty when the table has none. */
    primaryKey: string[];
    /** Table privileges the grantee holds (upper case, e.g. `INSERT`), directly or schema/database-wide. */
    privileges: string[];
}

/** What the pre-flight asks of the target catalog. */
export interface TargetCatalogRequest {
    /** PostgreSQL schema, MySQL database or Oracle owning schema, as stored. */
    schema: string;
    /** Target table names as stored. */
    tables: string[];
    /** The replicator's user/role, whose privileges are read. */
    grantee: string;
    /** MySQL account host part (default `%`). */
    granteeHost?: string;
}

/** The target catalog for a request. */
export interface TargetCatalog {
    schemaExists: boolean;
    /** The requested tables that exist (absent ones are left out). */
    tables: TargetTable[];
    /** PostgreSQL: the grantee has USAGE on the schema. Always true where the dialect has no such privilege. */
    schemaUsage: boolean;
}

/** Runs one catalog query with bound parameters and returns its rows as objects. */
export type CatalogRunner = (
    sql: string,
    params: readonly unknown[],
) => Promise<Record<string, unknown>[]>;

/** One catalog query (text and bound parameters), as a plan lists it. */
export interface CatalogQuery {
    /** What the query reads, for the preview. */
    note: string;
    sql: string;
    params: unknown[];
}

/** Where a target session connects (credentials included: never log it). */
export type TargetEndpoint = Pick<
    ParsedConnection,
    "host" | "port" | "database" | "user" | "password" | "params"
>;

/** An open catalog session on a target. */
export interface CatalogSession {
    run: CatalogRunner;
    close(): Promise<void>;
}

/** A verdict of the compatibility table for one column. */
export interface TypeVerdict {
    level: "ok" | "warning" | "error";
    /** Why (absent for `ok`). */
    reason?: string;
}

/** Per-dialect catalog reader and type table. */
export interface ColumnsDialect {
    dialect: Dialect;
    /**
     * The target table the replicator writes a CockroachDB table into (Oracle: upper case,
     * the stored form of an unquoted name; the others: the name as is).
     */
    targetTableName(cockroachTable: string): string;
    /** How a target column type is named in messages and fixes. */
    quote(name: string): string;
    /** The privileges the replicator's apply statements need on each table. */
    applyPrivileges: readonly string[];
    /** The catalog queries, in the order {@link ColumnsDialect.parseCatalog} expects their rows. */
    catalogQueries(request: TargetCatalogRequest): CatalogQuery[];
    /** Builds the catalog from the rows of {@link ColumnsDialect.catalogQueries}, in order. */
    parseCatalog(
        results: Record<string, unknown>[][],
        request: TargetCatalogRequest,
    ): TargetCatalog;
    /** Dialect-specific verdicts that take precedence over the shared table (undefined: none). */
    typeOverride?(source: NormalizedType, target: NormalizedType): TypeVerdict | undefined;
    /** The statement that widens a column to `suggested` (used in fixes). */
    alterColumnHint(schema: string, table: string, column: string): string;
    /** Opens a catalog session with the dialect's driver. */
    open(endpoint: TargetEndpoint): Promise<CatalogSession>;
}
