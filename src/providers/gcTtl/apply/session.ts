/**
 * One CockroachDB session as GcTtl uses it: the cluster's identity, a zone's `gc.ttlseconds`
 * (value in effect and origin), and the statements that change it. Every statement that may
 * change a zone is recorded in `attempted` before it is sent: only those zones can have changed
 * when a statement gets no answer.
 */
import {
    type CockroachSession,
    connectCockroach,
    errorMessage,
    quoteIdent,
    type SessionTimeouts,
    sqlState,
    SQLSTATE,
} from "../../cockroach";
import { zoneName } from "../check";
import {
    copyTtlFromParent,
    discardZone,
    fieldsInConfigSql,
    SELECT_CLUSTER_ID,
    selectOwnZone,
    setTtl,
    showZone,
    ttlInConfigSql,
} from "../sql";
import type { ZoneReading, ZoneTarget } from "../types";

/** Runs `work` on a fresh bounded session to `url` and always closes it. */
export type OpenSession = <T>(
    url: string,
    secrets: ReadonlyArray<string | undefined>,
    work: (session: ZoneSession) => Promise<T>,
) => Promise<T>;

export function sessionOpener(timeouts: SessionTimeouts): OpenSession {
    return async (url, secrets, work) => {
        const sql = await connectCockroach(url, secrets, timeouts);
        try {
            return await work(new ZoneSession(sql));
        } finally {
            await sql.close();
        }
    };
}

/** The connection reaches another cluster than the one a state belongs to; nothing was sent. */
export class ClusterMismatchError extends Error {}

/** True when a failure's outcome is known: the server answered (a SQLSTATE) or nothing was sent. */
export function answered(err: unknown): boolean {
    return sqlState(err) !== undefined || err instanceof ClusterMismatchError;
}

export class ZoneSession {
    /** Zone names a CONFIGURE ZONE statement was sent for, answered or not. */
    readonly attempted: string[] = [];

    constructor(readonly sql: CockroachSession) {}

    async clusterId(): Promise<string> {
        const rows = await this.sql.query(SELECT_CLUSTER_ID);
        const row = rows[0] ?? {};
        return String(row["crdb_internal.cluster_id"] ?? Object.values(row)[0]);
    }

    /** Refuses to act when the session reaches another cluster than `expected`. */
    async requireCluster(expected: string | undefined, action: string): Promise<string> {
        const clusterId = await this.clusterId();
        if (expected && clusterId !== expected) {
            throw new ClusterMismatchError(
                `the connection reaches CockroachDB cluster ${clusterId}, but this GC TTL was set on cluster ` +
                    `${expected}. Refusing to ${action}: nothing was changed. Point the connection back at that ` +
                    "cluster (a DNS name or load balancer may have moved), or, if the old cluster is gone for good, " +
                    "remove the resource from the state with `pulumi state delete <urn>`.",
            );
        }
        return clusterId;
    }

    /** The zone's `gc.ttlseconds` in effect, and whether the zone sets it itself. */
    async read(target: ZoneTarget): Promise<ZoneReading> {
        try {
            const own = selectOwnZone(target);
            const ownRows = await this.sql.query(own.sql, own.params);
            const ownSql = ownRows.length > 0 ? String(ownRows[0]?.raw_config_sql ?? "") : "";
            const ownTtl = ttlInConfigSql(ownSql);
            const ttlSeconds = ownTtl ?? (await this.effectiveTtl(target));
            if (ttlSeconds === undefined) {
                throw new Error("SHOW ZONE CONFIGURATION printed no gc.ttlseconds");
            }
            return {
                ttlSeconds,
                origin: ownTtl === undefined ? "inherited" : "set",
                otherFields: fieldsInConfigSql(ownSql).filter((f) => f !== "gc.ttlseconds"),
            };
        } catch (err) {
            throw zoneError(target, "read the zone configuration of", err);
        }
    }

    /** The value a zone that does not set `gc.ttlseconds` inherits. */
    private async effectiveTtl(target: ZoneTarget): Promise<number | undefined> {
        const shown = await this.sql.query(showZone(target));
        return ttlInConfigSql(String(shown[0]?.raw_config_sql ?? ""));
    }

    async set(target: ZoneTarget, seconds: number): Promise<void> {
        await this.change(target, setTtl(target, seconds), `set gc.ttlseconds = ${seconds} on`);
    }

    async discard(target: ZoneTarget): Promise<void> {
        await this.change(target, discardZone(target), "discard the zone configuration of");
    }

    async copyFromParent(target: ZoneTarget): Promise<void> {
        await this.change(
            target,
            copyTtlFromParent(target),
            "copy gc.ttlseconds from the parent of",
        );
    }

    private async change(target: ZoneTarget, statement: string, action: string): Promise<void> {
        this.attempted.push(zoneName(target));
        try {
            await this.sql.query(statement);
        } catch (err) {
            throw zoneError(target, action, err);
        }
    }
}

/** A clear error for a failed zone statement; keeps the SQLSTATE (or its absence). */
function zoneError(target: ZoneTarget, action: string, err: unknown): Error {
    const code = sqlState(err);
    const name = zoneName(target);
    let message = `cannot ${action} ${name}: ${errorMessage(err)}`;
    if (code === SQLSTATE.insufficientPrivilege) {
        const object =
            target.table === undefined
                ? `DATABASE ${quoteIdent(target.database)}`
                : `TABLE ${quoteIdent(target.database)}.${quoteIdent(target.schema ?? "public")}.${quoteIdent(target.table)}`;
        message +=
            ` — the connecting user needs the ZONECONFIG (or CREATE) privilege on ${name}; as an admin run: ` +
            `GRANT ZONECONFIG ON ${object} TO <user>;`;
    } else if (code === SQLSTATE.featureNotSupported) {
        message +=
            " — this cluster does not let SQL users change zone configurations (a CockroachDB Cloud Basic/Standard " +
            "virtual cluster may not); raise the GC TTL through the operator, or leave GcTtl out of the stack";
    }
    const wrapped = new Error(message);
    if (code) (wrapped as Error & { code?: string }).code = code;
    return wrapped;
}
