/**
 * Small helpers for TargetGrants tests: admin sessions on the real test servers, URLs for a
 * given database/user, and provider calls with typed results.
 */
import { Client } from "pg";
import mysql = require("mysql2/promise");
import type { TargetGrantsInputs } from "../../../src/providers/targetGrants/config";
import type { TargetGrantsOutputs } from "../../../src/providers/targetGrants/provider";
import type * as pulumi from "@pulumi/pulumi";

/** `base` with its path replaced by `/database` and, optionally, other credentials. */
export function urlWith(base: string, database: string, user?: string, password?: string): string {
    const url = new URL(base);
    url.pathname = `/${encodeURIComponent(database)}`;
    if (user !== undefined) url.username = encodeURIComponent(user);
    if (password !== undefined) url.password = encodeURIComponent(password);
    return url.toString();
}

/** Runs `work` on a fresh pg client and closes it. */
export async function withPg<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
        return await work(client);
    } finally {
        await client.end();
    }
}

/** Runs `work` on a fresh mysql2 connection (multi-statement enabled) and closes it. */
export async function withMysql<T>(
    url: string,
    work: (conn: mysql.Connection) => Promise<T>,
): Promise<T> {
    const conn = await mysql.createConnection({
        uri: url,
        connectTimeout: 5000,
        multipleStatements: true,
    });
    try {
        return await work(conn);
    } finally {
        await conn.end();
    }
}

/** PostgreSQL identifier quoting for test set-up SQL. */
export const pgq = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** MySQL identifier quoting for test set-up SQL. */
export const myq = (name: string) => "`" + name.replace(/`/g, "``") + "`";

/** Typed wrappers around a provider's lifecycle calls. */
export function lifecycle(provider: Required<pulumi.dynamic.ResourceProvider>) {
    return {
        async create(inputs: TargetGrantsInputs) {
            const checked = await provider.check({}, inputs);
            if (checked.failures && checked.failures.length > 0) {
                throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
            }
            const result = await provider.create(inputs);
            return { id: result.id, outs: result.outs as TargetGrantsOutputs };
        },
        async read(id: string, outs: TargetGrantsOutputs) {
            const result = await provider.read(id, outs);
            return result.props as TargetGrantsOutputs;
        },
        async update(id: string, outs: TargetGrantsOutputs, inputs: TargetGrantsInputs) {
            const result = await provider.update(id, outs, inputs);
            return result.outs as TargetGrantsOutputs;
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
