/**
 * PostgreSQL frontend/backend protocol v3 (also spoken by CockroachDB), as far as the statement
 * proxy needs it.
 *
 * Client side: the untyped start-up packets (SSLRequest, GSSENCRequest, StartupMessage,
 * CancelRequest), then typed messages. A simple-protocol `Query` is one statement unit (even
 * when its text holds several statements: the server runs them as one exchange). Extended
 * protocol messages (Parse, Bind, Describe, Execute, Close) are held until the `Sync` or `Flush`
 * that ends the batch and sent as one frame; each `Execute` in it is one statement, named by the
 * text its portal's prepared statement was parsed from.
 *
 * Server side: every `Query`, every `Sync` and the StartupMessage get exactly one
 * ReadyForQuery ('Z'), which ends the answer. SSLRequest and GSSENCRequest are refused by the
 * proxy itself ('N'), so the client either continues in clear text or gives up; the server
 * never sees them.
 */
import { ByteQueue, type ClientFrame, type ServerFrame, type WireCodec, cString } from "./codec";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export class PgwireCodec implements WireCodec {
    private readonly client = new ByteQueue();
    private readonly server = new ByteQueue();
    private startupDone = false;
    private readonly prepared = new Map<string, string>();
    private readonly portals = new Map<string, string>();
    private batch: Buffer[] = [];
    private batchStatements: string[] = [];

    fromClient(chunk: Buffer): ClientFrame[] {
        this.client.push(chunk);
        const frames: ClientFrame[] = [];
        for (;;) {
            const frame = this.startupDone ? this.typedMessage() : this.startupPacket();
            if (frame === undefined) return frames;
            if (frame !== null) frames.push(frame);
        }
    }

    fromServer(chunk: Buffer): ServerFrame[] {
        this.server.push(chunk);
        const frames: ServerFrame[] = [];
        while (this.server.length >= 5) {
            const length = this.server.peek().readInt32BE(1);
            if (this.server.length < 1 + length) break;
            const bytes = this.server.take(1 + length);
            frames.push({ bytes, completesAnswer: bytes[0] === 0x5a /* Z */ });
        }
        return frames;
    }

    /** An untyped start-up packet; undefined when incomplete. */
    private startupPacket(): ClientFrame | undefined {
        if (this.client.length < 8) return undefined;
        const length = this.client.peek().readInt32BE(0);
        if (this.client.length < length) return undefined;
        const bytes = this.client.take(length);
        const code = bytes.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            return { bytes, statements: [], expectsAnswer: false, reply: Buffer.from("N") };
        }
        if (code === CANCEL_REQUEST) return { bytes, statements: [], expectsAnswer: false };
        this.startupDone = true;
        return { bytes, statements: [], expectsAnswer: true };
    }

    /** A typed message or a completed extended batch; null when held; undefined when incomplete. */
    private typedMessage(): ClientFrame | null | undefined {
        if (this.client.length < 5) return undefined;
        const length = this.client.peek().readInt32BE(1);
        if (this.client.length < 1 + length) return undefined;
        const bytes = this.client.take(1 + length);
        const type = String.fromCharCode(bytes.readUInt8(0));
        switch (type) {
            case "Q":
                return { bytes, statements: [cString(bytes, 5).text], expectsAnswer: true };
            case "P": {
                const name = cString(bytes, 5);
                this.prepared.set(name.text, cString(bytes, name.next).text);
                return this.hold(bytes);
            }
            case "B": {
                const portal = cString(bytes, 5);
                const statement = cString(bytes, portal.next).text;
                this.portals.set(portal.text, this.prepared.get(statement) ?? "");
                return this.hold(bytes);
            }
            case "E":
                this.batchStatements.push(this.portals.get(cString(bytes, 5).text) ?? "");
                return this.hold(bytes);
            case "D":
            case "C":
                return this.hold(bytes);
            case "S":
            case "H":
                return this.releaseBatch(bytes, type === "S");
            default:
                // Password/SASL responses, CopyData/CopyDone/CopyFail, Terminate.
                return { bytes, statements: [], expectsAnswer: false };
        }
    }

    private hold(bytes: Buffer): null {
        this.batch.push(bytes);
        return null;
    }

    private releaseBatch(last: Buffer, expectsAnswer: boolean): ClientFrame {
        const frame = {
            bytes: Buffer.concat([...this.batch, last]),
            statements: this.batchStatements,
            expectsAnswer,
        };
        this.batch = [];
        this.batchStatements = [];
        return frame;
    }
}
