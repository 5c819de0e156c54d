/**
 * The options a changefeed job really has, read from its description (docs/cockroachdb-behaviour.md,
 * "The job description"), and the state that records them, so refresh shows options changed out
 * of band as drift and the next `up` ALTERs them back.
 */
import type { JobInfo } from "./jobs";
import {
    DEFAULT_MIN_CHECKPOINT_FREQUENCY,
    DEFAULT_RESOLVED,
    DEFAULT_WEBHOOK_CLIENT_TIMEOUT,
    RESERVED_OPTIONS,
    SECRET_BEARING_OPTIONS,
    webhookSinkConfigText,
} from "./options";
import type { ChangefeedOutputs, OptionValue } from "./types";

/** An option of the description: `undefined` for a bare flag. */
export type DescribedOptions = ReadonlyMap<string, string | undefined>;

const OPTIONS_CLAUSE = "WITH OPTIONS (";

/**
 * The `WITH OPTIONS (…)` list of a job description (`key = 'value'` or `key = e'…'` with
 * backslash escapes, flags bare), or `undefined` when the text does not have that form.
 * String literals (the redacted sink) are skipped, so their text never reads as an option.
 */
export function parseDescribedOptions(description: string): DescribedOptions | undefined {
    let i = 0;
    while (i < description.length) {
        const literal = literalAt(description, i);
        if (literal) {
            i = literal.end;
            continue;
        }
        if (description.startsWith(OPTIONS_CLAUSE, i)) {
            return parseOptionList(description, i + OPTIONS_CLAUSE.length);
        }
        i++;
    }
    return undefined;
}

function parseOptionList(text: string, start: number): DescribedOptions | undefined {
    const options = new Map<string, string | undefined>();
    let i = start;
    const skipSpaces = () => {
        while (text[i] === " ") i++;
    };
    for (;;) {
        skipSpaces();
        const key = /^(?:"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*))/.exec(text.slice(i));
        if (!key) return undefined;
        i += key[0].length;
        const name = key[1] !== undefined ? key[1].replace(/""/g, '"') : key[2]!.toLowerCase();
        skipSpaces();
        let value: string | undefined;
        if (text[i] === "=") {
            i++;
            skipSpaces();
            const literal = literalAt(text, i);
            if (!literal) return undefined;
            value = literal.value;
            i = literal.end;
            skipSpaces();
        }
        options.set(name, value);
        if (text[i] === ",") {
            i++;
            continue;
        }
        return text[i] === ")" ? options : undefined;
    }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
    a: "\x07",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
    v: "\v",
};

/** The SQL string literal starting at `i` (`'…'` or `e'…'`), or `undefined`. */
function literalAt(text: string, i: number): { value: string; end: number } | undefined {
    const escaped = (text[i] === "e" || text[i] === "E") && text[i + 1] === "'";
    if (!escaped && text[i] !== "'") return undefined;
    let j = i + (escaped ? 2 : 1);
    let value = "";
    while (j < text.length) {
        const ch = text[j]!;
        if (ch === "'") {
            if (text[j + 1] === "'") {
                value += "'";
                j += 2;
                continue;
            }
            return { value, end: j + 1 };
        }
        if (escaped && ch === "\\") {
            const next = text[j + 1] ?? "";
            const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(
                text.slice(j + 1),
            );
            if (hex) {
                value += String.fromCodePoint(parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16));
                j += 1 + hex[0].length;
            } else {
                value += SIMPLE_ESCAPES[next] ?? next;
                j += 2;
            }
            continue;
        }
        value += ch;
        j++;
    }
    return undefined;
}

/** Recorded in place of a secret-bearing option's value that differs from the one in state. */
export const CHANGED_OUT_OF_BAND = "(changed out of band; value not recorded)";

/**
 * `state` with the alterable options it manages (`resolved`, `minCheckpointFrequency`,
 * `webhookClientTimeout`, `webhookSinkConfig`, `options`) replaced by the job's actual values
 * where they differ. Secrets are never taken from the description: the sink and the auth header
 * stay as recorded, and a secret-bearing option that differs is recorded as
 * {@link CHANGED_OUT_OF_BAND}. A duration option the job no longer has is recorded as `""`;
 * a `webhook_sink_config` the job no longer has is left as recorded.
 */
export function withActualOptions(
    state: ChangefeedOutputs,
    job: JobInfo | undefined,
): ChangefeedOutputs {
    const actual = job?.description ? parseDescribedOptions(job.description) : undefined;
    if (!actual) return state;
    const out: ChangefeedOutputs = { ...state };
    // A dedicated option the job no longer has (UNSET out of band) is recorded as "", which no
    // input equals, so the next `up` sets it again.
    const dedicated = (key: string, recorded: string): string | undefined => {
        const value = actual.has(key) ? (actual.get(key) ?? "") : "";
        return value !== recorded ? value : undefined;
    };
    const resolved = dedicated("resolved", state.resolved ?? DEFAULT_RESOLVED);
    if (resolved !== undefined) out.resolved = resolved;
    const minCheckpoint = dedicated(
        "min_checkpoint_frequency",
        state.minCheckpointFrequency ?? DEFAULT_MIN_CHECKPOINT_FREQUENCY,
    );
    if (minCheckpoint !== undefined) out.minCheckpointFrequency = minCheckpoint;
    const clientTimeout = dedicated(
        "webhook_client_timeout",
        state.webhookClientTimeout ?? DEFAULT_WEBHOOK_CLIENT_TIMEOUT,
    );
    if (clientTimeout !== undefined) out.webhookClientTimeout = clientTimeout;
    const sinkConfig = actual.get("webhook_sink_config");
    if (
        sinkConfig !== undefined &&
        canonicalJson(sinkConfig) !== webhookSinkConfigText(state.webhookSinkConfig)
    ) {
        out.webhookSinkConfig = sinkConfig;
    }

    const recordedUser = userOptionsOf(state.options ?? {});
    const actualUser = new Map<string, OptionValue>();
    for (const [key, value] of actual) {
        if (key in RESERVED_OPTIONS) continue;
        const recorded = recordedUser.get(key);
        if (value === undefined) actualUser.set(key, true);
        else if (SECRET_BEARING_OPTIONS.has(key))
            actualUser.set(key, recorded === value ? recorded : CHANGED_OUT_OF_BAND);
        else actualUser.set(key, value);
    }
    if (!sameOptions(recordedUser, actualUser)) out.options = Object.fromEntries(actualUser);
    return out;
}

/** The user options that reach the job: `false` and `initial_scan` never do. */
function userOptionsOf(options: Record<string, OptionValue>): Map<string, OptionValue> {
    return new Map(
        Object.entries(options).filter(([key, value]) => value !== false && key !== "initial_scan"),
    );
}

function sameOptions(a: Map<string, OptionValue>, b: Map<string, OptionValue>): boolean {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) {
        const other = b.get(key);
        if (other === undefined || String(other) !== String(value)) return false;
    }
    return true;
}

function canonicalJson(text: string): string {
    try {
        return JSON.stringify(JSON.parse(text));
    } catch {
        return text;
    }
}
