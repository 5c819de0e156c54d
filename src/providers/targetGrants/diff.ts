/**
 * Offline comparison of state with new inputs. Replaces: dialect, the server/database the
 * connection points at, grantee, granteeHost, schema. In place: a new password or user in the
 * connection, tables, privileges, defaultPrivileges(For), and drift recorded by the last read.
 */
import type * as pulumi from "@pulumi/pulumi";
import { UNKNOWN, containsUnknown } from "../kernel/unknown";
import { requireDialect } from "../targets";
import { targetIdentity } from "../targets/connection";
import { checkTargetGrants, normalizePrivilege } from "./check";
import { logDiffPreview } from "./preview";
import { STATE_VERSION, type TargetGrantsInputs, type TargetGrantsOutputs } from "./types";

/** The properties whose change replaces the resource, and those changed in place. */
export function compareForDiff(
    olds: TargetGrantsOutputs,
    news: TargetGrantsInputs,
): { replaces: string[]; changed: string[] } {
    const replaces: string[] = [];
    const changed: string[] = [];
    const checked = checkTargetGrants(news);
    const oldDialect = requireDialect(olds.dialect);
    const connection = news.connection as unknown;

    let newDialect: string | undefined;
    if (news.dialect === UNKNOWN) newDialect = UNKNOWN;
    else if (news.dialect) newDialect = news.dialect;
    else if (connection === UNKNOWN) newDialect = UNKNOWN;
    else newDialect = checked.dialect?.name;
    if (newDialect !== olds.dialect) replaces.push("dialect");

    if (connection === UNKNOWN || typeof connection !== "string") {
        replaces.push("connection");
    } else if (!checked.connection || targetIdentity(checked.connection) !== olds.server) {
        replaces.push("connection");
    } else if (connection !== olds.connection) changed.push("connection");
    if (news.grantee !== olds.grantee) replaces.push("grantee");
    const host = oldDialect.accountHost ? (news.granteeHost ?? "%") : (news.granteeHost ?? null);
    if (host !== olds.granteeHost) replaces.push("granteeHost");
    if (news.schema !== olds.schema) replaces.push("schema");

    if (containsUnknown(news.tables) || !sameSet(news.tables ?? null, olds.tables))
        changed.push("tables");
    if (containsUnknown(news.privileges)) {
        changed.push("privileges");
    } else {
        const privileges = news.privileges?.map(normalizePrivilege) ?? null;
        // Omitted privileges mean the dialect defaults, which create recorded.
        if (privileges !== null && !sameSet(privileges, olds.privileges))
            changed.push("privileges");
        if (privileges === null && !sameSet(oldDialect.defaultPrivileges, olds.privileges)) {
            changed.push("privileges");
        }
    }
    if (oldDialect.scope.defaultPrivileges) {
        const tablesOmitted = news.tables === undefined || news.tables === null;
        const wantDefaults =
            news.defaultPrivileges === (UNKNOWN as unknown)
                ? undefined
                : (news.defaultPrivileges ??
                  (tablesOmitted || news.defaultPrivilegesFor !== undefined));
        if (wantDefaults !== olds.defaultPrivileges) changed.push("defaultPrivileges");
        const wantFor = wantDefaults ? (news.defaultPrivilegesFor ?? null) : null;
        if (containsUnknown(wantFor) || !sameSet(wantFor, olds.defaultPrivilegesFor)) {
            changed.push("defaultPrivilegesFor");
        }
    }
    if ((olds.missing ?? []).length > 0) changed.push("missing");
    if ((olds.missingTables ?? []).length > 0) changed.push("missingTables");
    if ((olds.pending ?? []).length > 0) changed.push("pending");
    if (olds.stateVersion !== STATE_VERSION) changed.push("stateVersion");
    return { replaces, changed };
}

function sameSet(
    a: readonly string[] | null | undefined,
    b: readonly string[] | null | undefined,
): boolean {
    if ((a ?? null) === null || (b ?? null) === null) return (a ?? null) === (b ?? null);
    return (
        new Set(a).size === new Set(b).size &&
        (a as string[]).every((x) => (b as string[]).includes(x))
    );
}

/** The provider's `diff`: the comparison, logged as the SQL the next `up` runs. */
export function diff(
    olds: TargetGrantsOutputs,
    news: TargetGrantsInputs,
): pulumi.dynamic.DiffResult {
    const { replaces, changed } = compareForDiff(olds, news);
    const result = {
        changes: replaces.length > 0 || changed.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0,
    };
    logDiffPreview(olds, news, result);
    return result;
}
