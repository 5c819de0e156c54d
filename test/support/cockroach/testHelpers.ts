/** Helpers shared by the CockroachDB test server's own tests and the suites that use it. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, types as pgTypes } from "pg";

/**
 * Runs `statements` in order on a fresh session at `url` (on the test server: as root, the
 * operator, out of band) and returns the last one's rows. INTERVAL values come back as the
 * server's text (00:00:00.25), not the driver's object. The session is always closed.
 */
export async function runSql(
    url: string,
    statements: readonly string[],
    connectTimeoutMs = 5_000,
): Promise<Record<string, unknown>[]> {
    const client = new Client({
        connectionString: url,
        connectionTimeoutMillis: connectTimeoutMs,
        types: {
            getTypeParser: ((oid: number) =>
                oid === 1186 ? (v: string) => v : pgTypes.getTypeParser(oid)) as never,
        },
    });
    await client.connect();
    try {
        let rows: Record<string, unknown>[] = [];
        for (const statement of statements) rows = (await client.query(statement)).rows;
        return rows;
    } finally {
        await client.end();
    }
}

/** A connected client whose full command tags are recorded (pg's result.command keeps one word). */
export async function connect(url: string): Promise<Client & { tags: string[] }> {
    const client = new Client({
        connectionString: url,
        connectionTimeoutMillis: 5_000,
    }) as Client & { tags: string[] };
    client.tags = [];
    const connection = (
        client as unknown as {
            connection: { on(e: string, f: (m: { text: string }) => void): void };
        }
    ).connection;
    connection.on("commandComplete", (message) => client.tags.push(message.text));
    await client.connect();
    return client;
}

/** Asserts the promise fails with this SQLSTATE and message (exact, or matching a RegExp). */
export async function rejects(
    promise: Promise<unknown>,
    code: string,
    message: string | RegExp,
): Promise<void> {
    await assert.rejects(promise, (err: Error & { code?: string }) => {
        assert.equal(err.code, code, `SQLSTATE of: ${err.message}`);
        if (typeof message === "string") assert.equal(err.message, message);
        else assert.match(err.message, message);
        return true;
    });
}

export interface TestCertificates {
    caCertPem: string;
    clientCertPem: string;
    clientKeyPem: string;
}

/** A throwaway CA and a client certificate/key signed by it (openssl). */
export function makeCertificates(): TestCertificates {
    const dir = mkdtempSync(join(tmpdir(), "crdb-certs-"));
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    try {
        run(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=test-ca",
        );
        run(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.csr",
            "-subj",
            "/CN=client",
        );
        run(
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.crt",
            "-days",
            "2",
        );
        const read = (name: string) => readFileSync(join(dir, name), "utf8");
        return {
            caCertPem: read("ca.crt"),
            clientCertPem: read("client.crt"),
            clientKeyPem: read("client.key"),
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** PEM → base64 → URL encoding, as the webhook sink expects its certificate parameters (§6.2). */
export const encodeParam = (pem: string) => encodeURIComponent(Buffer.from(pem).toString("base64"));

/** Polls `check` every 25 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(
    check: () => Promise<boolean> | boolean,
    timeoutMs = 3_000,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error("condition not reached in time");
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
}

/** Polls `condition` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function eventually(
    condition: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs = 15_000,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
