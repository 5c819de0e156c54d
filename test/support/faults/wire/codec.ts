/**
 * What the statement proxy needs to know about a wire protocol: where the client's statements
 * are, and where each of the server's answers ends. A codec never rewrites a statement; it only
 * splits each direction's byte stream into whole frames and labels them.
 */

/** One whole unit of client→server bytes. */
export interface ClientFrame {
    bytes: Buffer;
    /** Texts of the statements this frame makes the server execute (usually zero or one). */
    statements: string[];
    /** The server answers this frame with exactly one complete answer. */
    expectsAnswer: boolean;
    /** Answer the client with these bytes instead of forwarding the frame (TLS refusal). */
    reply?: Buffer;
}

/** One whole unit of server→client bytes. */
export interface ServerFrame {
    bytes: Buffer;
    /** This frame ends one answer (pgwire ReadyForQuery, MySQL end of a response). */
    completesAnswer: boolean;
}

/** Parses one connection's traffic; state (prepared statements, phases) lives inside. */
export interface WireCodec {
    /** Consumes bytes from the client; returns the frames completed so far. */
    fromClient(chunk: Buffer): ClientFrame[];
    /** Consumes bytes from the server; returns the frames completed so far. */
    fromServer(chunk: Buffer): ServerFrame[];
}

/** Accumulates a byte stream and hands out whole frames as their lengths become known. */
export class ByteQueue {
    private buffer: Buffer = Buffer.alloc(0);

    push(chunk: Buffer): void {
        this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    }

    get length(): number {
        return this.buffer.length;
    }

    peek(): Buffer {
        return this.buffer;
    }

    take(length: number): Buffer {
        const taken = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        return taken;
    }
}

/** A NUL-terminated string at `offset`, and the offset after its terminator. */
export function cString(buffer: Buffer, offset: number): { text: string; next: number } {
    const end = buffer.indexOf(0, offset);
    const stop = end < 0 ? buffer.length : end;
    return { text: buffer.toString("utf8", offset, stop), next: stop + 1 };
}
