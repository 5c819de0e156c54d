/**
 * Equality of grant lists, field by field and in order: what the state codec uses to tell that a
 * refresh left the recorded lists exactly as they were.
 */
import { type ColumnGrant, type GrantPair, sameStrings } from "../targets/types";
import type { GrantLists } from "./stateCodec";

/** True when both hold the same lists, entry for entry. */
export function sameGrantLists(a: GrantLists, b: GrantLists): boolean {
    return (
        samePairs(a.granted, b.granted) &&
        samePairs(a.preexisting, b.preexisting) &&
        samePairs(a.pending, b.pending) &&
        samePairs(a.missing, b.missing) &&
        sameColumns(a.columnGrants, b.columnGrants) &&
        sameStrings(a.coveredTables, b.coveredTables)
    );
}

/** True when both hold records equal in `fields`, in the same order. */
function sameRecords<T>(a: readonly T[], b: readonly T[], fields: readonly (keyof T)[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
        const x = a[i]!;
        const y = b[i]!;
        for (const field of fields) if (x[field] !== y[field]) return false;
    }
    return true;
}

const PAIR_FIELDS = ["kind", "object", "privilege", "grantor", "scope"] as const;
const COLUMN_FIELDS = ["table", "column", "privilege", "grantor", "grantable"] as const;

/** True when both hold the same pairs in the same order, field by field. */
export function samePairs(a: readonly GrantPair[], b: readonly GrantPair[]): boolean {
    return sameRecords(a, b, PAIR_FIELDS);
}

function sameColumns(a: readonly ColumnGrant[], b: readonly ColumnGrant[]): boolean {
    return sameRecords(a, b, COLUMN_FIELDS);
}
