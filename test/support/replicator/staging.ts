/**
 * The replicator's staging schema on a PostgreSQL-protocol server (the CockroachDB test server or
 * its backing PostgreSQL database): the tables `replicator start` creates there (memo,
 * checkpoints, leases, jwt_public_keys, jwt_revoked_ids and one staging table per target table,
 * docs/replicator-behaviour.md), the checkpoint rules and the staged mutations.
 * Only PostgreSQL-compatible SQL is used (TEXT/BYTEA instead of STRING/BYTES, no virtual columns).
 */
import { Pool } from "pg";
import { Hlc, formatHlc, hlcFromDecimal } from "./hlc";

/** A mutation as staged: `key` and `mut` are JSON texts (`mut` is `null` for a delete). */
export interface StagedMutation {
    nanos: bigint;
    logical: number;
    key: string;
    mut: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `defaultdb._replicator` → `_replicator`; a one-part name `x` → `public` (x.public). */
export function stagingPgSchema(stagingSchema: string): string {
    const parts = stagingSchema.split(".");
    return parts.length >= 2 ? parts[parts.length - 1]! : "public";
}

/** Staging table name for a target table: its name parts, lower-cased, joined with `_`. */
export function stagingTableName(targetTable: ReadonlyArray<string>): string {
    return targetTable.map((p) => p.toLowerCase()).join("_");
}

export class StagingStore {
    private readonly schema: string;

    private constructor(
        private readonly pool: Pool,
        schemaName: string,
    ) {
        this.schema = quote(schemaName);
    }

    /** Connects, optionally creates the schema, and creates the replicator's tables. */
    static async open(
        connection: string,
        stagingSchema: string,
        createSchema: boolean,
    ): Promise<StagingStore> {
        const url = new URL(connection);
        if (!url.searchParams.has("application_name")) {
            url.searchParams.set("application_name", "replicator");
        }
        const pool = new Pool({
            connectionString: url.toString(),
            max: 4,
            connectionTimeoutMillis: 10_000,
            statement_timeout: 30_000,
            idleTimeoutMillis: 1_000,
        });
        pool.on("error", () => undefined);
        const store = new StagingStore(pool, stagingPgSchema(stagingSchema));
        try {
            if (createSchema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${store.schema}`);
            await store.createTables();
        } catch (err) {
            await pool.end();
            throw err;
        }
        return store;
    }

    private table(name: string): string {
        return `${this.schema}.${quote(name)}`;
    }

    private async createTables(): Promise<void> {
        const statements = [
            `CREATE TABLE IF NOT EXISTS ${this.table("jwt_public_keys")} (
                id UUID NOT NULL PRIMARY KEY DEFAULT gen_random_uuid(),
                public_key TEXT NOT NULL,
                active BOOL NOT NULL DEFAULT true)`,
            `CREATE TABLE IF NOT EXISTS ${this.table("jwt_revoked_ids")} (id TEXT NOT NULL PRIMARY KEY)`,
            `CREATE TABLE IF NOT EXISTS ${this.table("memo")} (key TEXT NOT NULL PRIMARY KEY, value BYTEA NOT NULL)`,
            `CREATE TABLE IF NOT EXISTS ${this.table("checkpoints")} (
                group_name TEXT NOT NULL,
                source_hlc DECIMAL NOT NULL,
                partition TEXT NOT NULL,
                first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
                target_applied_at TIMESTAMPTZ,
                PRIMARY KEY (group_name, source_hlc, partition))`,
            `CREATE TABLE IF NOT EXISTS ${this.table("leases")} (
                name TEXT NOT NULL PRIMARY KEY,
                expires TIMESTAMPTZ NOT NULL,
                nonce UUID NOT NULL)`,
        ];
        for (const sql of statements) await this.pool.query(sql);
    }

    async ping(): Promise<void> {
        await this.pool.query("SELECT 1");
    }

    /** Active public keys (id + PEM text) and revoked token ids. */
    async loadJwtData(): Promise<{ keys: Array<{ id: string; pem: string }>; revoked: string[] }> {
        const keys = await this.pool.query<{ id: string; public_key: string }>(
            `SELECT id::TEXT AS id, public_key FROM ${this.table("jwt_public_keys")} WHERE active`,
        );
        const revoked = await this.pool.query<{ id: string }>(
            `SELECT id FROM ${this.table("jwt_revoked_ids")}`,
        );
        return {
            keys: keys.rows.map((r) => ({ id: r.id, pem: r.public_key })),
            revoked: revoked.rows.map((r) => r.id),
        };
    }

    /**
     * Records a proposed checkpoint unless it is lower than the latest stored one for the
     * partition (equal is accepted). Returns false when it would go backwards.
     */
    async advanceCheckpoint(group: string, partition: string, ts: Hlc): Promise<boolean> {
        const t = this.table("checkpoints");
        const result = await this.pool.query(
            `WITH not_before AS (
               SELECT source_hlc FROM ${t}
                WHERE group_name = $1 AND partition = $2
                ORDER BY source_hlc DESC LIMIT 1 FOR UPDATE),
             to_insert AS (
               SELECT $1::TEXT, $2::TEXT, $3::DECIMAL
                WHERE (SELECT count(*) FROM not_before) = 0
                   OR $3::DECIMAL >= (SELECT source_hlc FROM not_before))
             INSERT INTO ${t} (group_name, partition, source_hlc)
             SELECT * FROM to_insert
             ON CONFLICT (group_name, source_hlc, partition)
             DO UPDATE SET first_seen = ${t}.first_seen`,
            [group, partition, formatHlc(ts)],
        );
        return (result.rowCount ?? 0) > 0;
    }

    /** Marks every checkpoint of the group up to and including `upTo` as applied. */
    async commitCheckpoints(group: string, upTo: Hlc): Promise<void> {
        await this.pool.query(
            `UPDATE ${this.table("checkpoints")} SET target_applied_at = now()
              WHERE group_name = $1 AND source_hlc <= $2::DECIMAL AND target_applied_at IS NULL`,
            [group, formatHlc(upTo)],
        );
    }

    /** The latest checkpoint of the group whose `target_applied_at` is still NULL, if any. */
    async latestUnapplied(group: string): Promise<Hlc | undefined> {
        const result = await this.pool.query<{ source_hlc: string | null }>(
            `SELECT max(source_hlc)::TEXT AS source_hlc FROM ${this.table("checkpoints")}
              WHERE group_name = $1 AND target_applied_at IS NULL`,
            [group],
        );
        const text = result.rows[0]?.source_hlc;
        return text ? hlcFromDecimal(text) : undefined;
    }

    /** Names of the staging tables that start with `prefix` (the mangled target schema + `_`). */
    async stagingTables(prefix: string): Promise<string[]> {
        const result = await this.pool.query<{ table_name: string }>(
            `SELECT table_name FROM information_schema.tables
              WHERE table_schema = $1 AND left(table_name, length($2)) = $2 ORDER BY table_name`,
            [this.schema.slice(1, -1).replace(/""/g, '"'), prefix],
        );
        return result.rows.map((r) => r.table_name);
    }

    /** The checkpoints of a group, oldest first (for tests and diagnostics). */
    async checkpoints(group: string): Promise<Array<{ sourceHlc: Hlc; applied: boolean }>> {
        const result = await this.pool.query<{ source_hlc: string; applied: boolean }>(
            `SELECT source_hlc::TEXT AS source_hlc, target_applied_at IS NOT NULL AS applied
               FROM ${this.table("checkpoints")} WHERE group_name = $1 ORDER BY source_hlc`,
            [group],
        );
        return result.rows.map((r) => ({
            sourceHlc: hlcFromDecimal(r.source_hlc),
            applied: r.applied,
        }));
    }

    /** Stages mutations per staging table in one transaction; a re-delivered mutation is kept once. */
    async stage(byTable: Map<string, StagedMutation[]>): Promise<void> {
        const client = await this.pool.connect();
        try {
            await client.query("BEGIN");
            for (const [tableName, mutations] of byTable) {
                const t = this.table(tableName);
                await client.query(
                    `CREATE TABLE IF NOT EXISTS ${t} (
                        nanos INT8 NOT NULL,
                        logical INT8 NOT NULL,
                        key TEXT NOT NULL,
                        mut BYTEA NOT NULL,
                        applied BOOL NOT NULL DEFAULT false,
                        PRIMARY KEY (nanos, logical, key))`,
                );
                const unique = new Map<string, StagedMutation>();
                for (const m of mutations) unique.set(`${m.nanos}.${m.logical}/${m.key}`, m);
                const params: unknown[] = [];
                const tuples = [...unique.values()].map((m) => {
                    params.push(m.nanos.toString(), m.logical, m.key, Buffer.from(m.mut, "utf8"));
                    const n = params.length;
                    return `($${n - 3}::INT8, $${n - 2}::INT8, $${n - 1}, $${n})`;
                });
                await client.query(
                    `INSERT INTO ${t} (nanos, logical, key, mut) VALUES ${tuples.join(", ")}
                     ON CONFLICT (nanos, logical, key) DO NOTHING`,
                    params,
                );
            }
            await client.query("COMMIT");
        } catch (err) {
            await client.query("ROLLBACK").catch(() => undefined);
            throw err;
        } finally {
            client.release();
        }
    }

    /** Unapplied mutations with a timestamp ≤ `upTo`, per existing staging table, in time order. */
    async unapplied(tableNames: string[], upTo: Hlc): Promise<Map<string, StagedMutation[]>> {
        const out = new Map<string, StagedMutation[]>();
        for (const name of await this.existingTables(tableNames)) {
            const result = await this.pool.query<{
                nanos: string;
                logical: string;
                key: string;
                mut: Buffer;
            }>(
                `SELECT nanos::TEXT AS nanos, logical::TEXT AS logical, key, mut FROM ${this.table(name)}
                  WHERE NOT applied AND (nanos, logical) <= ($1::INT8, $2::INT8)
                  ORDER BY nanos, logical, key`,
                [upTo.nanos.toString(), upTo.logical],
            );
            if (result.rows.length === 0) continue;
            out.set(
                name,
                result.rows.map((r) => ({
                    nanos: BigInt(r.nanos),
                    logical: Number(r.logical),
                    key: r.key,
                    mut: r.mut.toString("utf8"),
                })),
            );
        }
        return out;
    }

    /** Marks staged mutations ≤ `upTo` as applied. */
    async markApplied(tableNames: string[], upTo: Hlc): Promise<void> {
        for (const name of tableNames) {
            await this.pool.query(
                `UPDATE ${this.table(name)} SET applied = true
                  WHERE NOT applied AND (nanos, logical) <= ($1::INT8, $2::INT8)`,
                [upTo.nanos.toString(), upTo.logical],
            );
        }
    }

    private async existingTables(tableNames: string[]): Promise<string[]> {
        if (tableNames.length === 0) return [];
        const result = await this.pool.query<{ table_name: string }>(
            `SELECT table_name FROM information_schema.tables
              WHERE table_schema = $1 AND table_name = ANY($2::TEXT[])`,
            [this.schema.slice(1, -1).replace(/""/g, '"'), tableNames],
        );
        const found = new Set(result.rows.map((r) => r.table_name));
        return tableNames.filter((n) => found.has(n));
    }

    async close(): Promise<void> {
        await this.pool.end();
    }
}
