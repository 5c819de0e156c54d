/**
 * TargetGrants lifecycle: grants the replicator's user the privileges it needs on the failback
 * target (PostgreSQL, MySQL/MariaDB, Oracle), records exactly what it added, and revokes exactly
 * that on delete. Planning is pure (`plan.ts`); this module only sequences catalog reads and
 * statement batches.
 */
import { logCreatePreview, logDiffPreview } from "./preview";
import type * as pulumi from "@pulumi/pulumi";
import { newResourceId } from "../kernel/ids";
import { PartialStateError } from "../kernel/partialState";
import { UNKNOWN, containsUnknown } from "../kernel/unknown";
import { MYSQL_GONE_ERRNOS, MYSQL_RETRIABLE_ERRNOS } from "../targets/mysql";
import { ORACLE_NOT_GRANTOR } from "../targets/oracle";
import {
    PG_DEPENDENT_PRIVILEGES_EXIST,
    PG_GONE_SQLSTATES,
    PG_INSUFFICIENT_PRIVILEGE,
    pgRetriable,
} from "../targets/postgres";
import {
    type CatalogSnapshot,
    type ColumnGrant,
    type Dialect,
    type GrantPair,
    type GrantTarget,
    pairKey,
} from "../targets/types";
import {
    DEFAULT_PRIVILEGES,
    type TargetGrantsConfig,
    type TargetGrantsInputs,
    normalizePrivilege,
    resolveConfig,
    validateInputs,
} from "./config";
import { type ParsedConnection, dialectOfUrl, parseConnection, targetIdentity } from "./connection";
import {
    type GrantChange,
    type RecordedGrants,
    attachGrantors,
    columnsToRestore,
    coveredTables,
    desiredGrants,
    heldAfter,
    missingPairs,
    missingTables,
    planChange,
    reconcile,
    reconcileColumnGrants,
    renderChange,
} from "./plan";
import {
    DEFAULT_SESSION_OPTIONS,
    type CatalogReadOptions,
    type GrantSession,
    type SessionOpener,
    type SessionOptions,
    errorCodes,
    openMysqlSession,
    openPostgresSession,
    oracleSessionOpener,
    serverAnswered,
} from "./session";

/** Version of the output shape below; bump it (and keep reading older shapes) when it changes. */
export const STATE_VERSION = 1;

/** Everything stored in state. `connection` is a secret output. */
export interface TargetGrantsOutputs {
    connection: string;
    dialect: Dialect;
    grantee: string;
    granteeHost: string | null;
    schema: string;
    tables: string[] | null;
    privileges: string[];
    defaultPrivileges: boolean;
    defaultPrivilegesFor: string[] | null;
    /** The server the grants live on (`dialect://host:port[/database]`, no credentials). */
    server: string;
    /** Roles whose future tables get default privileges (PostgreSQL). */
    defaultPrivilegeOwners: string[];
    /** Pairs this resource added (revoked on delete). */
    granted: GrantPair[];
    /** Pairs the grantee already held (never revoked). */
    preexisting: GrantPair[];
    /**
     * Pairs whose GRANT was sent when a change failed half-way, not yet confirmed (see
     * `RecordedGrants.pending`); empty unless the last create/update failed. Absent in older state.
     */
    pending?: GrantPair[];
    /** Desired pairs not held at the last read (drift; the next `up` grants them). */
    missing: GrantPair[];
    /**
     * Listed tables (`tables`) not found at the last read, e.g. dropped out of band (drift: the
     * next `up` refuses until they are recreated or removed from `tables`). Absent in older state.
     */
    missingTables?: string[];
    /**
     * Column-level privileges of the grantee that revoking this resource's table-level grants
     * would remove as a side effect; restored after every such REVOKE. Absent in older state.
     */
    columnGrants?: ColumnGrant[];
    /**
     * Tables in scope on which the grantee holds every configured privilege. For a MySQL `db.*`
     * grant (tables omitted) create and update do not list the tables (the grant covers every
     * present and future table of the database) and record []; read (refresh) fills it in.
     */
    coveredTables: string[];
    stateVersion: number;
}

/** What the provider depends on; tests replace the session openers and timeouts. */
export interface TargetGrantsProviderDeps {
    openers: Record<Dialect, SessionOpener>;
    sessionOptions: SessionOptions;
}

const DEFAULT_DEPS: TargetGrantsProviderDeps = {
    openers: {
        postgres: openPostgresSession,
        mysql: openMysqlSession,
        oracle: oracleSessionOpener(),
    },
    sessionOptions: DEFAULT_SESSION_OPTIONS,
};

/** Attempts of a change that lost a race with another session (re-read and re-planned each time). */
const MAX_CHANGE_ATTEMPTS = 4;

/** Builds the provider; `provider` below is the one the package ships. */
export function makeTargetGrantsProvider(
    overrides: Partial<TargetGrantsProviderDeps> = {},
): Required<pulumi.dynamic.ResourceProvider> {
    const deps: TargetGrantsProviderDeps = { ...DEFAULT_DEPS, ...overrides };

    const withSession = async <T>(
        config: TargetGrantsConfig,
        work: (session: GrantSession) => Promise<T>,
    ): Promise<T> => {
        const session = await deps.openers[config.dialect](
            parsedConnection(config.connection),
            deps.sessionOptions,
        );
        try {
            return await work(session);
        } finally {
            await session.close();
        }
    };

    /**
     * Create and update: read the catalog, plan from what this resource recorded (`base`), apply
     * in one batch, and return the outputs. A batch that lost a race with another session (the
     * server answered with a retriable error) is re-read and re-planned, a bounded number of
     * times. Any other failure is resolved by {@link settleFailedChange}: nothing is recorded
     * from a batch whose outcome is unknown until a new session has read what it did.
     */
    const converge = async (
        session: GrantSession,
        config: TargetGrantsConfig,
        id: string,
        start: RecordedGrants,
    ): Promise<TargetGrantsOutputs> => {
        let base = start;
        for (let attempt = 1; ; attempt++) {
            const snapshot = await session.readCatalog(targetOf(config), changeRead(config));
            assertReady(config, snapshot);
            const recorded = reconcile(base, snapshot);
            const desired = desiredGrants(config, snapshot);
            const change = planChange(recorded.granted, desired.pairs, snapshot.held);
            const wanted = new Set(change.granted.map(pairKey));
            const restoreColumns = columnsToRestore(
                change.toRevoke,
                recorded.granted.filter((p) => wanted.has(pairKey(p))),
                snapshot,
                recorded.columnGrants ?? [],
            );
            const { revokes, grants } = renderChange(config, change, {
                partialRevokes: session.partialRevokes,
                snapshot,
                restoreColumns,
            });
            const owners = desired.defaultPrivilegeOwners;
            let after: CatalogSnapshot | undefined;
            try {
                after = await session.applyChange(revokes, grants, targetOf(config));
            } catch (err) {
                const answered = serverAnswered(config.dialect, err);
                if (answered && isRetriable(config.dialect, err) && attempt < MAX_CHANGE_ATTEMPTS) {
                    // Grants that went through before the failing statement (MySQL) are ours.
                    base = { ...recorded, pending: change.toGrant };
                    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
                    continue;
                }
                if (answered && config.dialect === "postgres") {
                    throw revokeRefusal(config, change.toRevoke, snapshot, err) ?? err;
                }
                after = await settleFailedChange(
                    session,
                    config,
                    id,
                    change,
                    recorded,
                    owners,
                    err,
                );
            }
            const final = after ?? { ...snapshot, held: heldAfter(snapshot.held, change) };
            const granted = attachGrantors(change.granted, final);
            const outs = outputsOf(
                config,
                owners,
                {
                    granted,
                    preexisting: change.preexisting,
                    columnGrants: reconcileColumnGrants(
                        [...(recorded.columnGrants ?? []), ...restoreColumns],
                        granted,
                        final,
                    ),
                },
                final,
                after !== undefined || listsTables(config),
            );
            const left = stillHeld(change.toRevoke, final);
            if (left.length > 0) {
                const kept = reconcile({ ...outs, granted: [...granted, ...left] }, final);
                throw new PartialStateError(
                    id,
                    { ...outputsOf(config, owners, kept, final), missing: [] },
                    [revokeLeftMessage(config, left, final)],
                );
            }
            return outs;
        }
    };

    /**
     * After a change batch failed without a definite "nothing happened", finds out what it did.
     * Returns the catalog as a new session reads it when that shows the whole change applied (the
     * change then counts as done); otherwise throws a PartialStateError recording only what is
     * certain (see {@link recoverAfterFailedChange}).
     */
    const settleFailedChange = async (
        session: GrantSession,
        config: TargetGrantsConfig,
        id: string,
        change: GrantChange,
        recorded: RecordedGrants,
        owners: string[],
        err: unknown,
    ): Promise<CatalogSnapshot> => {
        const outcome = await recoverAfterFailedChange(
            session,
            config,
            change,
            recorded,
            serverAnswered(config.dialect, err),
        );
        if (outcome.applied && outcome.snapshot) return outcome.snapshot;
        const message = err instanceof Error ? err.message : String(err);
        throw new PartialStateError(
            id,
            {
                ...outputsOf(
                    config,
                    owners,
                    outcome.recorded,
                    outcome.snapshot,
                    outcome.snapshot !== undefined && listsTables(config),
                ),
                missing: [],
            },
            [message, outcome.reason],
        );
    };

    /**
     * Finds out what a failed batch changed. The session that ran it may be dead (a lost
     * connection), so the catalog is re-read on a NEW session (bounded by the session timeouts).
     * Unless the server answered the batch with an error (`answered`: it stopped there), it may
     * still be running it: the new session first ends the old connection on the server (MySQL:
     * KILL CONNECTION; PostgreSQL: pg_terminate_backend, after which its transaction is either
     * committed or rolled back) and waits until it is gone. Records only what is certain: pairs
     * this resource held before the change (dropped once the catalog shows them revoked), pairs
     * the re-read shows held, and — when the outcome could not be confirmed — the grants sent but
     * not seen as `pending`, never as `granted`. `applied` is true when the outcome is settled and
     * the catalog shows the whole change made.
     */
    const recoverAfterFailedChange = async (
        failed: GrantSession,
        config: TargetGrantsConfig,
        change: GrantChange,
        recorded: RecordedGrants,
        answered: boolean,
    ): Promise<{
        recorded: RecordedGrants;
        snapshot?: CatalogSnapshot;
        reason: string;
        applied: boolean;
    }> => {
        const toGrant = new Set(change.toGrant.map(pairKey));
        const before: RecordedGrants = {
            granted: [
                ...change.granted.filter((p) => !toGrant.has(pairKey(p))),
                ...change.toRevoke,
            ],
            preexisting: change.preexisting,
            pending: change.toGrant,
            columnGrants: recorded.columnGrants,
        };
        const nonTransactional =
            config.dialect === "postgres"
                ? "the connection was lost before the server answered, so the transaction may have committed"
                : "some privileges may have been granted/revoked before the failure (MySQL and Oracle " +
                  "GRANT/REVOKE are not transactional)";
        let fresh: GrantSession | undefined;
        try {
            fresh = await deps.openers[config.dialect](failed.connection, deps.sessionOptions);
            let settled = answered;
            if (!settled && failed.serverSessionId !== undefined && fresh.endServerSession) {
                settled = await fresh.endServerSession(failed.serverSessionId);
            }
            const snapshot = await fresh.readCatalog(targetOf(config), changeRead(config));
            const reconciled = reconcile(before, snapshot);
            const applied =
                settled &&
                change.toGrant.every((p) => snapshot.held.some((h) => pairKey(h) === pairKey(p))) &&
                stillHeld(change.toRevoke, snapshot).length === 0;
            if (settled) {
                return {
                    recorded: reconciled,
                    snapshot,
                    applied,
                    reason:
                        `${nonTransactional}; state records what the catalog shows now, and the ` +
                        "next `pulumi up` finishes the change",
                };
            }
            // The server may still be running the batch: grants not seen yet stay pending.
            const heldKeys = new Set(snapshot.held.map(pairKey));
            reconciled.pending = change.toGrant.filter((p) => !heldKeys.has(pairKey(p)));
            return {
                recorded: reconciled,
                snapshot,
                applied: false,
                reason:
                    `${nonTransactional}; state records what the catalog showed right after the ` +
                    "failure, and grants not seen yet as pending; the next `pulumi up` re-reads " +
                    "the catalog and converges",
            };
        } catch (readErr) {
            const why = readErr instanceof Error ? readErr.message : String(readErr);
            return {
                recorded: before,
                applied: false,
                reason:
                    `${nonTransactional}; the catalog could not be re-read on a new connection ` +
                    `(${why}), so state records no new grant as granted (the ones sent are ` +
                    "pending) and the next `pulumi up` re-reads the catalog and converges",
            };
        } finally {
            await fresh?.close();
        }
    };

    return {
        async configure() {
            // No provider configuration: every setting is a resource input.
        },

        async check(olds, news) {
            const failures = validateInputs(news);
            if (failures.isEmpty) logCreatePreview(olds, news);
            return { inputs: news, failures: failures.list };
        },

        async diff(_id, olds: TargetGrantsOutputs, news: TargetGrantsInputs) {
            const { replaces, changed } = compareForDiff(olds, news);
            const result = {
                changes: replaces.length > 0 || changed.length > 0,
                replaces,
                deleteBeforeReplace: replaces.length > 0,
            };
            logDiffPreview(olds, news, result);
            return result;
        },

        async create(inputs: TargetGrantsInputs) {
            const config = resolveConfig(inputs);
            const id = newResourceId("grants");
            const outs = await withSession(config, (session) =>
                converge(session, config, id, { granted: [], preexisting: [] }),
            );
            return { id, outs };
        },

        async read(id, props: TargetGrantsOutputs) {
            const config = configFromOutputs(props);
            return withSession(config, async (session) => {
                const snapshot = await session.readCatalog(targetOf(config));
                const recorded = reconcile(props, snapshot);
                return {
                    id,
                    props: {
                        ...outputsOf(config, props.defaultPrivilegeOwners, recorded, snapshot),
                    },
                };
            });
        },

        async update(id, olds: TargetGrantsOutputs, news: TargetGrantsInputs) {
            const config = resolveConfig(news);
            const server = targetIdentity(parsedConnection(config.connection));
            if (olds.server && server !== olds.server) {
                throw new Error(
                    `connection now points at ${server} instead of ${olds.server}: another server or ` +
                        "database needs a replacement, not an update",
                );
            }
            const outs = await withSession(config, (session) =>
                converge(session, config, id, olds),
            );
            return { outs };
        },

        async delete(_id, props: TargetGrantsOutputs) {
            const config = configFromOutputs(props);
            let session: GrantSession;
            try {
                session = await deps.openers[config.dialect](
                    parsedConnection(config.connection),
                    deps.sessionOptions,
                );
            } catch (err) {
                if (isGone(config.dialect, err)) return; // the database itself is gone
                throw err;
            }
            try {
                await revokeGranted(session, config, props);
            } finally {
                await session.close();
            }
        },
    };
}

/** The provider the package ships (see `lazyProvider` in src/providers/targetGrants/index.ts). */
export const provider: Required<pulumi.dynamic.ResourceProvider> = makeTargetGrantsProvider();

/**
 * Revokes what this resource granted and the grantee still holds (as each pair's grantor), grants
 * back the column privileges those REVOKEs remove, and checks afterwards that the pairs are gone.
 * Anything already gone (table, schema, user, the privilege itself) counts as revoked. A failure
 * throws: Pulumi then keeps the resource and its state, and the next run re-reads the catalog.
 */
async function revokeGranted(
    session: GrantSession,
    config: TargetGrantsConfig,
    props: RecordedGrants,
): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        // Revoking needs only the account's privilege rows (and, on PostgreSQL, table owners).
        const snapshot = await session.readCatalog(targetOf(config), {
            listTables: config.dialect !== "mysql" || (props.columnGrants ?? []).length > 0,
        });
        if (!snapshot.granteeExists) return;
        const recorded = reconcile(props, snapshot);
        const { granted } = recorded;
        const restoreColumns = columnsToRestore(granted, [], snapshot, recorded.columnGrants ?? []);
        if (granted.length === 0 && restoreColumns.length === 0) return;
        const { revokes } = renderChange(
            config,
            { toGrant: [], toRevoke: granted },
            {
                partialRevokes: session.partialRevokes,
                snapshot,
                restoreColumns,
            },
        );
        let after: CatalogSnapshot | undefined;
        try {
            after = await session.applyChange(revokes, [], targetOf(config));
        } catch (err) {
            const answered = serverAnswered(config.dialect, err);
            if (!answered) throw err; // outcome unknown: the next run re-reads the catalog
            if (config.dialect === "mysql" && !isRetriable("mysql", err)) {
                if (attempt >= MAX_CHANGE_ATTEMPTS) throw err;
                // The batch stopped at the failing statement; go one by one, skipping "gone".
                for (const statement of revokes) {
                    await session.applyChange([statement], []).catch((e: unknown) => {
                        if (!isGone("mysql", e)) throw e;
                    });
                }
                continue; // re-read: verify
            }
            if (config.dialect === "oracle" && errorCodes(err).errno === ORACLE_NOT_GRANTOR) {
                throw new Error(
                    `${errorText(err)}; ${revokeLeftMessage(config, granted, snapshot)}`,
                );
            }
            const refusal = revokeRefusal(config, granted, snapshot, err);
            if (refusal) throw refusal;
            // Rolled back (something vanished or a race): re-read and retry.
            const retry = isGone(config.dialect, err) || isRetriable(config.dialect, err);
            if (attempt >= MAX_CHANGE_ATTEMPTS || !retry) throw err;
            await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
            continue;
        }
        if (after) {
            const left = stillHeld(granted, after);
            if (left.length > 0) throw new Error(revokeLeftMessage(config, left, after));
            return;
        }
        if (config.dialect === "mysql" || restoreColumns.length === 0) return;
    }
}

/** Pairs of `pairs` the catalog still shows granted by their recorded grantor. */
function stillHeld(pairs: readonly GrantPair[], snapshot: CatalogSnapshot): GrantPair[] {
    if (pairs.length === 0) return [];
    const { granted } = reconcile({ granted: [...pairs], preexisting: [] }, snapshot);
    return granted;
}

function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** `"a", "b"` */
function names(list: Iterable<string>): string {
    return [...new Set(list)].map((n) => JSON.stringify(n)).join(", ");
}

/**
 * Why pairs are still held after REVOKE, and the fix: PostgreSQL and Oracle let only the grantor
 * revoke a grant (a PostgreSQL superuser revokes as the object's owner).
 */
function revokeLeftMessage(
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
    const rule =
        config.dialect === "oracle"
            ? "Oracle lets only the grantor revoke an object privilege (ORA-01927)"
            : "PostgreSQL REVOKE removes only the revoker's own grants";
    return (
        `the grantee still holds ${what}${more}, granted by ${names(grantors)}, and ${rule}; ` +
        `this connection runs as ${JSON.stringify(snapshot.currentUser)}. Fix: set \`connection\` ` +
        `to ${names(grantors)}` +
        (config.dialect === "postgres" ? " (or a member of it, or a superuser)" : "") +
        " and run again; the privileges stay recorded in state until they are revoked"
    );
}

function revokingGrantorName(pair: GrantPair, snapshot: CatalogSnapshot): string {
    const held = snapshot.held.find(
        (h) => pairKey(h) === pairKey(pair) && h.scope !== "database" && h.grantor,
    );
    return held?.grantor ?? "(unknown)";
}

/**
 * A PostgreSQL change the server refused because the connection cannot act as a recorded
 * grantor (`SET ROLE` denied): an error naming the grantors and the fix. Undefined for any other
 * error.
 */
function revokeRefusal(
    config: TargetGrantsConfig,
    revoked: readonly GrantPair[],
    snapshot: CatalogSnapshot,
    err: unknown,
): Error | undefined {
    if (config.dialect !== "postgres") return undefined;
    if (errorCodes(err).code === PG_DEPENDENT_PRIVILEGES_EXIST) {
        return dependentColumnGrantsRefusal(revoked, snapshot, err);
    }
    if (errorCodes(err).code !== PG_INSUFFICIENT_PRIVILEGE) return undefined;
    const others = revoked.filter((p) => p.grantor && p.grantor !== snapshot.currentUser);
    if (others.length === 0) return undefined;
    const grantors = names(others.map((p) => p.grantor as string));
    return new Error(
        `${errorText(err)}; TargetGrants must revoke the privileges granted by ${grantors} as ` +
            `that role (PostgreSQL REVOKE removes only the revoker's own grants), and this ` +
            `connection's role ${JSON.stringify(snapshot.currentUser)} cannot SET ROLE to it. Fix: ` +
            `set \`connection\` to ${grantors}, a member of it or a superuser, and run again; ` +
            "nothing was changed",
    );
}

/**
 * PostgreSQL refused a table-level REVOKE because it also removes the grantee's column
 * privileges of the same privilege and grantor, and the grantee holds one of them WITH GRANT
 * OPTION and has passed it on. Revoking with CASCADE would take the dependent grants away from
 * other roles, so the delete stops (nothing changed) and names the column privileges and the fix.
 */
function dependentColumnGrantsRefusal(
    revoked: readonly GrantPair[],
    snapshot: CatalogSnapshot,
    err: unknown,
): Error {
    const revokedTables = new Set(
        revoked.filter((p) => p.kind === "table").map((p) => `${p.object}\0${p.privilege}`),
    );
    const passedOn = (snapshot.columns ?? []).filter(
        (c) => c.grantable && revokedTables.has(`${c.table}\0${c.privilege}`),
    );
    const what =
        passedOn.length > 0
            ? passedOn
                  .slice(0, 5)
                  .map(
                      (c) =>
                          `${c.privilege} (${JSON.stringify(c.column)}) on ${JSON.stringify(c.table)}`,
                  )
                  .join(", ") + (passedOn.length > 5 ? ` and ${passedOn.length - 5} more` : "")
            : "a column privilege";
    return new Error(
        `${errorText(err)}: revoking the table-level privileges this resource granted also ` +
            `removes the grantee's column privileges ${what}, which it holds WITH GRANT OPTION ` +
            "and has granted on to other roles; PostgreSQL refuses that without CASCADE, and " +
            "TargetGrants never cascades into other roles' privileges. Nothing was changed and " +
            "the privileges stay recorded in state. Fix: revoke the grants the grantee made from " +
            "those columns (grant them again afterwards if they are still wanted), then run again",
    );
}

/** True when the server answered with an error meaning "lost a race; try again". */
function isRetriable(dialect: Dialect, err: unknown): boolean {
    const { code, errno } = errorCodes(err);
    if (dialect === "postgres") return pgRetriable(code, errorText(err));
    if (dialect === "mysql") return errno !== undefined && MYSQL_RETRIABLE_ERRNOS.has(errno);
    return false;
}

/** True when a driver error means the object (database, schema, table, role, grant) is gone. */
function isGone(dialect: Dialect, err: unknown): boolean {
    const { code, errno } = errorCodes(err);
    if (dialect === "postgres") return code !== undefined && PG_GONE_SQLSTATES.has(code);
    if (dialect === "mysql") return errno !== undefined && MYSQL_GONE_ERRNOS.has(errno);
    return false;
}

function parsedConnection(url: string): ParsedConnection {
    const parsed = parseConnection(url);
    if (!parsed.ok) throw new Error(`connection ${parsed.problems.join("; ")}`);
    return parsed.value;
}

/**
 * The catalog read of create and update. A MySQL `db.*` grant (tables omitted) is one row of
 * `mysql.db` whatever the table count, so these steps read only the account's privilege rows:
 * listing the tables costs about as much as the DBA's whole `GRANT … ON db.*` at 1,000 tables and
 * ten times it at 10,000. The cost is `coveredTables`, which such a grant leaves empty until the
 * next read (refresh) lists the tables.
 */
function changeRead(config: TargetGrantsConfig): CatalogReadOptions {
    return { listTables: listsTables(config) };
}

function listsTables(config: TargetGrantsConfig): boolean {
    return config.dialect !== "mysql" || config.tables !== null;
}

function targetOf(config: TargetGrantsConfig): GrantTarget {
    return { schema: config.schema, grantee: config.grantee, granteeHost: config.granteeHost };
}

const SCHEMA_WORD: Record<Dialect, string> = {
    postgres: "schema",
    mysql: "database",
    oracle: "owning schema (user)",
};

/** Refuses, before changing anything, when the schema, grantee or a listed table is missing. */
function assertReady(config: TargetGrantsConfig, snapshot: CatalogSnapshot): void {
    const problems: string[] = [];
    const server = targetIdentity(parsedConnection(config.connection));
    if (!snapshot.schemaExists) {
        problems.push(
            `${SCHEMA_WORD[config.dialect]} ${JSON.stringify(config.schema)} does not exist`,
        );
    }
    if (!snapshot.granteeExists) {
        const who =
            config.dialect === "mysql"
                ? `account ${JSON.stringify(config.grantee)}@${JSON.stringify(config.granteeHost)}`
                : `grantee ${JSON.stringify(config.grantee)}`;
        problems.push(
            `${who} does not exist; create it first (TargetGrants grants privileges, it does not create accounts)`,
        );
    }
    const missing = snapshot.schemaExists ? missingTables(config, snapshot) : [];
    if (missing.length > 0) {
        problems.push(
            `tables not found in ${SCHEMA_WORD[config.dialect]} ${JSON.stringify(config.schema)}: ` +
                missing.map((t) => JSON.stringify(t)).join(", ") +
                " (names are exact and case-sensitive" +
                (config.dialect === "oracle"
                    ? "; unquoted Oracle names are stored in upper case)"
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
            `TargetGrants cannot proceed on ${server}: ${problems.join("; ")}; nothing was changed${fix}`,
        );
    }
}

function outputsOf(
    config: TargetGrantsConfig,
    owners: string[],
    recorded: RecordedGrants,
    snapshot: CatalogSnapshot | undefined,
    /** False when `snapshot` was read without its table list (see {@link changeRead}). */
    tablesListed = true,
): TargetGrantsOutputs {
    return {
        connection: config.connection,
        dialect: config.dialect,
        grantee: config.grantee,
        granteeHost: config.granteeHost ?? null,
        schema: config.schema,
        tables: config.tables,
        privileges: config.privileges,
        defaultPrivileges: config.defaultPrivileges,
        defaultPrivilegesFor: config.defaultPrivilegesFor,
        server: targetIdentity(parsedConnection(config.connection)),
        defaultPrivilegeOwners: owners,
        granted: recorded.granted,
        preexisting: recorded.preexisting,
        pending: recorded.pending ?? [],
        missing: snapshot ? missingPairs(desiredGrants(config, snapshot).pairs, snapshot.held) : [],
        missingTables: snapshot && tablesListed ? missingTables(config, snapshot) : [],
        columnGrants: recorded.columnGrants ?? [],
        coveredTables: snapshot && tablesListed ? coveredTables(config, snapshot) : [],
        stateVersion: STATE_VERSION,
    };
}

/** The configuration recorded in state (version 1). */
function configFromOutputs(props: TargetGrantsOutputs): TargetGrantsConfig {
    if (props.stateVersion !== STATE_VERSION) {
        throw new Error(
            `TargetGrants state version ${String(props.stateVersion)} is not supported by this ` +
                `package version (expected ${STATE_VERSION}); upgrade pulumi-crdb-failback`,
        );
    }
    return {
        connection: props.connection,
        dialect: props.dialect,
        grantee: props.grantee,
        granteeHost: props.granteeHost ?? undefined,
        schema: props.schema,
        tables: props.tables ?? null,
        privileges: props.privileges,
        defaultPrivileges: props.defaultPrivileges,
        defaultPrivilegesFor: props.defaultPrivilegesFor ?? null,
    };
}

/**
 * Offline comparison of state with new inputs. Replaces: dialect, the server/database the
 * connection points at, grantee, granteeHost, schema. In place: a new password or user in the
 * connection, tables, privileges, defaultPrivileges(For), and drift recorded by the last read.
 */
export function compareForDiff(
    olds: TargetGrantsOutputs,
    news: TargetGrantsInputs,
): { replaces: string[]; changed: string[] } {
    const replaces: string[] = [];
    const changed: string[] = [];
    const connection = news.connection as unknown;

    let newDialect: Dialect | typeof UNKNOWN | undefined;
    if (news.dialect === UNKNOWN) newDialect = UNKNOWN;
    else if (news.dialect) newDialect = news.dialect as Dialect;
    else if (connection === UNKNOWN) newDialect = UNKNOWN;
    else if (typeof connection === "string") newDialect = dialectOfUrl(connection);
    if (newDialect !== olds.dialect) replaces.push("dialect");

    if (connection === UNKNOWN || typeof connection !== "string") {
        replaces.push("connection");
    } else {
        const parsed = parseConnection(connection);
        if (!parsed.ok || targetIdentity(parsed.value) !== olds.server) replaces.push("connection");
        else if (connection !== olds.connection) changed.push("connection");
    }
    if (news.grantee !== olds.grantee) replaces.push("grantee");
    const host = olds.dialect === "mysql" ? (news.granteeHost ?? "%") : (news.granteeHost ?? null);
    if (host !== olds.granteeHost) replaces.push("granteeHost");
    if (news.schema !== olds.schema) replaces.push("schema");

    const sameSet = (
        a: readonly string[] | null | undefined,
        b: readonly string[] | null | undefined,
    ) =>
        (a ?? null) === null || (b ?? null) === null
            ? (a ?? null) === (b ?? null)
            : new Set(a).size === new Set(b).size &&
              (a as string[]).every((x) => (b as string[]).includes(x));

    if (containsUnknown(news.tables) || !sameSet(news.tables ?? null, olds.tables))
        changed.push("tables");
    if (containsUnknown(news.privileges)) {
        changed.push("privileges");
    } else {
        const privileges = news.privileges?.map(normalizePrivilege) ?? null;
        // Omitted privileges mean the dialect defaults, which create recorded.
        if (privileges !== null && !sameSet(privileges, olds.privileges))
            changed.push("privileges");
        if (privileges === null && !sameSet(DEFAULT_PRIVILEGES[olds.dialect], olds.privileges)) {
            changed.push("privileges");
        }
    }
    if (olds.dialect === "postgres") {
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
