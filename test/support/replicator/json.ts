/**
 * A small JSON reader that keeps every number's exact text, like Go's `json.Decoder.UseNumber`
 * which the replicator uses: INT8 keys such as `unique_rowid()` values exceed 2^53 and must reach
 * the target unchanged. Objects keep their key order.
 */

/** A JSON number kept as its literal text. */
export class JsonNumber {
    constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

/** Error text follows Go's encoding/json where that is cheap to match. */
export class JsonSyntaxError extends Error {}

/**
 * Parses the first JSON value of `text`. Like `json.Decoder.Decode`, content after that value is
 * left unread. Returns `undefined` for input that is empty or only whitespace (Go's io.EOF).
 */
export function parseFirstJsonValue(text: string): JsonValue | undefined {
    const reader = new Reader(text);
    reader.skipWhitespace();
    if (reader.atEnd()) return undefined;
    return reader.value();
}

/** Serializes a parsed value back to JSON text, numbers verbatim. */
export function stringifyJson(value: JsonValue): string {
    if (value === null) return "null";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "string") return JSON.stringify(value);
    if (value instanceof JsonNumber) return value.text;
    if (Array.isArray(value)) return `[${value.map(stringifyJson).join(",")}]`;
    const members = [...value].map(([k, v]) => `${JSON.stringify(k)}:${stringifyJson(v)}`);
    return `{${members.join(",")}}`;
}

/** The Go name of a JSON value's kind, as used in "cannot unmarshal <kind>" errors. */
export function jsonKind(value: JsonValue): string {
    if (value === null) return "null";
    if (typeof value === "boolean") return "bool";
    if (typeof value === "string") return "string";
    if (value instanceof JsonNumber) return "number";
    if (Array.isArray(value)) return "array";
    return "object";
}

class Reader {
    private pos = 0;

    constructor(private readonly text: string) {}

    atEnd(): boolean {
        return this.pos >= this.text.length;
    }

    skipWhitespace(): void {
        while (!this.atEnd() && " \t\r\n".includes(this.text[this.pos]!)) this.pos++;
    }

    value(): JsonValue {
        this.skipWhitespace();
        if (this.atEnd()) throw new JsonSyntaxError("unexpected EOF");
        const ch = this.text[this.pos]!;
        if (ch === "{") return this.object();
        if (ch === "[") return this.array();
        if (ch === '"') return this.string();
        if (ch === "-" || (ch >= "0" && ch <= "9")) return this.number();
        for (const [word, result] of [
            ["true", true],
            ["false", false],
            ["null", null],
        ] as const) {
            if (this.text.startsWith(word, this.pos)) {
                this.pos += word.length;
                return result;
            }
        }
        throw this.invalid("looking for beginning of value");
    }

    private object(): Map<string, JsonValue> {
        const out = new Map<string, JsonValue>();
        this.pos++;
        this.skipWhitespace();
        if (this.peek() === "}") {
            this.pos++;
            return out;
        }
        for (;;) {
            this.skipWhitespace();
            if (this.peek() !== '"')
                throw this.invalid("looking for beginning of object key string");
            const key = this.string();
            this.skipWhitespace();
            if (this.peek() !== ":") throw this.invalid("after object key");
            this.pos++;
            out.set(key, this.value());
            this.skipWhitespace();
            const next = this.peek();
            this.pos++;
            if (next === "}") return out;
            if (next !== ",") {
                this.pos--;
                throw this.invalid("after object key:value pair");
            }
        }
    }

    private array(): JsonValue[] {
        const out: JsonValue[] = [];
        this.pos++;
        this.skipWhitespace();
        if (this.peek() === "]") {
            this.pos++;
            return out;
        }
        for (;;) {
            out.push(this.value());
            this.skipWhitespace();
            const next = this.peek();
            this.pos++;
            if (next === "]") return out;
            if (next !== ",") {
                this.pos--;
                throw this.invalid("after array element");
            }
        }
    }

    private string(): string {
        // JSON forbids raw control characters inside strings, so the pattern must name them.
        // eslint-disable-next-line no-control-regex
        const match = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(
            this.text.slice(this.pos),
        );
        if (!match) {
            if (this.text.indexOf('"', this.pos + 1) < 0)
                throw new JsonSyntaxError("unexpected EOF");
            throw new JsonSyntaxError("invalid character in string literal");
        }
        this.pos += match[0].length;
        return JSON.parse(match[0]) as string;
    }

    private number(): JsonNumber {
        const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(
            this.text.slice(this.pos),
        );
        if (!match) throw this.invalid("in numeric literal");
        this.pos += match[0].length;
        return new JsonNumber(match[0]);
    }

    private peek(): string | undefined {
        return this.text[this.pos];
    }

    private invalid(context: string): JsonSyntaxError {
        if (this.atEnd()) return new JsonSyntaxError("unexpected EOF");
        return new JsonSyntaxError(
            `invalid character ${JSON.stringify(this.text[this.pos]).replace(/"/g, "'")} ${context}`,
        );
    }
}
