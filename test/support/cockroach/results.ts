/** Result sets in pgwire terms: typed columns, text-format cells and the command tag. */

/** pgwire type OIDs of the columns the test server produces. */
export const OID = {
    bool: 16,
    int8: 20,
    text: 25,
    numeric: 1700,
    interval: 1186,
    timestamptz: 1184,
    uuid: 2950,
    textArray: 1009,
} as const;

/** `typlen` sent in RowDescription for each OID (-1 = variable length). */
export const TYPE_SIZES: Readonly<Record<number, number>> = {
    [OID.bool]: 1,
    [OID.int8]: 8,
    [OID.interval]: 16,
    [OID.timestamptz]: 8,
    [OID.uuid]: 16,
};

export interface Column {
    name: string;
    oid: number;
}

/** One statement's outcome. `columns` empty = no RowDescription (e.g. `SET CLUSTER SETTING`). */
export interface ResultSet {
    columns: Column[];
    rows: Array<Array<string | null>>;
    tag: string;
    /** NOTICE messages to send before the result (relayed from the backing database). */
    notices?: string[];
}

export const textColumn = (name: string): Column => ({ name, oid: OID.text });
export const int8Column = (name: string): Column => ({ name, oid: OID.int8 });
export const boolColumn = (name: string): Column => ({ name, oid: OID.bool });

/** A row-returning CockroachDB statement's tag: `<TAG> <rows>`. */
export function rowsResult(
    tagPrefix: string,
    columns: Column[],
    rows: Array<Array<string | null>>,
): ResultSet {
    return { columns, rows, tag: `${tagPrefix} ${rows.length}` };
}

/** TIMESTAMPTZ text as CockroachDB prints it: `2025-03-10 14:09:10.047524+00`. */
export function formatTimestamptz(micros: bigint): string {
    const millis = Number(micros / 1000n);
    const iso = new Date(millis).toISOString(); // 2025-03-10T14:09:10.047Z
    const fraction = (micros % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""}+00`;
}

/** A TEXT[] literal: `{a,b}` with elements quoted when needed. */
export function formatTextArray(values: readonly string[]): string {
    const quote = (v: string) =>
        v === "" || /[{},"\\\s]/.test(v) || v.toLowerCase() === "null"
            ? `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`
            : v;
    return `{${values.map(quote).join(",")}}`;
}
