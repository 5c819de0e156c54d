/**
 * A preview a reviewer reads in a minute, whatever the table count.
 *
 * A plan over 10,000 tables renders as megabytes of SQL (one GRANT per table on MySQL, one
 * PL/SQL line per table on Oracle, one 10,000-name list on PostgreSQL). Above
 * {@link PREVIEW_LIMITS} the printed block becomes a summary: consecutive lines of the same
 * statement shape are printed once, with how many statements they are, how many tables they
 * name, the first few names and "… N more". Smaller plans are printed in full, unchanged.
 *
 * The full list stays available: `CRDB_FAILBACK_PREVIEW_FULL=1` prints it instead of the
 * summary, and `CRDB_FAILBACK_PREVIEW_FILE=<path>` appends it to a file (see
 * {@link fullPreviewRequest}). The input is text that was already scrubbed of secrets.
 */

/** Above either limit a preview block is summarized. */
export const PREVIEW_LIMITS = { lines: 200, bytes: 20 * 1024 } as const;

/** Environment variable: `1` prints every planned statement instead of a summary. */
export const PREVIEW_FULL_ENV = "CRDB_FAILBACK_PREVIEW_FULL";
/** Environment variable: a file path the full planned statements are appended to. */
export const PREVIEW_FILE_ENV = "CRDB_FAILBACK_PREVIEW_FILE";

/** Names shown per group before "… N more". */
const SAMPLE_NAMES = 5;
/** Longest line a summary prints (a shape that is long without its names is cut). */
const MAX_LINE = 400;
/** Room kept below the byte limit for the closing lines. */
const RESERVE_BYTES = 1024;

const QUOTED = String.raw`(?:"(?:[^"]|"")*"|\`(?:[^\`]|\`\`)*\`)`;
/** A schema-qualified name, then any further ones separated by commas: one object list. */
const OBJECT_RUN = new RegExp(
    String.raw`(${QUOTED})\.(${QUOTED})(?:\s*,\s*${QUOTED}\.${QUOTED})*`,
    "g",
);
const QUALIFIED = new RegExp(String.raw`(${QUOTED})\.(${QUOTED})`, "g");
const LIST_MARK = "\u0000list\u0000";

/** One line reduced to its statement shape and the object names it lists. */
interface Shaped {
    /** The line with each object list replaced by a mark (its qualifier kept). */
    shape: string;
    /** Qualifier of each list, in order. */
    qualifiers: string[];
    names: string[];
}

function shapeOf(line: string): Shaped {
    const qualifiers: string[] = [];
    const names: string[] = [];
    const shape = line.replace(OBJECT_RUN, (run: string, qualifier: string) => {
        qualifiers.push(qualifier);
        for (const match of run.matchAll(QUALIFIED)) names.push(match[2]!);
        return LIST_MARK;
    });
    return { shape, qualifiers, names };
}

/** A run of consecutive lines of one shape. */
interface Group {
    shape: string;
    qualifiers: string[];
    first: string;
    lines: number;
    names: string[];
    nameCount: number;
}

function count(n: number): string {
    return n.toLocaleString("en-US");
}

function clip(line: string): string {
    if (line.length <= MAX_LINE) return line;
    return `${line.slice(0, MAX_LINE)}… (${count(line.length - MAX_LINE)} more characters)`;
}

function renderGroup(group: Group): string {
    if (group.lines === 1 && group.nameCount <= SAMPLE_NAMES) return clip(group.first);
    const shown = group.names.map((n) => (n.length > 64 ? `${n.slice(0, 64)}…` : n));
    const more = group.nameCount - shown.length;
    const list = `{${count(group.nameCount)} ${group.nameCount === 1 ? "table" : "tables"}: ${shown.join(", ")}${more > 0 ? ` … ${count(more)} more` : ""}}`;
    let index = 0;
    const text = group.shape
        .split(LIST_MARK)
        .reduce((out, part, i) =>
            i === 0 ? part : `${out}${group.qualifiers[index++] ?? ""}.${list}${part}`,
        );
    const times = group.lines > 1 ? `  [× ${count(group.lines)} statements]` : "";
    return clip(`${text}${times}`);
}

/** True when `full` is printed as it is (not summarized). */
export function withinLimits(
    full: string,
    limits: { lines: number; bytes: number } = PREVIEW_LIMITS,
): boolean {
    if (Buffer.byteLength(full, "utf8") > limits.bytes) return false;
    let lines = 1;
    for (let i = full.indexOf("\n"); i >= 0; i = full.indexOf("\n", i + 1)) {
        if (++lines > limits.lines) return false;
    }
    return true;
}

/**
 * The summary of a full preview block (heading line first), or the block itself when it is
 * within {@link PREVIEW_LIMITS}.
 */
export function summarizePreview(
    full: string,
    limits: { lines: number; bytes: number } = PREVIEW_LIMITS,
): string {
    if (withinLimits(full, limits)) return full;
    const lines = full.split("\n");
    const groups: Group[] = [];
    for (const line of lines.slice(1)) {
        const shaped = shapeOf(line);
        const last = groups[groups.length - 1];
        if (last && last.shape === shaped.shape && shaped.names.length > 0) {
            last.lines++;
            last.nameCount += shaped.names.length;
            for (const name of shaped.names) {
                if (last.names.length >= SAMPLE_NAMES) break;
                last.names.push(name);
            }
            continue;
        }
        groups.push({
            shape: shaped.shape,
            qualifiers: shaped.qualifiers,
            first: line,
            lines: 1,
            names: shaped.names.slice(0, SAMPLE_NAMES),
            nameCount: shaped.names.length,
        });
    }
    const statements = lines.length - 1;
    const out = [
        `${lines[0]} summary of ${count(statements)} lines ` +
            `(${count(Math.ceil(Buffer.byteLength(full, "utf8") / 1024))} KB in full)`,
    ];
    let bytes = Buffer.byteLength(out[0]!, "utf8") + 1;
    for (let i = 0; i < groups.length; i++) {
        const text = renderGroup(groups[i]!);
        const size = Buffer.byteLength(text, "utf8") + 1;
        if (out.length >= limits.lines - 3 || bytes + size > limits.bytes - RESERVE_BYTES) {
            const rest = groups.slice(i).reduce((n, g) => n + g.lines, 0);
            out.push(`  … ${count(rest)} more lines not summarized here`);
            break;
        }
        out.push(text);
        bytes += size;
    }
    out.push(
        `  -- full list: set ${PREVIEW_FULL_ENV}=1 to print every statement, or ` +
            `${PREVIEW_FILE_ENV}=<path> to append them to a file`,
    );
    return out.join("\n");
}

/** What the environment asks for besides the summary. */
export interface FullPreviewRequest {
    /** Print the full block instead of the summary. */
    full: boolean;
    /** Append the full block to this file. */
    file?: string;
}

/** Reads {@link PREVIEW_FULL_ENV} and {@link PREVIEW_FILE_ENV}. */
export function fullPreviewRequest(env: NodeJS.ProcessEnv = process.env): FullPreviewRequest {
    const flag = (env[PREVIEW_FULL_ENV] ?? "").trim().toLowerCase();
    const file = (env[PREVIEW_FILE_ENV] ?? "").trim();
    return {
        full: flag === "1" || flag === "true" || flag === "yes",
        ...(file ? { file } : {}),
    };
}

/**
 * The text to log for a full preview block: the summary, or the block itself when the
 * environment asks for it; appends the block to the requested file (a file that cannot be
 * written is reported in the logged text, never thrown: preview logging must not fail).
 */
export function previewTextFor(
    full: string,
    request: FullPreviewRequest = fullPreviewRequest(),
    append: (path: string, text: string) => void = appendFile,
): string {
    let note = "";
    if (request.file) {
        try {
            append(request.file, `${full}\n\n`);
        } catch (err) {
            const why = err instanceof Error ? err.message : String(err);
            note = `\n  -- could not append the full list to ${request.file}: ${why}`;
        }
    }
    return `${request.full ? full : summarizePreview(full)}${note}`;
}

function appendFile(path: string, text: string): void {
    // Loaded on use: this module is imported by every provider's preview path.
    const fs = require("node:fs") as typeof import("node:fs");
    fs.appendFileSync(path, text, { mode: 0o600 });
}
