/**
 * Pure planning: from the configuration, the catalog snapshot and what this resource granted
 * before, work out which (object, privilege) pairs to grant and revoke, and what state to record.
 * Nothing here touches a database.
 */
import { mysqlGrantStatements, mysqlRevokeStatements } from "../dialects/mysql";
import { oracleGrantStatements, oracleRevokeStatements } from "../dialects/oracle";
import { pgGrantStatements, pgRevokeStatements } from "../dialects/postgres";
import {
    type CatalogSnapshot,
    type GrantPair,
    type GrantTarget,
    pairKey,
    sortPairs,
} from "../dialects/types";
import type { TargetGrantsConfig } from "./config";

/** The pairs the configuration asks for, given what exists now. */
export interface DesiredGrants {
    pairs: GrantPair[];
    /** Roles whose future tables get default privileges (PostgreSQL). */
    defaultPrivilegeOwners: string[];
}

/** Tables the resource covers: the listed ones that exist, or every base table of the schema. */
export function tablesInScope(config: TargetGrantsConfig, snapshot: CatalogSnapshot): string[] {
    if (config.tables === null) {
        return snapshot.tables.filter((t) => t.baseTable).map((t) => t.name);
    }
    const existing = new Set(snapshot.tables.map((t) => t.name));
    return config.tables.filter((t) => existing.has(t));
}

/** Listed tables that do not exist in the schema. */
export function missingTables(config: TargetGrantsConfig, snapshot: CatalogSnapshot): string[] {
    if (config.tables === null) return [];
    const existing = new Set(snapshot.tables.map((t) => t.name));
    return config.tables.filter((t) => !existing.has(t));
}

/**
 * Owners whose future tables get default privileges: the names given, or the connecting role
 * plus every current owner of a base table in the schema (never the grantee itself).
 */
export function defaultPrivilegeOwners(
    config: TargetGrantsConfig,
    snapshot: CatalogSnapshot,
): string[] {
    if (config.dialect !== "postgres" || !config.defaultPrivileges) return [];
    const owners = config.defaultPrivilegesFor ?? [
        snapshot.currentUser,
        ...snapshot.tables.filter((t) => t.baseTable && t.owner).map((t) => t.owner as string),
    ];
    return [...new Set(owners)].filter((o) => o && o !== config.grantee).sort();
}

/** Every pair the configuration asks for. */
export function desiredGrants(
    config: TargetGrantsConfig,
    snapshot: CatalogSnapshot,
): DesiredGrants {
    const pairs: GrantPair[] = [];
    const tables = tablesInScope(config, snapshot);
    const owners = defaultPrivilegeOwners(config, snapshot);
    const each = (kind: GrantPair["kind"], objects: readonly string[]) => {
        for (const object of objects) {
            for (const privilege of config.privileges) pairs.push({ kind, object, privilege });
        }
    };
    if (config.dialect === "postgres") {
        pairs.push({ kind: "schema", object: config.schema, privilege: "USAGE" });
        each("table", tables);
        each("defaultTables", owners);
    } else if (config.dialect === "mysql" && config.tables === null) {
        each("database", [config.schema]);
    } else {
        each("table", tables);
    }
    return { pairs: sortPairs(pairs), defaultPrivilegeOwners: owners };
}

/** What this resource holds, as re-read from the catalog. */
export interface RecordedGrants {
    granted: GrantPair[];
    preexisting: GrantPair[];
    /**
     * Pairs a GRANT was sent for but whose outcome is unknown (the connection was lost and the
     * catalog could not be re-read with certainty). Never revoked as such: the next catalog read
     * (update, refresh, delete) counts the ones then held as granted by this resource and drops
     * the rest. Absent in state written before this field existed.
     */
    pending?: GrantPair[];
}

/**
 * Re-derives the recorded pairs from a fresh snapshot: pairs no longer held drop out (drift), a
 * pending pair now held is counted as granted (its GRANT was sent by this resource), and on
 * PostgreSQL a table privilege that appeared on a table created by an owner whose default
 * privilege this resource granted is counted as granted by this resource. The result has no
 * pending pairs.
 */
export function reconcile(previous: RecordedGrants, snapshot: CatalogSnapshot): RecordedGrants {
    const held = new Set(snapshot.held.map(pairKey));
    const preexisting = previous.preexisting.filter((p) => held.has(pairKey(p)));
    const preexistingKeys = new Set(preexisting.map(pairKey));
    const granted: GrantPair[] = [];
    const seen = new Set<string>();
    for (const p of [...previous.granted, ...(previous.pending ?? [])]) {
        const key = pairKey(p);
        if (!held.has(key) || preexistingKeys.has(key) || seen.has(key)) continue;
        seen.add(key);
        granted.push(p);
    }
    const known = new Set([...granted, ...preexisting].map(pairKey));
    const ourDefaults = new Set(
        granted.filter((p) => p.kind === "defaultTables").map((p) => `${p.object}\0${p.privilege}`),
    );
    const owners = new Map(snapshot.tables.map((t) => [t.name, t.owner]));
    for (const pair of snapshot.held) {
        if (pair.kind !== "table" || known.has(pairKey(pair))) continue;
        const owner = owners.get(pair.object);
        if (owner && ourDefaults.has(`${owner}\0${pair.privilege}`)) granted.push(pair);
    }
    return { granted: sortPairs(granted), preexisting: sortPairs(preexisting) };
}

/** The change to make, and the state to record once it is made. */
export interface GrantChange {
    toGrant: GrantPair[];
    toRevoke: GrantPair[];
    granted: GrantPair[];
    preexisting: GrantPair[];
}

/**
 * Plans a change from `previouslyGranted` (already reconciled with `held`) to `desired`:
 * grant what is desired and not held; revoke what this resource granted and is no longer
 * desired; a desired pair held without this resource having granted it is pre-existing and is
 * never revoked. `create` is this with nothing previously granted.
 */
export function planChange(
    previouslyGranted: readonly GrantPair[],
    desired: readonly GrantPair[],
    held: readonly GrantPair[],
): GrantChange {
    const heldKeys = new Set(held.map(pairKey));
    const ours = new Set(previouslyGranted.map(pairKey));
    const wanted = new Set(desired.map(pairKey));
    const toGrant = desired.filter((p) => !heldKeys.has(pairKey(p)));
    const toRevoke = previouslyGranted.filter(
        (p) => !wanted.has(pairKey(p)) && heldKeys.has(pairKey(p)),
    );
    const granted = desired.filter((p) => !heldKeys.has(pairKey(p)) || ours.has(pairKey(p)));
    const preexisting = desired.filter((p) => heldKeys.has(pairKey(p)) && !ours.has(pairKey(p)));
    return {
        toGrant: sortPairs(toGrant),
        toRevoke: sortPairs(toRevoke),
        granted: sortPairs(granted),
        preexisting: sortPairs(preexisting),
    };
}

/** Desired pairs not held now (shown as drift; the next `up` grants them). */
export function missingPairs(
    desired: readonly GrantPair[],
    held: readonly GrantPair[],
): GrantPair[] {
    const heldKeys = new Set(held.map(pairKey));
    return desired.filter((p) => !heldKeys.has(pairKey(p)));
}

/**
 * Tables in scope on which the grantee can use every configured privilege: through table
 * grants, or on MySQL through the `db.*` grant (which covers tables created later).
 */
export function coveredTables(
    config: TargetGrantsConfig,
    snapshot: CatalogSnapshot,
    held: readonly GrantPair[] = snapshot.held,
): string[] {
    const keys = new Set(held.map(pairKey));
    const has = (kind: GrantPair["kind"], object: string, privilege: string) =>
        keys.has(pairKey({ kind, object, privilege }));
    return tablesInScope(config, snapshot)
        .filter((table) =>
            config.privileges.every(
                (p) =>
                    has("table", table, p) ||
                    (config.dialect === "mysql" && has("database", config.schema, p)),
            ),
        )
        .sort();
}

/** Applies a change to a held set (what the catalog will show once the change is made). */
export function heldAfter(held: readonly GrantPair[], change: GrantChange): GrantPair[] {
    const revoked = new Set(change.toRevoke.map(pairKey));
    const out = held.filter((p) => !revoked.has(pairKey(p)));
    const present = new Set(out.map(pairKey));
    for (const p of change.toGrant) if (!present.has(pairKey(p))) out.push(p);
    return out;
}

/** Options the statement text depends on. */
export interface StatementOptions {
    /** MySQL 8 `partial_revokes` (changes how `db.*` names are written). */
    partialRevokes: boolean;
}

/** The REVOKE then GRANT statements for a change, in the dialect's syntax. */
export function renderChange(
    config: TargetGrantsConfig,
    change: Pick<GrantChange, "toGrant" | "toRevoke">,
    options: StatementOptions = { partialRevokes: false },
): { revokes: string[]; grants: string[] } {
    const target: GrantTarget = {
        schema: config.schema,
        grantee: config.grantee,
        granteeHost: config.granteeHost,
    };
    switch (config.dialect) {
        case "postgres":
            return {
                revokes: pgRevokeStatements(change.toRevoke, target),
                grants: pgGrantStatements(change.toGrant, target),
            };
        case "mysql":
            return {
                revokes: mysqlRevokeStatements(change.toRevoke, target, options),
                grants: mysqlGrantStatements(change.toGrant, target, options),
            };
        case "oracle":
            return {
                revokes: oracleRevokeStatements(change.toRevoke, target),
                grants: oracleGrantStatements(change.toGrant, target),
            };
    }
}
