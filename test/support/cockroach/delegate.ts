/**
 * Plain SQL goes to the backing PostgreSQL database through one `pg` client per session, so
 * transactions span statements. Rows come back as text (no type parsing), with the real
 * command tag and transaction status, and errors keep their SQLSTATE.
 */
import { Client, type DatabaseError } from "pg";
import { CockroachError, syntaxError } from "./errors";
import type { Token } from "./lexer";
import type { ResultSet } from "./results";

interface ProtocolEvents {
    on(event: "commandComplete", listener: (message: { text: string }) => void): void;
    on(event: "readyForQuery", listener: (message: { status: string }) => void): void;
}

export type TransactionStatus = "I" | "T" | "E";

/** A session's connection to the backing database. */
export class BackingSession {
    private lastTag = "";
    private notices: string[] = [];
    status: TransactionStatus = "I";

    private constructor(private readonly client: Client) {
        const connection = (client as unknown as { connection: ProtocolEvents }).connection;
        connection.on("commandComplete", (message) => {
            this.lastTag = message.text;
        });
        connection.on("readyForQuery", (message) => {
            this.status = message.status as TransactionStatus;
        });
        client.on("notice", (notice) => this.notices.push(notice.message ?? ""));
        client.on("error", () => undefined);
    }

    static async open(url: string): Promise<BackingSession> {
        const client = new Client({
            connectionString: url,
            connectionTimeoutMillis: 10_000,
            types: { getTypeParser: () => (value: string) => value },
        });
        await client.connect();
        return new BackingSession(client);
    }

    /** Runs one statement; throws CockroachError carrying PostgreSQL's SQLSTATE on failure. */
    async run(
        text: string,
        params: ReadonlyArray<string | null>,
    ): Promise<ResultSet & { notices: string[] }> {
        this.lastTag = "";
        this.notices = [];
        try {
            const result = await this.client.query({ text, values: [...params], rowMode: "array" });
            return {
                columns: (result.fields ?? []).map((f) => ({ name: f.name, oid: f.dataTypeID })),
                rows: (result.rows as Array<Array<string | null>>) ?? [],
                tag: this.lastTag,
                notices: this.notices,
            };
        } catch (err) {
            const dbError = err as Partial<DatabaseError>;
            if (dbError.code === SYNTAX_ERROR) throw cockroachSyntaxError(dbError.message ?? "");
            if (typeof dbError.code === "string") {
                throw new CockroachError(
                    dbError.code,
                    dbError.message ?? "error",
                    dbError.hint,
                    dbError.detail,
                );
            }
            throw err;
        }
    }

    /** Puts an open backing transaction into the aborted state after an error the server raised itself. */
    async abortTransaction(): Promise<void> {
        if (this.status !== "T") return;
        await this.client
            .query("DO $$ BEGIN RAISE EXCEPTION 'statement failed'; END $$")
            .catch(() => undefined);
    }

    async close(): Promise<void> {
        await this.client.end().catch(() => undefined);
    }
}

const SYNTAX_ERROR = "42601";

/** PostgreSQL's `syntax error at or near "X"` in CockroachDB's words (`at or near "x": syntax error`). */
function cockroachSyntaxError(message: string): CockroachError {
    const near = /syntax error at or near "(.*)"/.exec(message)?.[1];
    if (near !== undefined) return syntaxError(near.toLowerCase());
    if (/syntax error at end of input/.test(message)) return syntaxError("EOF");
    return new CockroachError(SYNTAX_ERROR, message);
}

/** CockroachDB type names PostgreSQL does not know, in DDL (INT is INT8 in CockroachDB). */
const DDL_TYPES: Record<string, string> = {
    string: "TEXT",
    bytes: "BYTEA",
    int: "INT8",
    integer: "INT8",
};

/**
 * Rewrites CockroachDB-only spellings so PostgreSQL runs the statement the way CockroachDB
 * would: `<database>.<schema>.<table>` loses the database part, and DDL column types
 * STRING/BYTES/INT map to TEXT/BYTEA/INT8.
 */
export function rewriteForPostgres(
    text: string,
    tokens: readonly Token[],
    database: string,
): string {
    const isDdl =
        (tokens[0]?.value === "create" || tokens[0]?.value === "alter") &&
        tokens.some((t) => t.kind === "ident" && t.value === "table");
    const edits: Array<{ start: number; end: number; replacement: string }> = [];
    for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i] as Token;
        const dot1 = tokens[i + 1];
        const dot2 = tokens[i + 3];
        const previous = tokens[i - 1];
        if (
            (token.kind === "ident" || token.kind === "qident") &&
            token.value === database &&
            dot1?.value === "." &&
            dot2?.value === "." &&
            previous?.value !== "."
        ) {
            edits.push({ start: token.start, end: (dot1 as Token).end, replacement: "" });
            continue;
        }
        if (
            isDdl &&
            token.kind === "ident" &&
            DDL_TYPES[token.value] &&
            previous &&
            isColumnTypePosition(previous)
        ) {
            edits.push({
                start: token.start,
                end: token.end,
                replacement: DDL_TYPES[token.value] as string,
            });
        }
    }
    let out = text;
    for (const edit of edits.reverse())
        out = out.slice(0, edit.start) + edit.replacement + out.slice(edit.end);
    return out;
}

/** A type name follows a column name (identifier) or `TYPE`/`::`. */
function isColumnTypePosition(previous: Token): boolean {
    return (
        previous.kind === "qident" ||
        (previous.kind === "ident" && previous.value !== "table") ||
        previous.value === "::"
    );
}
