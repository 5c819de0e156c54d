/**
 * TargetGrants lifecycle: grants the replicator's user the privileges it needs on the failback
 * target (PostgreSQL, MySQL/MariaDB, Oracle), records exactly what it added, and revokes exactly
 * that on delete. Planning is pure (`plan.ts`); this module only sequences catalog reads and
 * statement batches.
 */
import { logCreatePreview, logDiffPreview } from "./preview";
import type * as pulumi from "@pulumi/pulumi";
import { newResourceId } from "../common/ids";
import { PartialStateError } from "../common/partialState";
import { UNKNOWN, containsUnknown } from "../common/unknown";
import { MYSQL_GONE_ERRNOS } from "../dialects/mysql";
import { PG_GONE_SQLSTATES } from "../dialects/postgres";
import {
    type CatalogSnapshot,
    type Dialect,
    type GrantPair,
    type GrantTarget,
    pairKey,
} from "../dialects/types";
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
    coveredTables,
    desiredGrants,
    heldAfter,
    missingPairs,
    missingTables,
    planChange,
    reconcile,
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

    /** Grants/revokes `change`; a half-done non-transactional batch becomes a PartialStateError. */
    const apply = async (
        session: GrantSession,
        config: TargetGrantsConfig,
        id: string,
        change: GrantChange,
        owners: string[],
    ): Promise<void> => {
        const { revokes, grants } = renderChange(config, change, {
            partialRevokes: session.partialRevokes,
        });
        try {
            await session.applyChange(revokes, grants);
        } catch (err) {
            if (config.dialect === "postgres") throw err; // one transaction: nothing changed
            const { recorded, snapshot, reason } = await recoverAfterFailedChange(
                session,
                config,
                change,
                serverAnswered(config.dialect, err),
            );
            const message = err instanceof Error ? err.message : String(err);
            throw new PartialStateError(
                id,
                {
                    ...outputsOf(config, owners, recorded, snapshot, listsTables(config)),
                    missing: [],
                },
                [message, reason],
            );
        }
    };

    /**
     * After a MySQL/Oracle batch failed half-way, finds out what it changed. The session that ran
     * it may be dead (a lost connection), so the catalog is re-read on a NEW session (bounded by
     * the session timeouts). Unless the server answered the batch with an error (`answered`: it
     * stopped there), it may still be running it: on MySQL the new session first ends the old
     * connection on the server and waits until it is gone. Records only what is certain: pairs
     * this resource held before the change (dropped once the catalog shows them revoked), pairs
     * the re-read shows held, and — when the outcome could not be confirmed — the grants sent but
     * not seen as `pending`, never as `granted`.
     */
    const recoverAfterFailedChange = async (
        failed: GrantSession,
        config: TargetGrantsConfig,
        change: GrantChange,
        answered: boolean,
    ): Promise<{ recorded: RecordedGrants; snapshot?: CatalogSnapshot; reason: string }> => {
        const toGrant = new Set(change.toGrant.map(pairKey));
        const before: RecordedGrants = {
            granted: [
                ...change.granted.filter((p) => !toGrant.has(pairKey(p))),
                ...change.toRevoke,
            ],
            preexisting: change.preexisting,
            pending: change.toGrant,
        };
        const nonTransactional =
            "some privileges may have been granted/revoked before the failure (MySQL and Oracle " +
            "GRANT/REVOKE are not transactional)";
        let fresh: GrantSession | undefined;
        try {
            fresh = await deps.openers[config.dialect](failed.connection, deps.sessionOptions);
            let settled = answered;
            if (!settled && failed.serverSessionId !== undefined && fresh.endServerSession) {
                settled = await fresh.endServerSession(failed.serverSessionId);
            }
            const snapshot = await fresh.readCatalog(targetOf(config), changeRead(config));
            const recorded = reconcile(before, snapshot);
            if (settled) {
                return {
                    recorded,
                    snapshot,
                    reason:
                        `${nonTransactional}; state records what the catalog shows now, and the ` +
                        "next `pulumi up` finishes the change",
                };
            }
            // The server may still be running the batch: grants not seen yet stay pending.
            const heldKeys = new Set(snapshot.held.map(pairKey));
            recorded.pending = change.toGrant.filter((p) => !heldKeys.has(pairKey(p)));
            return {
                recorded,
                snapshot,
                reason:
                    `${nonTransactional}; state records what the catalog showed right after the ` +
                    "failure, and grants not seen yet as pending; the next `pulumi up` re-reads " +
                    "the catalog and converges",
            };
        } catch (readErr) {
            const why = readErr instanceof Error ? readErr.message : String(readErr);
            return {
                recorded: before,
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
            return withSession(config, async (session) => {
                const snapshot = await session.readCatalog(targetOf(config), changeRead(config));
                assertReady(config, snapshot);
                const desired = desiredGrants(config, snapshot);
                const change = planChange([], desired.pairs, snapshot.held);
                await apply(session, config, id, change, desired.defaultPrivilegeOwners);
                const after = { ...snapshot, held: heldAfter(snapshot.held, change) };
                return {
                    id,
                    outs: outputsOf(
                        config,
                        desired.defaultPrivilegeOwners,
                        change,
                        after,
                        listsTables(config),
                    ),
                };
            });
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
            return withSession(config, async (session) => {
                const snapshot = await session.readCatalog(targetOf(config), changeRead(config));
                assertReady(config, snapshot);
                const recorded = reconcile(olds, snapshot);
                const desired = desiredGrants(config, snapshot);
                const change = planChange(recorded.granted, desired.pairs, snapshot.held);
                await apply(session, config, id, change, desired.defaultPrivilegeOwners);
                const after = { ...snapshot, held: heldAfter(snapshot.held, change) };
                return {
                    outs: outputsOf(
                        config,
                        desired.defaultPrivilegeOwners,
                        change,
                        after,
                        listsTables(config),
                    ),
                };
            });
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
 * Revokes what this resource granted and the grantee still holds. Anything already gone (table,
 * schema, user, the privilege itself) counts as revoked.
 */
async function revokeGranted(
    session: GrantSession,
    config: TargetGrantsConfig,
    props: RecordedGrants,
): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        // Revoking needs only the account's privilege rows (and, on PostgreSQL, table owners).
        const snapshot = await session.readCatalog(targetOf(config), {
            listTables: config.dialect !== "mysql",
        });
        if (!snapshot.granteeExists) return;
        const { granted } = reconcile(props, snapshot);
        if (granted.length === 0) return;
        const { revokes } = renderChange(
            config,
            { toGrant: [], toRevoke: granted },
            { partialRevokes: session.partialRevokes },
        );
        try {
            await session.applyChange(revokes, []);
            return;
        } catch (err) {
            if (config.dialect === "mysql") {
                // The batch stopped at the failing statement; go one by one, skipping "gone".
                for (const statement of revokes) {
                    await session.applyChange([statement], []).catch((e: unknown) => {
                        if (!isGone("mysql", e)) throw e;
                    });
                }
                return;
            }
            // PostgreSQL rolled back (something vanished meanwhile): re-read and retry.
            if (attempt >= 3 || !isGone(config.dialect, err)) throw err;
        }
    }
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
        throw new Error(
            `TargetGrants cannot proceed on ${server}: ${problems.join("; ")}; nothing was changed`,
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
    if ((olds.pending ?? []).length > 0) changed.push("pending");
    if (olds.stateVersion !== STATE_VERSION) changed.push("stateVersion");
    return { replaces, changed };
}
