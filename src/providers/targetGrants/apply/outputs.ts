/**
 * What a change leaves in state, and the refusals and messages the lifecycle shares.
 */
import { targetIdentity } from "../../targets/connection";
import { type CatalogSnapshot, type GrantPair, pairKey } from "../../targets/types";
import type { CatalogReadOptions } from "../../targets/session";
import { coveredTables, missingGrants, missingTables } from "../plan";
import { type RecordedGrants, reconcile } from "../reconcile";
import { STATE_VERSION, type TargetGrantsConfig, type TargetGrantsOutputs } from "../types";

/**
 * The catalog read of create and update. A dialect may skip listing the tables when the grant
 * does not name them (MySQL `db.*`); the cost is `coveredTables`, left empty until the next read
 * (refresh) lists the tables.
 */
export function changeRead(config: TargetGrantsConfig): CatalogReadOptions {
    return { listTables: listsTables(config) };
}

/** True when create and update read the tables (see {@link changeRead}). */
export function listsTables(config: TargetGrantsConfig): boolean {
    return config.dialect.changeReadListsTables(config.tables !== null);
}

/** The outputs recorded for `recorded` as `snapshot` shows the catalog. */
export function outputsOf(
    config: TargetGrantsConfig,
    owners: string[],
    recorded: RecordedGrants,
    snapshot: CatalogSnapshot | undefined,
    /** False when `snapshot` was read without its table list (see {@link changeRead}). */
    tablesListed = true,
): TargetGrantsOutputs {
    return {
        connection: config.connection.url,
        dialect: config.dialect.name,
        grantee: config.grantee,
        granteeHost: config.granteeHost ?? null,
        schema: config.schema,
        tables: config.tables,
        privileges: config.privileges,
        defaultPrivileges: config.defaultPrivileges,
        defaultPrivilegesFor: config.defaultPrivilegesFor,
        server: targetIdentity(config.connection),
        defaultPrivilegeOwners: owners,
        granted: recorded.granted,
        preexisting: recorded.preexisting,
        pending: recorded.pending ?? [],
        missing: snapshot ? missingGrants(config, snapshot) : [],
        missingTables: snapshot && tablesListed ? missingTables(config, snapshot) : [],
        columnGrants: recorded.columnGrants ?? [],
        coveredTables: snapshot && tablesListed ? coveredTables(config, snapshot) : [],
        stateVersion: STATE_VERSION,
    };
}

/** Refuses, before changing anything, when the schema, grantee or a listed table is missing. */
export function assertReady(config: TargetGrantsConfig, snapshot: CatalogSnapshot): void {
    const { dialect } = config;
    const problems: string[] = [];
    if (!snapshot.schemaExists) {
        problems.push(`${dialect.schemaWord} ${JSON.stringify(config.schema)} does not exist`);
    }
    if (!snapshot.granteeExists) {
        problems.push(
            `${dialect.describeGrantee(config)} does not exist; create it first (TargetGrants grants privileges, it does not create accounts)`,
        );
    }
    problems.push(...dialect.serverPrivilegeProblems(config.privileges, snapshot));
    const missing = snapshot.schemaExists ? missingTables(config, snapshot) : [];
    if (missing.length > 0) {
        problems.push(
            `tables not found in ${dialect.schemaWord} ${JSON.stringify(config.schema)}: ` +
                missing.map((t) => JSON.stringify(t)).join(", ") +
                " (names are exact and case-sensitive" +
                (dialect.nameCase === "upper"
                    ? `; unquoted ${dialect.label} names are stored in upper case)`
                    : ")"),
        );
    }
    if (problems.length > 0) {
        const fix =
            missing.length > 0
                ? ". Fix: create the missing tables, or remove them from `tables` (a table dropped " +
                  "out of band took its privileges with it)"
                : "";
        throw new Error(
            `TargetGrants cannot proceed on ${targetIdentity(config.connection)}: ${problems.join("; ")}; nothing was changed${fix}`,
        );
    }
}

/** Pairs of `pairs` the catalog still shows granted by their recorded grantor. */
export function stillHeld(pairs: readonly GrantPair[], snapshot: CatalogSnapshot): GrantPair[] {
    if (pairs.length === 0) return [];
    const { granted } = reconcile({ granted: [...pairs], preexisting: [] }, snapshot);
    return granted;
}

/** `"a", "b"` */
function names(list: Iterable<string>): string {
    return [...new Set(list)].map((n) => JSON.stringify(n)).join(", ");
}

/**
 * Why pairs are still held after REVOKE, and the fix: where only the grantor may revoke a grant
 * (PostgreSQL, Oracle), the connection must be that grantor.
 */
export function revokeLeftMessage(
    config: TargetGrantsConfig,
    left: readonly GrantPair[],
    snapshot: CatalogSnapshot,
): string {
    const grantors = left.map((p) => p.grantor ?? revokingGrantorName(p, snapshot));
    const what = left
        .slice(0, 5)
        .map((p) => `${p.privilege} on ${p.kind} ${JSON.stringify(p.object)}`)
        .join(", ");
    const more = left.length > 5 ? ` and ${left.length - 5} more` : "";
    const rule = config.dialect.grantorRule ?? `${config.dialect.label} did not revoke them`;
    return (
        `the grantee still holds ${what}${more}, granted by ${names(grantors)}, and ${rule}; ` +
        `this connection runs as ${JSON.stringify(snapshot.currentUser)}. Fix: set \`connection\` ` +
        `to ${names(grantors)}${config.dialect.grantorFixHint}` +
        " and run again; the privileges stay recorded in state until they are revoked"
    );
}

function revokingGrantorName(pair: GrantPair, snapshot: CatalogSnapshot): string {
    const held = snapshot.held.find(
        (h) => pairKey(h) === pairKey(pair) && h.scope !== "database" && h.grantor,
    );
    return held?.grantor ?? "(unknown)";
}
