/**
 * Target-table catalog readers, one object per dialect (tables, columns, types, nullability,
 * defaults, primary keys, privileges), and the type compatibility table. A new dialect adds one
 * file and one line here.
 */
import type { Dialect } from "../types";
import { mysqlColumns } from "./mysql";
import { oracleColumns } from "./oracle";
import { postgresColumns } from "./postgres";
import type { ColumnsDialect } from "./types";

export const COLUMN_DIALECTS: Readonly<Record<Dialect, ColumnsDialect>> = {
    postgres: postgresColumns,
    mysql: mysqlColumns,
    oracle: oracleColumns,
};

export { judgeType } from "./compatibility";
export { normalizeCockroachType } from "./cockroachTypes";
export { oracleCatalogSession, type OracleCatalogConnection } from "./oracle";
export type * from "./types";
