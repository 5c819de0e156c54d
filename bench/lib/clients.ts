/**
 * Runs the real command-line clients a DBA would use — `psql -f file.sql` and
 * `mariadb < file.sql` — and fails loudly when one exits non-zero, so a baseline that silently
 * did nothing can never look fast.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where the servers are, as the clients are told on their command line. */
export interface ClientTarget {
    host: string;
    port: number;
    user: string;
}

/** Writes `sql` to a fresh file in a temporary folder and returns its path. */
export function writeSqlFile(name: string, sql: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-sql-"));
    const file = path.join(dir, `${name}.sql`);
    fs.writeFileSync(file, sql);
    return file;
}

/** Removes a file written by {@link writeSqlFile} and its folder. */
export function removeSqlFile(file: string): void {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

/** `psql -X -q -v ON_ERROR_STOP=1 -h host -p port -U user -d database -f file` (output discarded). */
export function psqlArgs(target: ClientTarget, database: string, file: string): string[] {
    return [
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        target.host,
        "-p",
        String(target.port),
        "-U",
        target.user,
        "-d",
        database,
        "-f",
        file,
    ];
}

/** `mariadb -h host -P port -u user` (the file goes to stdin). */
export function mariadbArgs(target: ClientTarget): string[] {
    return ["-h", target.host, "-P", String(target.port), "-u", target.user];
}

/** Runs `command args…` with `stdinFile` (if any) as stdin; resolves when it exits 0. */
export function runClient(command: string, args: string[], stdinFile?: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const stdin = stdinFile ? fs.openSync(stdinFile, "r") : "ignore";
        const child = spawn(command, args, { stdio: [stdin, "ignore", "pipe"] });
        if (typeof stdin === "number") fs.closeSync(stdin);
        let stderr = "";
        child.stderr?.on("data", (chunk: Buffer) => {
            if (stderr.length < 4000) stderr += chunk.toString();
        });
        child.once("error", reject);
        child.once("exit", (code, signal) => {
            if (code === 0) resolve();
            else
                reject(
                    new Error(
                        `${command} exited with ${code ?? signal}: ${stderr.trim().slice(0, 2000)}`,
                    ),
                );
        });
    });
}

/** Connection facts of a `postgres://` or `mysql://` URL as CLI options. */
export function clientTarget(url: string, defaultPort: number): ClientTarget {
    const u = new URL(url);
    return {
        host: u.hostname,
        port: u.port ? Number(u.port) : defaultPort,
        user: decodeURIComponent(u.username),
    };
}
