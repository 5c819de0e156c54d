/**
 * Column grants in grouped state (`stateCodec.ts`): grouped per table, privilege, grantor and
 * grant option, the table as an index into the state's name list.
 */
import { type ColumnGrant, sortColumnGrants } from "../targets/types";

/** Columns of one table that share privilege, grantor and grant option. */
export interface ColumnGroup {
    /** Index into the grouped state's `objects` (its name list). */
    table: number;
    privilege: string;
    columns: string[];
    grantor?: string;
    grantable?: boolean;
}

/** Groups `grants`; `indexOf` gives a table's index in the name list. */
export function encodeColumns(
    grants: readonly ColumnGrant[],
    indexOf: (name: string) => number,
): ColumnGroup[] {
    const groups = new Map<string, ColumnGroup>();
    for (const c of grants) {
        const table = indexOf(c.table);
        const key = JSON.stringify([table, c.privilege, c.grantor ?? null, c.grantable ?? null]);
        const group = groups.get(key);
        if (group) {
            group.columns.push(c.column);
            continue;
        }
        const created: ColumnGroup = { table, privilege: c.privilege, columns: [c.column] };
        if (c.grantor !== undefined) created.grantor = c.grantor;
        if (c.grantable !== undefined) created.grantable = c.grantable;
        groups.set(key, created);
    }
    return [...groups.values()];
}

export function decodeColumns(
    groups: readonly ColumnGroup[],
    objects: readonly string[],
): ColumnGrant[] {
    const out: ColumnGrant[] = [];
    for (const group of groups) {
        const table = objects[group.table];
        if (table === undefined) {
            throw new Error(`TargetGrants state: table index ${group.table} out of range`);
        }
        for (const column of group.columns) {
            const grant: ColumnGrant = { table, column, privilege: group.privilege };
            if (group.grantor !== undefined) grant.grantor = group.grantor;
            if (group.grantable !== undefined) grant.grantable = group.grantable;
            out.push(grant);
        }
    }
    return sortColumnGrants(out);
}
