/**
 * TargetGrants outputs as Pulumi stores them and as the lifecycle works on them: the recorded
 * lists plain up to `PLAIN_LIMIT` entries, grouped (`stateCodec.ts`) above it under
 * `groupedGrants` with state version 2.
 */
import { sameGrantLists } from "./sameLists";
import {
    type GroupedGrants,
    PLAIN_LIMIT,
    decodeGrantLists,
    entryCount,
    readGrantLists,
    storeGrantLists,
} from "./stateCodec";

const LIST_KEYS = [
    "granted",
    "preexisting",
    "pending",
    "missing",
    "columnGrants",
    "coveredTables",
] as const;

/**
 * The state version of grouped state. Plain state keeps the version the lifecycle writes (1): it
 * is that shape, unchanged. A package that reads only version 1 refuses version 2 state with a
 * clear error instead of reading grouped lists as "nothing granted".
 */
export const GROUPED_STATE_VERSION = 2;

/**
 * Outputs as they are stored: the lists through {@link storeGrantLists} (grouped when large, then
 * `stateVersion` {@link GROUPED_STATE_VERSION}), every other field as it is. Small outputs come
 * back unchanged.
 */
export function toStoredOutputs<T extends object>(outputs: T): Record<string, unknown> {
    const state = outputs as Record<string, unknown>;
    const lists = readGrantLists(state);
    if (entryCount(lists) <= PLAIN_LIMIT && state["groupedGrants"] === undefined) return state;
    const rest = { ...state };
    for (const key of LIST_KEYS) delete rest[key];
    delete rest["groupedGrants"];
    const stored = storeGrantLists(lists);
    return "groupedGrants" in stored
        ? { ...rest, ...stored, stateVersion: GROUPED_STATE_VERSION }
        : { ...rest, ...stored };
}

/**
 * {@link toStoredOutputs} for a refresh: when the outputs hold exactly the lists that the stored
 * state `before` held (its plain form `beforePlain`, as {@link fromStoredOutputs} gave it), the
 * grouped record of `before` is kept as it is — an encoding of exactly these lists — instead of
 * encoding 40,000 pairs again. A refresh that finds nothing changed, the usual one, pays one
 * comparison instead.
 */
export function toStoredOutputsAfterRead<T extends object>(
    outputs: T,
    before: unknown,
    beforePlain: unknown,
): Record<string, unknown> {
    const grouped = groupedRecordOf(before);
    const state = outputs as Record<string, unknown>;
    if (
        grouped &&
        sameGrantLists(
            readGrantLists(state),
            readGrantLists(beforePlain as Record<string, unknown>),
        )
    ) {
        return withGroupedRecord(state, grouped);
    }
    return toStoredOutputs(outputs);
}

/** The grouped record of stored outputs, when they hold one (state version 2). */
export function groupedRecordOf(state: unknown): GroupedGrants | undefined {
    const stored = (state ?? {}) as Record<string, unknown>;
    if (stored["stateVersion"] !== GROUPED_STATE_VERSION || !stored["groupedGrants"]) {
        return undefined;
    }
    return stored["groupedGrants"] as GroupedGrants;
}

/**
 * {@link fromStoredOutputs} with the lists of grouped state left empty instead of decoded: the
 * fields a read needs before it knows whether it must look at the lists at all. Any other state
 * comes back as it is.
 */
export function storedOutputsWithoutLists<T>(state: unknown, plainVersion = 1): T {
    if (!groupedRecordOf(state)) return (state ?? {}) as T;
    const rest = { ...(state as Record<string, unknown>) };
    delete rest["groupedGrants"];
    for (const key of LIST_KEYS) rest[key] = [];
    return { ...rest, stateVersion: plainVersion } as T;
}

/** Outputs without their lists, with `grouped` as their grouped record (state version 2). */
export function withGroupedRecord(
    outputs: object,
    grouped: GroupedGrants,
): Record<string, unknown> {
    const rest = { ...(outputs as Record<string, unknown>) };
    for (const key of LIST_KEYS) delete rest[key];
    return { ...rest, groupedGrants: grouped, stateVersion: GROUPED_STATE_VERSION };
}

/**
 * Stored outputs in the shape the lifecycle works on: grouped state (version
 * {@link GROUPED_STATE_VERSION}) with its lists plain again and `stateVersion` `plainVersion`;
 * any other state as it is (an unknown version is left to `readVersionedState` to refuse).
 */
export function fromStoredOutputs<T>(state: unknown, plainVersion = 1): T {
    const grouped = groupedRecordOf(state);
    const shell = storedOutputsWithoutLists<Record<string, unknown>>(state, plainVersion);
    return (grouped ? { ...shell, ...decodeGrantLists(grouped) } : shell) as T;
}
