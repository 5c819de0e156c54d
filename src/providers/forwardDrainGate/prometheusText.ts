/**
 * A parser for the Prometheus text exposition format (version 0.0.4) as served at the
 * replicator's `/_/varz`, tolerant of the OpenMetrics 1.0 variant the replicator can also serve
 * (`# EOF`, `# UNIT`, exemplars, float timestamps) and of the quoted UTF-8 metric-name syntax.
 *
 * Comment lines (`# HELP`, `# TYPE`, …) carry no sample values and are skipped. Every other
 * non-empty line must be a well-formed sample: a body that is not Prometheus text (an HTML page,
 * the `OK` of `/_/healthz`) is rejected rather than read as "no counters".
 */

/** One sample line: metric name, its labels (any order in the text) and its value. */
export interface PrometheusSample {
    name: string;
    labels: Record<string, string>;
    value: number;
}

/** Thrown for a line that is not valid exposition text; `line` is 1-based. */
export class PrometheusParseError extends Error {
    constructor(
        readonly line: number,
        readonly reason: string,
    ) {
        super(`line ${line}: ${reason}`);
        this.name = "PrometheusParseError";
    }
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_NAME_START = /[a-zA-Z_]/;
const LABEL_NAME_CHAR = /[a-zA-Z0-9_]/;
const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOATS = new Map<string, number>([
    ["inf", Infinity],
    ["+inf", Infinity],
    ["-inf", -Infinity],
    ["infinity", Infinity],
    ["+infinity", Infinity],
    ["-infinity", -Infinity],
    ["nan", NaN],
    ["+nan", NaN],
    ["-nan", NaN],
]);

/**
 * Parses a sample value as Go's `strconv.ParseFloat` (which the Prometheus parsers use) reads
 * the forms exporters write: decimals, exponents (`1.5e+06`), `+Inf`, `-Inf`, `NaN`.
 * Returns undefined for anything else (hex, empty, words).
 */
export function parseSampleValue(text: string): number | undefined {
    if (DECIMAL_FLOAT.test(text)) return Number(text);
    return SPECIAL_FLOATS.get(text.toLowerCase());
}

/** Parses a whole exposition body. Throws {@link PrometheusParseError} on the first bad line. */
export function parsePrometheusText(body: string): PrometheusSample[] {
    const samples: PrometheusSample[] = [];
    const lines = body.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!.replace(/\r$/, "");
        if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
        samples.push(parseSampleLine(line, i + 1));
    }
    return samples;
}

/** A cursor over one line. */
class LineScanner {
    pos = 0;

    constructor(
        readonly text: string,
        readonly lineNumber: number,
    ) {}

    get done(): boolean {
        return this.pos >= this.text.length;
    }

    peek(): string {
        return this.text[this.pos] ?? "";
    }

    fail(reason: string): never {
        throw new PrometheusParseError(this.lineNumber, reason);
    }

    skipBlanks(): void {
        while (this.peek() === " " || this.peek() === "\t") this.pos++;
    }

    expect(char: string): void {
        if (this.peek() !== char) {
            this.fail(`expected ${JSON.stringify(char)} at column ${this.pos + 1}`);
        }
        this.pos++;
    }

    identifier(start: RegExp, rest: RegExp, what: string): string {
        const from = this.pos;
        if (!start.test(this.peek())) this.fail(`expected a ${what} at column ${this.pos + 1}`);
        this.pos++;
        while (!this.done && rest.test(this.peek())) this.pos++;
        return this.text.slice(from, this.pos);
    }

    /** A double-quoted string with the format's escapes: `\\`, `\"`, `\n`. */
    quoted(): string {
        this.expect('"');
        let out = "";
        for (;;) {
            if (this.done) this.fail("unterminated quoted string");
            const char = this.text[this.pos++]!;
            if (char === '"') return out;
            if (char !== "\\") {
                out += char;
                continue;
            }
            if (this.done) this.fail("unterminated escape sequence");
            const escaped = this.text[this.pos++]!;
            out +=
                escaped === "n"
                    ? "\n"
                    : escaped === "\\" || escaped === '"'
                      ? escaped
                      : `\\${escaped}`;
        }
    }

    /** The next run of non-blank characters. */
    token(): string {
        const from = this.pos;
        while (!this.done && this.peek() !== " " && this.peek() !== "\t") this.pos++;
        return this.text.slice(from, this.pos);
    }
}

function parseSampleLine(line: string, lineNumber: number): PrometheusSample {
    // Explicitly typed so that `scan.fail(): never` narrows types after it.
    const scan: LineScanner = new LineScanner(line, lineNumber);
    scan.skipBlanks();
    let name = scan.peek() === "{" ? "" : scan.identifier(NAME_START, NAME_CHAR, "metric name");
    const labels: Record<string, string> = {};
    if (scan.peek() === "{") {
        name = parseLabelSet(scan, labels, name);
    }
    if (name === "") scan.fail("sample without a metric name");
    if (scan.peek() !== " " && scan.peek() !== "\t") {
        scan.fail(`expected a blank before the value of ${name} at column ${scan.pos + 1}`);
    }
    scan.skipBlanks();
    const valueText = scan.token();
    const value = parseSampleValue(valueText);
    if (value === undefined) {
        scan.fail(`invalid value ${JSON.stringify(valueText)} for ${name}`);
    }
    scan.skipBlanks();
    if (!scan.done && scan.peek() !== "#") {
        const timestamp = scan.token();
        if (parseSampleValue(timestamp) === undefined) {
            scan.fail(`invalid timestamp ${JSON.stringify(timestamp)} for ${name}`);
        }
        scan.skipBlanks();
    }
    // Anything left must be an OpenMetrics exemplar (`# {trace_id="…"} 1.0`), which is ignored.
    if (!scan.done && scan.peek() !== "#") {
        scan.fail(`unexpected text after the value of ${name} at column ${scan.pos + 1}`);
    }
    return { name, labels, value };
}

/**
 * Parses `{a="x",b="y",}` into `labels`. A bare quoted string inside the braces is the metric
 * name (UTF-8 syntax: `{"my.metric", a="x"}`); returns the metric name in effect.
 */
function parseLabelSet(scan: LineScanner, labels: Record<string, string>, name: string): string {
    scan.expect("{");
    let metricName = name;
    for (;;) {
        scan.skipBlanks();
        if (scan.peek() === "}") break;
        let labelName: string;
        if (scan.peek() === '"') {
            const quoted = scan.quoted();
            scan.skipBlanks();
            if (scan.peek() !== "=") {
                if (metricName !== "") scan.fail("a metric name given twice");
                metricName = quoted;
                if (!finishLabel(scan)) break;
                continue;
            }
            labelName = quoted;
        } else {
            labelName = scan.identifier(LABEL_NAME_START, LABEL_NAME_CHAR, "label name");
            scan.skipBlanks();
        }
        scan.expect("=");
        scan.skipBlanks();
        if (Object.hasOwn(labels, labelName)) scan.fail(`label ${labelName} given twice`);
        labels[labelName] = scan.quoted();
        if (!finishLabel(scan)) break;
    }
    scan.expect("}");
    return metricName;
}

/** After a label: true when a comma follows (more may come), false at the closing brace. */
function finishLabel(scan: LineScanner): boolean {
    scan.skipBlanks();
    if (scan.peek() === ",") {
        scan.pos++;
        return true;
    }
    if (scan.peek() !== "}") scan.fail(`expected "," or "}" at column ${scan.pos + 1}`);
    return false;
}
