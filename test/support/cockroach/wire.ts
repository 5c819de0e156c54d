/**
 * Server side of the PostgreSQL v3 wire protocol: framing of incoming messages and encoders for
 * the backend messages the test server sends.
 */
import type { CockroachError } from "./errors";
import { TYPE_SIZES, type Column } from "./results";

export const PROTOCOL_V3 = 196608;
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** A startup-phase packet (no type byte) or a regular typed message. */
export type IncomingMessage =
    { startup: true; code: number; body: Buffer } | { startup: false; type: string; body: Buffer };

/** Splits the byte stream into messages; `expectStartup` while no startup message was read. */
export class MessageReader {
    private buffer: Buffer = Buffer.alloc(0);
    expectStartup = true;

    push(chunk: Buffer): IncomingMessage[] {
        this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
        const messages: IncomingMessage[] = [];
        for (;;) {
            if (this.expectStartup) {
                if (this.buffer.length < 8) break;
                const length = this.buffer.readInt32BE(0);
                if (this.buffer.length < length) break;
                const code = this.buffer.readInt32BE(4);
                messages.push({ startup: true, code, body: this.buffer.subarray(8, length) });
                this.buffer = this.buffer.subarray(length);
                // After SSL/GSS negotiation another startup packet follows; otherwise typed messages.
                if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.expectStartup = false;
            } else {
                if (this.buffer.length < 5) break;
                const length = this.buffer.readInt32BE(1);
                if (this.buffer.length < length + 1) break;
                const type = String.fromCharCode(this.buffer[0] as number);
                messages.push({ startup: false, type, body: this.buffer.subarray(5, length + 1) });
                this.buffer = this.buffer.subarray(length + 1);
            }
        }
        return messages;
    }
}

/** Reads C strings and integers from a message body. */
export class BodyReader {
    private offset = 0;
    constructor(private readonly body: Buffer) {}

    cstring(): string {
        const end = this.body.indexOf(0, this.offset);
        const value = this.body.toString("utf8", this.offset, end < 0 ? this.body.length : end);
        this.offset = end < 0 ? this.body.length : end + 1;
        return value;
    }
    int16(): number {
        const value = this.body.readInt16BE(this.offset);
        this.offset += 2;
        return value;
    }
    int32(): number {
        const value = this.body.readInt32BE(this.offset);
        this.offset += 4;
        return value;
    }
    bytes(length: number): Buffer {
        const value = this.body.subarray(this.offset, this.offset + length);
        this.offset += length;
        return value;
    }
    byte(): string {
        return String.fromCharCode(this.body[this.offset++] as number);
    }
}

/** Parses a StartupMessage body into its parameters (user, database, ...). */
export function parseStartupParameters(body: Buffer): Record<string, string> {
    const reader = new BodyReader(body);
    const parameters: Record<string, string> = {};
    for (;;) {
        const key = reader.cstring();
        if (key === "") break;
        parameters[key] = reader.cstring();
    }
    return parameters;
}

class MessageWriter {
    private readonly parts: Buffer[] = [];
    constructor(private readonly type: string) {}

    cstring(value: string): this {
        this.parts.push(Buffer.from(value, "utf8"), Buffer.from([0]));
        return this;
    }
    int16(value: number): this {
        const b = Buffer.alloc(2);
        b.writeInt16BE(value);
        this.parts.push(b);
        return this;
    }
    int32(value: number): this {
        const b = Buffer.alloc(4);
        b.writeInt32BE(value);
        this.parts.push(b);
        return this;
    }
    raw(value: Buffer): this {
        this.parts.push(value);
        return this;
    }
    build(): Buffer {
        const body = Buffer.concat(this.parts);
        const header = Buffer.alloc(5);
        header.write(this.type, 0, "latin1");
        header.writeInt32BE(body.length + 4, 1);
        return Buffer.concat([header, body]);
    }
}

export const encode = {
    authenticationOk: () => new MessageWriter("R").int32(0).build(),
    authenticationCleartextPassword: () => new MessageWriter("R").int32(3).build(),
    parameterStatus: (name: string, value: string) =>
        new MessageWriter("S").cstring(name).cstring(value).build(),
    backendKeyData: (pid: number, secret: number) =>
        new MessageWriter("K").int32(pid).int32(secret).build(),
    readyForQuery: (status: "I" | "T" | "E") =>
        new MessageWriter("Z").raw(Buffer.from(status, "latin1")).build(),
    parseComplete: () => new MessageWriter("1").build(),
    bindComplete: () => new MessageWriter("2").build(),
    closeComplete: () => new MessageWriter("3").build(),
    noData: () => new MessageWriter("n").build(),
    emptyQueryResponse: () => new MessageWriter("I").build(),
    commandComplete: (tag: string) => new MessageWriter("C").cstring(tag).build(),
    parameterDescription: (oids: readonly number[]) => {
        const writer = new MessageWriter("t").int16(oids.length);
        for (const oid of oids) writer.int32(oid);
        return writer.build();
    },
    rowDescription: (columns: readonly Column[]) => {
        const writer = new MessageWriter("T").int16(columns.length);
        for (const column of columns) {
            writer
                .cstring(column.name)
                .int32(0)
                .int16(0)
                .int32(column.oid)
                .int16(TYPE_SIZES[column.oid] ?? -1)
                .int32(-1)
                .int16(0);
        }
        return writer.build();
    },
    dataRow: (values: ReadonlyArray<string | null>) => {
        const writer = new MessageWriter("D").int16(values.length);
        for (const value of values) {
            if (value === null) {
                writer.int32(-1);
            } else {
                const bytes = Buffer.from(value, "utf8");
                writer.int32(bytes.length).raw(bytes);
            }
        }
        return writer.build();
    },
    errorResponse: (
        error: Pick<CockroachError, "code" | "message" | "hint" | "detail">,
        severity = "ERROR",
    ) => {
        const writer = new MessageWriter("E");
        writer.raw(Buffer.from("S")).cstring(severity);
        writer.raw(Buffer.from("V")).cstring(severity);
        writer.raw(Buffer.from("C")).cstring(error.code);
        writer.raw(Buffer.from("M")).cstring(error.message);
        if (error.detail) writer.raw(Buffer.from("D")).cstring(error.detail);
        if (error.hint) writer.raw(Buffer.from("H")).cstring(error.hint);
        return writer.raw(Buffer.from([0])).build();
    },
    noticeResponse: (message: string) =>
        new MessageWriter("N")
            .raw(Buffer.from("S"))
            .cstring("NOTICE")
            .raw(Buffer.from("C"))
            .cstring("00000")
            .raw(Buffer.from("M"))
            .cstring(message)
            .raw(Buffer.from([0]))
            .build(),
};
