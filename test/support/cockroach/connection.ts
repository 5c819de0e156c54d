/**
 * One pgwire connection: startup and authentication, simple queries and the extended protocol
 * (Parse/Bind/Describe/Execute/Sync/Close/Flush) on top of a Session.
 */
import type { Socket } from "node:net";
import { CockroachError, SQLSTATE } from "./errors";
import { splitStatements, type StatementText } from "./lexer";
import type { ResultSet } from "./results";
import { Session, type ServerState } from "./session";
import {
    BodyReader,
    CANCEL_REQUEST,
    GSSENC_REQUEST,
    MessageReader,
    PROTOCOL_V3,
    SSL_REQUEST,
    encode,
    parseStartupParameters,
    type IncomingMessage,
} from "./wire";

interface PreparedStatement {
    statement: StatementText | undefined;
    paramCount: number;
}

interface Portal {
    prepared: PreparedStatement;
    params: Array<string | null>;
    result?: ResultSet;
}

type Phase = "startup" | "password" | "ready" | "closed";

export class Connection {
    private readonly reader = new MessageReader();
    private queue: Promise<void> = Promise.resolve();
    private phase: Phase = "startup";
    private session: Session | undefined;
    private pendingUser = "";
    private skipUntilSync = false;
    private readonly prepared = new Map<string, PreparedStatement>();
    private readonly portals = new Map<string, Portal>();

    constructor(
        private readonly socket: Socket,
        private readonly server: ServerState,
        private readonly processId: number,
        private readonly onClosed: (connection: Connection) => void,
    ) {
        socket.on("data", (chunk: Buffer) => {
            for (const message of this.reader.push(chunk)) {
                this.queue = this.queue
                    .then(() => this.handle(message))
                    .catch(() => this.destroy());
            }
        });
        socket.on("error", () => this.destroy());
        socket.on("close", () => this.destroy());
    }

    /** Closes the socket and the backing session. */
    destroy(): void {
        if (this.phase === "closed") return;
        this.phase = "closed";
        this.socket.destroy();
        const session = this.session;
        this.session = undefined;
        void this.queue.finally(() => session?.close()).finally(() => this.onClosed(this));
    }

    private send(...buffers: Buffer[]): void {
        if (this.phase !== "closed") this.socket.write(Buffer.concat(buffers));
    }

    private fatal(code: string, message: string): void {
        this.send(encode.errorResponse(new CockroachError(code, message), "FATAL"));
        this.socket.end();
        this.destroy();
    }

    private async handle(message: IncomingMessage): Promise<void> {
        if (this.phase === "closed") return;
        if (message.startup) return this.handleStartup(message.code, message.body);
        if (this.phase === "password") return this.handlePassword(message);
        if (this.phase !== "ready") return;
        if (this.skipUntilSync && message.type !== "S" && message.type !== "X") return;
        switch (message.type) {
            case "Q":
                return this.simpleQuery(new BodyReader(message.body).cstring());
            case "P":
                return this.parse(message.body);
            case "B":
                return this.bind(message.body);
            case "D":
                return this.describe(message.body);
            case "E":
                return this.executePortal(message.body);
            case "C":
                return this.close(message.body);
            case "S":
                this.skipUntilSync = false;
                this.send(encode.readyForQuery(this.status()));
                return;
            case "H":
                return;
            case "X":
                this.destroy();
                return;
            default:
                this.fatal(
                    SQLSTATE.protocolViolation,
                    `unrecognized client message type ${message.type}`,
                );
        }
    }

    private async handleStartup(code: number, body: Buffer): Promise<void> {
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            this.send(Buffer.from("N"));
            return;
        }
        if (code === CANCEL_REQUEST) {
            this.destroy();
            return;
        }
        if (code !== PROTOCOL_V3) {
            this.fatal(SQLSTATE.protocolViolation, `unknown protocol version ${code}`);
            return;
        }
        const parameters = parseStartupParameters(body);
        const user = (parameters.user ?? "").toLowerCase();
        const database = parameters.database ?? this.server.database;
        if (!this.server.privileges.exists(user)) {
            this.fatal(SQLSTATE.invalidPassword, `password authentication failed for user ${user}`);
            return;
        }
        if (database !== this.server.database) {
            this.fatal("3D000", `database "${database}" does not exist`);
            return;
        }
        this.pendingUser = user;
        if (this.server.privileges.passwordOf(user) !== undefined) {
            this.phase = "password";
            this.send(encode.authenticationCleartextPassword());
            return;
        }
        await this.completeStartup();
    }

    private async handlePassword(message: IncomingMessage): Promise<void> {
        if (message.startup || message.type !== "p") {
            this.fatal(SQLSTATE.protocolViolation, "expected password message");
            return;
        }
        const password = new BodyReader(message.body).cstring();
        if (password !== this.server.privileges.passwordOf(this.pendingUser)) {
            this.fatal(
                SQLSTATE.invalidPassword,
                `password authentication failed for user ${this.pendingUser}`,
            );
            return;
        }
        await this.completeStartup();
    }

    private async completeStartup(): Promise<void> {
        try {
            this.session = await Session.open(this.server, this.pendingUser);
        } catch (err) {
            this.fatal("08006", `cannot reach the backing database: ${(err as Error).message}`);
            return;
        }
        this.phase = "ready";
        const isAdmin = this.server.privileges.isAdmin(this.pendingUser);
        const parameters: Array<[string, string]> = [
            ["application_name", ""],
            ["client_encoding", "UTF8"],
            ["DateStyle", "ISO, MDY"],
            ["default_transaction_isolation", "serializable"],
            ["integer_datetimes", "on"],
            ["IntervalStyle", "postgres"],
            ["is_superuser", isAdmin ? "on" : "off"],
            ["server_encoding", "UTF8"],
            ["server_version", "13.0.0"],
            ["session_authorization", this.pendingUser],
            ["standard_conforming_strings", "on"],
            ["TimeZone", "UTC"],
            ["crdb_version", this.server.version],
        ];
        this.send(
            encode.authenticationOk(),
            ...parameters.map(([name, value]) => encode.parameterStatus(name, value)),
            encode.backendKeyData(this.processId, Math.floor(Math.random() * 2 ** 31)),
            encode.readyForQuery("I"),
        );
    }

    private status(): "I" | "T" | "E" {
        return this.session?.transactionStatus ?? "I";
    }

    private sendError(err: unknown): void {
        const error =
            err instanceof CockroachError
                ? err
                : new CockroachError(
                      "XX000",
                      `internal error: ${err instanceof Error ? err.message : String(err)}`,
                  );
        this.send(encode.errorResponse(error));
    }

    private sendResult(result: ResultSet, withDescription: boolean): void {
        const buffers: Buffer[] = [];
        for (const notice of result.notices ?? []) buffers.push(encode.noticeResponse(notice));
        if (withDescription && result.columns.length > 0)
            buffers.push(encode.rowDescription(result.columns));
        for (const row of result.rows) buffers.push(encode.dataRow(row));
        buffers.push(encode.commandComplete(result.tag));
        this.send(...buffers);
    }

    private async simpleQuery(sql: string): Promise<void> {
        const session = this.session as Session;
        try {
            if (splitStatements(sql).length === 0) {
                this.send(encode.emptyQueryResponse());
            } else {
                await session.runSimpleQuery(sql, (result) => this.sendResult(result, true));
            }
        } catch (err) {
            this.sendError(err);
        }
        this.send(encode.readyForQuery(this.status()));
    }

    private fail(err: unknown): void {
        this.sendError(err);
        this.skipUntilSync = true;
    }

    private parse(body: Buffer): void {
        const reader = new BodyReader(body);
        const name = reader.cstring();
        const text = reader.cstring();
        try {
            const statements = splitStatements(text);
            if (statements.length > 1) {
                throw new CockroachError(
                    SQLSTATE.syntaxError,
                    "cannot insert multiple commands into a prepared statement",
                );
            }
            const statement = statements[0];
            const paramCount = Math.max(
                0,
                ...(statement?.tokens ?? [])
                    .filter((t) => t.kind === "placeholder")
                    .map((t) => Number(t.value)),
            );
            this.prepared.set(name, { statement, paramCount });
            this.send(encode.parseComplete());
        } catch (err) {
            this.fail(err);
        }
    }

    private bind(body: Buffer): void {
        const reader = new BodyReader(body);
        const portalName = reader.cstring();
        const statementName = reader.cstring();
        const prepared = this.prepared.get(statementName);
        if (!prepared) {
            this.fail(new CockroachError("26000", `unknown prepared statement "${statementName}"`));
            return;
        }
        const formatCount = reader.int16();
        for (let i = 0; i < formatCount; i++) reader.int16();
        const paramCount = reader.int16();
        const params: Array<string | null> = [];
        for (let i = 0; i < paramCount; i++) {
            const length = reader.int32();
            params.push(length < 0 ? null : reader.bytes(length).toString("utf8"));
        }
        if (paramCount !== prepared.paramCount) {
            this.fail(
                new CockroachError(
                    SQLSTATE.protocolViolation,
                    `expected ${prepared.paramCount} arguments, got ${paramCount}`,
                ),
            );
            return;
        }
        this.portals.set(portalName, { prepared, params });
        this.send(encode.bindComplete());
    }

    private async describe(body: Buffer): Promise<void> {
        const reader = new BodyReader(body);
        const kind = reader.byte();
        const name = reader.cstring();
        if (kind === "S") {
            const prepared = this.prepared.get(name);
            if (!prepared) {
                this.fail(new CockroachError("26000", `unknown prepared statement "${name}"`));
                return;
            }
            this.send(
                encode.parameterDescription(new Array<number>(prepared.paramCount).fill(25)),
                encode.noData(),
            );
            return;
        }
        const portal = this.portals.get(name);
        if (!portal) {
            this.fail(new CockroachError("34000", `unknown portal "${name}"`));
            return;
        }
        try {
            portal.result = await this.run(portal);
            this.send(
                portal.result.columns.length > 0
                    ? encode.rowDescription(portal.result.columns)
                    : encode.noData(),
            );
        } catch (err) {
            this.fail(err);
        }
    }

    private async run(portal: Portal): Promise<ResultSet> {
        const statement = portal.prepared.statement;
        if (!statement) return { columns: [], rows: [], tag: "" };
        return (this.session as Session).execute(statement, portal.params);
    }

    private async executePortal(body: Buffer): Promise<void> {
        const name = new BodyReader(body).cstring();
        const portal = this.portals.get(name);
        if (!portal) {
            this.fail(new CockroachError("34000", `unknown portal "${name}"`));
            return;
        }
        if (!portal.prepared.statement) {
            this.send(encode.emptyQueryResponse());
            return;
        }
        try {
            const result = portal.result ?? (await this.run(portal));
            portal.result = undefined;
            this.sendResult(result, false);
        } catch (err) {
            this.fail(err);
        }
    }

    private close(body: Buffer): void {
        const reader = new BodyReader(body);
        const kind = reader.byte();
        const name = reader.cstring();
        if (kind === "S") this.prepared.delete(name);
        else this.portals.delete(name);
        this.send(encode.closeComplete());
    }
}
