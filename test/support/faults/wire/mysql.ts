/**
 * MySQL/MariaDB client/server protocol, as far as the statement proxy needs it.
 *
 * Packets are a 3-byte little-endian length, a sequence id and the payload; a payload of
 * 0xFFFFFF bytes continues in the next packet, so frames here are whole logical packets. The
 * connection starts with the server's greeting and an authentication exchange that ends with the
 * server's OK or ERR; the proxy clears CLIENT_SSL in the greeting so that the client stays in
 * clear text (a client that requires TLS then fails, as it would against a server without it).
 *
 * In the command phase every client packet with sequence id 0 starts a command. COM_QUERY and
 * COM_STMT_EXECUTE are statements (the latter named by the text its COM_STMT_PREPARE carried);
 * COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA and COM_QUIT get no answer; every other command gets
 * one. A query/execute answer is OK, ERR, or a result set (column count, column definitions,
 * an EOF unless CLIENT_DEPRECATE_EOF was agreed, rows, then an EOF/OK terminator); an OK or
 * terminator whose status carries SERVER_MORE_RESULTS_EXISTS is followed by another result.
 * A prepare answer is OK with the statement id and the parameter/column definition counts.
 */
import { ByteQueue, type ClientFrame, type ServerFrame, type WireCodec, cString } from "./codec";

const CLIENT_SSL = 0x800;
const CLIENT_DEPRECATE_EOF = 0x1000000;
const SERVER_MORE_RESULTS_EXISTS = 0x0008;
const MAX_PAYLOAD = 0xffffff;

const COM_QUIT = 0x01;
const COM_QUERY = 0x03;
const COM_STMT_PREPARE = 0x16;
const COM_STMT_EXECUTE = 0x17;
const COM_STMT_SEND_LONG_DATA = 0x18;
const COM_STMT_CLOSE = 0x19;

interface Packet {
    bytes: Buffer;
    payload: Buffer;
    sequenceId: number;
}

/** Splits a stream into whole logical packets (joining 16 MiB continuations). */
class PacketReader {
    private readonly queue = new ByteQueue();

    push(chunk: Buffer): Packet[] {
        this.queue.push(chunk);
        const packets: Packet[] = [];
        for (;;) {
            const buffer = this.queue.peek();
            let offset = 0;
            const payloads: Buffer[] = [];
            let complete = false;
            while (buffer.length >= offset + 4) {
                const length = buffer.readUIntLE(offset, 3);
                if (buffer.length < offset + 4 + length) break;
                payloads.push(buffer.subarray(offset + 4, offset + 4 + length));
                offset += 4 + length;
                if (length < MAX_PAYLOAD) {
                    complete = true;
                    break;
                }
            }
            if (!complete) return packets;
            const sequenceId = buffer.readUInt8(3);
            const payload = Buffer.concat(payloads);
            packets.push({ bytes: Buffer.from(this.queue.take(offset)), payload, sequenceId });
        }
    }
}

/** Reads a length-encoded integer; returns the value and the offset after it. */
function lengthEncoded(buffer: Buffer, offset: number): { value: number; next: number } {
    const first = buffer[offset] ?? 0;
    if (first < 0xfb) return { value: first, next: offset + 1 };
    if (first === 0xfc) return { value: buffer.readUInt16LE(offset + 1), next: offset + 3 };
    if (first === 0xfd) return { value: buffer.readUIntLE(offset + 1, 3), next: offset + 4 };
    return { value: Number(buffer.readBigUInt64LE(offset + 1)), next: offset + 9 };
}

/** The status flags of an OK packet (header 0x00 or 0xFE). */
function okStatus(payload: Buffer): number {
    const affected = lengthEncoded(payload, 1);
    const insertId = lengthEncoded(payload, affected.next);
    return payload.length >= insertId.next + 2 ? payload.readUInt16LE(insertId.next) : 0;
}

/** An EOF packet, or the OK packet that replaces it under CLIENT_DEPRECATE_EOF. */
function isTerminator(payload: Buffer, deprecateEof: boolean): boolean {
    return (
        payload[0] === 0xfe && (deprecateEof ? payload.length < MAX_PAYLOAD : payload.length < 9)
    );
}

function terminatorStatus(payload: Buffer, deprecateEof: boolean): number {
    if (deprecateEof) return okStatus(payload);
    return payload.length >= 5 ? payload.readUInt16LE(3) : 0;
}

/** What the server's next packets answer. */
type Pending =
    | { kind: "result"; stage: "start" | "columns" | "columnsEof" | "rows"; columnsLeft: number }
    | { kind: "prepare"; text: string; stage: "start" | "definitions"; left: number }
    | { kind: "single" };

export class MysqlCodec implements WireCodec {
    private readonly clientPackets = new PacketReader();
    private readonly serverPackets = new PacketReader();
    private phase: "greeting" | "auth" | "command" = "greeting";
    private serverCapabilities = 0;
    private deprecateEof = false;
    private readonly pending: Pending[] = [];
    private readonly prepared = new Map<number, string>();

    fromClient(chunk: Buffer): ClientFrame[] {
        return this.clientPackets.push(chunk).map((packet) => this.clientFrame(packet));
    }

    fromServer(chunk: Buffer): ServerFrame[] {
        return this.serverPackets.push(chunk).map((packet) => this.serverFrame(packet));
    }

    private clientFrame(packet: Packet): ClientFrame {
        const { bytes, payload } = packet;
        const quiet = { bytes, statements: [], expectsAnswer: false };
        if (this.phase !== "command") {
            if (this.phase === "auth" && payload.length >= 4 && packet.sequenceId === 1) {
                const clientCapabilities = payload.readUInt32LE(0);
                this.deprecateEof =
                    (clientCapabilities & this.serverCapabilities & CLIENT_DEPRECATE_EOF) !== 0;
            }
            return quiet;
        }
        if (packet.sequenceId !== 0) return quiet; // LOCAL INFILE data and the like
        const command = payload[0];
        switch (command) {
            case COM_QUERY:
                this.pending.push({ kind: "result", stage: "start", columnsLeft: 0 });
                return { bytes, statements: [payload.toString("utf8", 1)], expectsAnswer: true };
            case COM_STMT_EXECUTE: {
                this.pending.push({ kind: "result", stage: "start", columnsLeft: 0 });
                const text = this.prepared.get(payload.readUInt32LE(1)) ?? "";
                return { bytes, statements: [text], expectsAnswer: true };
            }
            case COM_STMT_PREPARE:
                this.pending.push({
                    kind: "prepare",
                    text: payload.toString("utf8", 1),
                    stage: "start",
                    left: 0,
                });
                return { bytes, statements: [], expectsAnswer: true };
            case COM_STMT_CLOSE:
                this.prepared.delete(payload.readUInt32LE(1));
                return quiet;
            case COM_STMT_SEND_LONG_DATA:
            case COM_QUIT:
                return quiet;
            default:
                this.pending.push({ kind: "single" });
                return { bytes, statements: [], expectsAnswer: true };
        }
    }

    private serverFrame(packet: Packet): ServerFrame {
        const { payload } = packet;
        if (this.phase === "greeting") {
            this.phase = "auth";
            return { bytes: this.withoutSsl(packet), completesAnswer: false };
        }
        if (this.phase === "auth") {
            if (payload[0] === 0x00 || payload[0] === 0xff) this.phase = "command";
            return { bytes: packet.bytes, completesAnswer: false };
        }
        const current = this.pending[0];
        const done = current === undefined ? false : this.advance(current, payload);
        if (done) this.pending.shift();
        return { bytes: packet.bytes, completesAnswer: done };
    }

    /** Moves `pending` on by one server packet; true when its answer is complete. */
    private advance(pending: Pending, payload: Buffer): boolean {
        const header = payload[0];
        if (pending.kind === "single") return true;
        if (pending.kind === "prepare") {
            if (pending.stage === "start") {
                if (header === 0xff) return true;
                this.prepared.set(payload.readUInt32LE(1), pending.text);
                const columns = payload.readUInt16LE(5);
                const params = payload.readUInt16LE(7);
                const eofs = this.deprecateEof ? 0 : (columns > 0 ? 1 : 0) + (params > 0 ? 1 : 0);
                pending.stage = "definitions";
                pending.left = columns + params + eofs;
                return pending.left === 0;
            }
            pending.left -= 1;
            return pending.left === 0;
        }
        switch (pending.stage) {
            case "start": {
                if (header === 0xff) return true;
                if (header === 0x00) return this.resultEnds(pending, okStatus(payload));
                if (header === 0xfb) return false; // LOCAL INFILE request: the OK follows
                pending.columnsLeft = lengthEncoded(payload, 0).value;
                pending.stage = "columns";
                return false;
            }
            case "columns":
                pending.columnsLeft -= 1;
                if (pending.columnsLeft === 0)
                    pending.stage = this.deprecateEof ? "rows" : "columnsEof";
                return false;
            case "columnsEof":
                pending.stage = "rows";
                return false;
            case "rows":
                if (header === 0xff) return true;
                if (isTerminator(payload, this.deprecateEof)) {
                    return this.resultEnds(pending, terminatorStatus(payload, this.deprecateEof));
                }
                return false;
        }
    }

    /** A result ended: the answer is complete unless the server announced another result. */
    private resultEnds(pending: Extract<Pending, { kind: "result" }>, status: number): boolean {
        if ((status & SERVER_MORE_RESULTS_EXISTS) === 0) return true;
        pending.stage = "start";
        return false;
    }

    /** The greeting with CLIENT_SSL cleared, so that the client never starts TLS. */
    private withoutSsl(packet: Packet): Buffer {
        const { payload } = packet;
        const version = cString(payload, 1);
        const lowerFlagsAt = version.next + 4 + 8 + 1; // connection id, scramble part 1, filler
        if (payload.length < lowerFlagsAt + 2) return packet.bytes;
        const lower = payload.readUInt16LE(lowerFlagsAt);
        const upperFlagsAt = lowerFlagsAt + 2 + 1 + 2; // charset, status flags
        const upper = payload.length >= upperFlagsAt + 2 ? payload.readUInt16LE(upperFlagsAt) : 0;
        this.serverCapabilities = (lower | (upper << 16)) & ~CLIENT_SSL;
        const bytes = Buffer.from(packet.bytes);
        bytes.writeUInt16LE(lower & ~CLIENT_SSL, 4 + lowerFlagsAt);
        return bytes;
    }
}
