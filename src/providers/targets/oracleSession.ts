/** Oracle session: node-oracledb (thin mode), a per-round-trip call timeout, one PL/SQL block per change. */
import type * as oracledb from "oracledb";
import {
    ORACLE_CATALOG_QUERY,
    type OracleCatalogRow,
    oracleChangeBlock,
    parseOracleCatalog,
} from "./oracleCatalog";
import { connectError, queryError, type SessionOpener } from "./session";

/** The part of the oracledb connection API this module uses (a recording client implements it). */
export interface OracleConnectionLike {
    callTimeout?: number;
    execute<T>(
        sql: string,
        binds: Record<string, unknown>,
        options: { outFormat?: number },
    ): Promise<{ rows?: T[] }>;
    close(): Promise<void>;
}

/** Opens an oracledb connection; replaceable in tests. */
export type OracleConnector = (attributes: {
    user: string;
    password: string;
    connectString: string;
    connectTimeout: number;
    transportConnectTimeout: number;
}) => Promise<OracleConnectionLike>;

/** The real connector: node-oracledb in thin mode (no Oracle client libraries needed). */
export const oracledbConnector: OracleConnector = async (attributes) => {
    const driver = require("oracledb") as typeof oracledb;
    return (await driver.getConnection(attributes)) as unknown as OracleConnectionLike;
};

/** `oracledb.OUT_FORMAT_OBJECT`, fixed by the driver's API. */
const OUT_FORMAT_OBJECT = 4002;

/** Oracle: per-round-trip call timeout; every change in one anonymous PL/SQL block. */
export function oracleSessionOpener(connector: OracleConnector = oracledbConnector): SessionOpener {
    return async (connection, options) => {
        const host = connection.host.includes(":") ? `[${connection.host}]` : connection.host;
        const seconds = Math.max(1, Math.ceil(options.connectTimeoutMs / 1000));
        options.onRoundTrip?.({ dialect: "oracle", kind: "connect", statements: 0 });
        let conn: OracleConnectionLike;
        try {
            conn = await connector({
                user: connection.user,
                password: connection.password,
                connectString: `${host}:${connection.port}/${connection.database}`,
                connectTimeout: seconds,
                transportConnectTimeout: seconds,
            });
        } catch (err) {
            throw connectError(connection, err, options.connectTimeoutMs);
        }
        conn.callTimeout = options.statementTimeoutMs;
        return {
            connection,
            partialRevokes: false,
            async readCatalog(target) {
                options.onRoundTrip?.({ dialect: "oracle", kind: "catalog", statements: 1 });
                try {
                    const result = await conn.execute<OracleCatalogRow>(
                        ORACLE_CATALOG_QUERY,
                        { owner: target.schema, grantee: target.grantee },
                        { outFormat: OUT_FORMAT_OBJECT },
                    );
                    return parseOracleCatalog(result.rows ?? []);
                } catch (err) {
                    throw queryError(connection, "reading the privilege catalog", err);
                }
            },
            async applyChange(revokes, grants) {
                if (revokes.length + grants.length === 0) return undefined;
                options.onRoundTrip?.({
                    dialect: "oracle",
                    kind: "change",
                    statements: revokes.length + grants.length,
                });
                try {
                    await conn.execute(oracleChangeBlock(revokes, grants), {}, {});
                } catch (err) {
                    throw queryError(connection, "granting/revoking privileges", err);
                }
                return undefined;
            },
            async close() {
                await conn.close().catch(() => undefined);
            },
        };
    };
}
