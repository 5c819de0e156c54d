/**
 * Small helpers of the grouped state encoding (`stateCodec.ts`): lists of object indices written
 * as ranges, and the order check that lets the codec skip sorting a list that is already sorted.
 */

/** `[0, 1, 2, 5, 7, 8]` → `"0-2,5,7-8"` (indices ascending). */
export function encodeRanges(sorted: readonly number[]): string {
    const parts: string[] = [];
    for (let i = 0; i < sorted.length;) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
        parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
        i = j + 1;
    }
    return parts.join(",");
}

/** The inverse of {@link encodeRanges}; throws on text it did not produce. */
export function decodeRanges(text: string): number[] {
    if (text === "") return [];
    const out: number[] = [];
    for (const part of text.split(",")) {
        const match = /^(\d+)(?:-(\d+))?$/.exec(part);
        if (!match) throw new Error(`TargetGrants state: bad index range ${JSON.stringify(part)}`);
        const from = Number(match[1]);
        const to = match[2] === undefined ? from : Number(match[2]);
        if (to < from)
            throw new Error(`TargetGrants state: bad index range ${JSON.stringify(part)}`);
        for (let i = from; i <= to; i++) out.push(i);
    }
    return out;
}

/** `keys` in ascending order (sorted only when they were not inserted in order). */
export function ascending(keys: Iterable<number>): number[] {
    const list = [...keys];
    for (let i = 1; i < list.length; i++) {
        if (list[i - 1]! > list[i]!) return list.sort((a, b) => a - b);
    }
    return list;
}
