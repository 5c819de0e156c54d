/**
 * Small helpers for TargetGrants tests: admin sessions on the real test servers, URLs for a
 * given database/user, and provider calls with typed results.
 */
import type { Client } from "pg";
import type mysql = require("mysql2/promise");
import { withMysql as sessionWithMysql, withPg as sessionWithPg } from "../sessions";
import { MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, requireService, uniqueName } from "../services";
import type { TargetGrantsInputs } from "../../../src/providers/targetGrants/types";
import type { TargetGrantsOutputs } from "../../../src/providers/targetGrants/provider";
import { fromStoredOutputs } from "../../../src/providers/targetGrants/storedOutputs";
import type * as pulumi from "@pulumi/pulumi";

/** `base` with its path replaced by `/database` and, optionally, other credentials. */
export function urlWith(base: string, database: string, user?: string, password?: string): string {
    const url = new URL(base);
    url.pathname = `/${encodeURIComponent(database)}`;
    if (user !== undefined) url.username = encodeURIComponent(user);
    if (password !== undefined) url.password = encodeURIComponent(password);
    return url.toString();
}

const FIXTURE_SESSION = { connectTimeoutMs: 5000 };

/** Runs `work` on a fresh pg client and closes it. */
export function withPg<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
    return sessionWithPg(url, work, FIXTURE_SESSION);
}

/** Runs `work` on a fresh mysql2 connection (multi-statement enabled) and closes it. */
export function withMysql<T>(
    url: string,
    work: (conn: mysql.Connection) => Promise<T>,
): Promise<T> {
    return sessionWithMysql(work, url, FIXTURE_SESSION);
}

/** PostgreSQL identifier quoting for test set-up SQL. */
export const pgq = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** MySQL identifier quoting for test set-up SQL. */
export const myq = (name: string) => "`" + name.replace(/`/g, "``") + "`";

/** Stored outputs with their lists plain (large state keeps them grouped). */
function plain(state: unknown): TargetGrantsOutputs {
    return fromStoredOutputs<TargetGrantsOutputs>(state);
}

/** Typed wrappers around a provider's lifecycle calls. */
export function lifecycle(provider: Required<pulumi.dynamic.ResourceProvider>) {
    return {
        async create(inputs: TargetGrantsInputs) {
            const checked = await provider.check({}, inputs);
            if (checked.failures && checked.failures.length > 0) {
                throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
            }
            const result = await provider.create(inputs);
            return { id: result.id, outs: plain(result.outs) };
        },
        async read(id: string, outs: TargetGrantsOutputs) {
            const result = await provider.read(id, outs);
            return plain(result.props);
        },
        async update(id: string, outs: TargetGrantsOutputs, inputs: TargetGrantsInputs) {
            const result = await provider.update(id, outs, inputs);
            return plain(result.outs);
        },
        async diff(id: string, outs: TargetGrantsOutputs, inputs: TargetGrantsInputs) {
            return provider.diff(id, outs, inputs);
        },
        async delete(id: string, outs: TargetGrantsOutputs) {
            await provider.delete(id, outs);
        },
    };
}

/** `kind:object:privilege` strings, sorted, for compact assertions. */
export function pairs(
    list: readonly { kind: string; object: string; privilege: string }[],
): string[] {
    return list.map((p) => `${p.kind}:${p.object}:${p.privilege}`).sort();
}

/**
 * A PostgreSQL database whose schema `s` holds `tables` tables (`t1 … tN`) and a MariaDB
 * database of `tables` MEMORY tables (`t0 … tN-1`), with a grantee of the same name on both (a
 * role and the account `'name'@'%'`). `pgAfterTables` is extra set-up SQL run after the tables.
 */
export function manyTablesFixture(
    prefix: string,
    tables: number,
    pgAfterTables: (grantee: string) => string = () => "",
) {
    const pgDatabase = uniqueName(prefix);
    const myDatabase = uniqueName(prefix);
    const grantee = uniqueName(`${prefix}_app`);
    return {
        pgUrl: urlWith(POSTGRES_ADMIN_URL, pgDatabase),
        myDatabase,
        grantee,
        async create(): Promise<void> {
            await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
            await requireService("MariaDB", MARIADB_ADMIN_URL);
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`CREATE DATABASE ${pgq(pgDatabase)}`);
                await c.query(`CREATE ROLE ${pgq(grantee)}`);
            });
            await withPg(urlWith(POSTGRES_ADMIN_URL, pgDatabase), (c) =>
                c.query(`CREATE SCHEMA s;
                    DO $$ BEGIN FOR i IN 1..${tables} LOOP
                        EXECUTE format('CREATE TABLE s.%I (id INT8 PRIMARY KEY)', 't' || i);
                    END LOOP; END $$;
                    ${pgAfterTables(grantee)}`),
            );
            await withMysql(MARIADB_ADMIN_URL, async (c) => {
                await c.query(`CREATE DATABASE ${myq(myDatabase)}; CREATE USER '${grantee}'@'%'`);
                const creates = Array.from(
                    { length: tables },
                    (_, i) =>
                        `CREATE TABLE ${myq(myDatabase)}.t${i} (id BIGINT PRIMARY KEY) ENGINE=MEMORY`,
                );
                await c.query(creates.join(";\n"));
            });
        },
        async drop(): Promise<void> {
            await withPg(POSTGRES_ADMIN_URL, async (c) => {
                await c.query(`DROP DATABASE IF EXISTS ${pgq(pgDatabase)} WITH (FORCE)`);
                await c.query(`DROP ROLE IF EXISTS ${pgq(grantee)}`);
            });
            await withMysql(MARIADB_ADMIN_URL, (c) =>
                c.query(
                    `DROP DATABASE IF EXISTS ${myq(myDatabase)}; DROP USER IF EXISTS '${grantee}'@'%'`,
                ),
            );
        },
    };
}
