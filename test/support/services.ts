/**
 * Where the real database servers the tests use are, and a helper that fails (never skips) a
 * test run when one of them is not reachable.
 */
import { Socket } from "node:net";

export const POSTGRES_ADMIN_URL =
    process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const MARIADB_ADMIN_URL = process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/";
export const ORACLE_URL = process.env.TEST_ORACLE_URL;

/** Resolves when `host:port` accepts a TCP connection; rejects with a clear message otherwise. */
export async function requireService(name: string, url: string, timeoutMs = 3000): Promise<void> {
    const parsed = new URL(url);
    const port = Number(parsed.port);
    await new Promise<void>((resolve, reject) => {
        const socket = new Socket();
        const fail = (why: string) => {
            socket.destroy();
            reject(
                new Error(
                    `${name} is required by these tests but ${parsed.hostname}:${port} ${why}. ` +
                        "Start it (bash .ci/run does) or point the TEST_* variable at one.",
                ),
            );
        };
        socket.setTimeout(timeoutMs, () => fail("did not answer in time"));
        socket.once("error", (err) => fail(`refused the connection (${err.message})`));
        socket.connect(port, parsed.hostname, () => {
            socket.end();
            resolve();
        });
    });
}

/** A name unique to this test run, safe as an unquoted identifier in every dialect. */
export function uniqueName(prefix: string): string {
    return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}
