/**
 * The SQL a preview shows for TargetGrants (pure, offline), rendered by the dialect modules'
 * GRANT/REVOKE renderers. What needs the catalog — every table of the schema, the owners whose
 * future tables get default privileges, privileges the grantee already holds — is marked as
 * resolved at apply.
 */
import {
    describedStep,
    previewLoggers,
    noteResolvedAtApply,
    type PlannedStatement,
    RESOLVED_AT_APPLY,
    resolvedAtApply,
    UNKNOWN_TEXT,
} from "../kernel/previewSql";
import { UNKNOWN } from "../kernel/unknown";
import { quoteMysqlIdent } from "../targets/mysql";
import { oracleChangeBlock, quoteOracleIdent } from "../targets/oracle";
import { quotePgIdent } from "../targets/postgres";
import type { CatalogSnapshot, Dialect, GrantPair } from "../targets/types";
import { resolveConfig, type TargetGrantsConfig, type TargetGrantsInputs } from "./config";
import { dialectOfUrl, parseConnection, targetIdentity } from "./connection";
import { desiredGrants, planChange, renderChange } from "./plan";

/** The parts of TargetGrants state a preview reads (see `TargetGrantsOutputs`). */
export interface TargetGrantsPreviewState {
    connection: string;
    dialect: Dialect;
    grantee: string;
    granteeHost: string | null;
    schema: string;
    tables: string[] | null;
    server?: string;
    defaultPrivilegeOwners?: string[];
    granted: GrantPair[];
    preexisting: GrantPair[];
    coveredTables?: string[];
}

/** Stand-in names rendered by the dialect renderers, then replaced by readable placeholders. */
const EVERY_TABLE = "__preview_every_table__";
const TABLE_OWNERS = "__preview_table_owners__";

const ALREADY_HELD = noteResolvedAtApply("privileges the grantee already holds are skipped");

const CATALOG_READ: Record<Dialect, string> = {
    postgres:
        "one catalog query: the schema, the grantee, every table with its owner, and the privileges the grantee holds",
    mysql:
        "session set-up (sql_mode without NO_BACKSLASH_ESCAPES, lock_wait_timeout, SHOW VARIABLES LIKE 'partial_revokes'), " +
        "then one catalog query: the database, the account, its tables and the privileges the account holds",
    oracle: "one catalog query: the owner, the grantee, the owner's tables and the grantee's privileges on them",
};

/** `TargetGrants postgres://host:5432/db` (never the connection string). */
export function previewLabel(connection: unknown, fallbackServer?: string): string {
    if (typeof connection === "string" && connection !== UNKNOWN) {
        const parsed = parseConnection(connection);
        if (parsed.ok) return `TargetGrants ${targetIdentity(parsed.value)}`;
    }
    return `TargetGrants ${fallbackServer ?? UNKNOWN_TEXT}`;
}

/** A list input that is unknown as a whole becomes one unknown entry. */
function listOrUnknown(value: unknown): string[] | undefined {
    if (value === UNKNOWN) return [UNKNOWN];
    return Array.isArray(value) ? (value as string[]) : undefined;
}

/**
 * The configuration the inputs resolve to, tolerating unknown values; `undefined` when the
 * dialect cannot be known yet (connection unknown and no `dialect`).
 */
function previewConfig(inputs: TargetGrantsInputs): TargetGrantsConfig | undefined {
    const given = inputs.dialect === UNKNOWN ? undefined : inputs.dialect;
    const dialect =
        given ?? (inputs.connection === UNKNOWN ? undefined : dialectOfUrl(inputs.connection));
    if (!dialect) return undefined;
    const config = resolveConfig({
        ...inputs,
        dialect,
        tables: listOrUnknown(inputs.tables),
        privileges: listOrUnknown(inputs.privileges),
        defaultPrivileges:
            (inputs.defaultPrivileges as unknown) === UNKNOWN
                ? undefined
                : inputs.defaultPrivileges,
        defaultPrivilegesFor: listOrUnknown(inputs.defaultPrivilegesFor),
    });
    // normalizePrivilege upper-cased the sentinel; keep it recognisable as unknown.
    config.privileges = config.privileges.map((p) => (p === UNKNOWN.toUpperCase() ? UNKNOWN : p));
    return config;
}

/** A catalog with only the given tables and nothing held: what a plan assumes offline. */
function offlineSnapshot(tables: readonly string[]): CatalogSnapshot {
    return {
        schemaExists: true,
        granteeExists: true,
        currentUser: TABLE_OWNERS,
        tables: tables.map((name) => ({ name, owner: null, baseTable: true })),
        held: [],
    };
}

/** Swaps the stand-in names in a rendered statement for readable placeholders. */
function withPlaceholders(sql: string, config: TargetGrantsConfig): string {
    const replacements: [string, string][] = [];
    const scope = resolvedAtApply(
        `every table in ${config.schema === UNKNOWN ? UNKNOWN_TEXT : JSON.stringify(config.schema)}`,
    );
    const owners = resolvedAtApply("the connecting role and every owner of a table in the schema");
    if (config.dialect === "postgres") {
        replacements.push([`${quotePgIdent(config.schema)}.${quotePgIdent(EVERY_TABLE)}`, scope]);
        replacements.push([quotePgIdent(TABLE_OWNERS), owners]);
    } else if (config.dialect === "mysql") {
        replacements.push([
            `${quoteMysqlIdent(config.schema)}.${quoteMysqlIdent(EVERY_TABLE)}`,
            scope,
        ]);
    } else {
        replacements.push([
            `${quoteOracleIdent(config.schema)}.${quoteOracleIdent(EVERY_TABLE)}`,
            scope,
        ]);
    }
    return replacements.reduce((text, [from, to]) => text.split(from).join(to), sql);
}

/** Renders a change as statements: REVOKEs then GRANTs (Oracle: one PL/SQL block). */
function renderPlanned(
    config: TargetGrantsConfig,
    toGrant: GrantPair[],
    toRevoke: GrantPair[],
    revokeNote: string,
): PlannedStatement[] {
    const { revokes, grants } = renderChange(config, { toGrant, toRevoke });
    const fix = (sql: string) => withPlaceholders(sql, config);
    if (config.dialect === "oracle") {
        if (revokes.length + grants.length === 0) return [];
        return [
            {
                sql: fix(oracleChangeBlock(revokes, grants)),
                note: `one round trip; ${revokes.length > 0 ? `${revokeNote}; ` : ""}${ALREADY_HELD}`,
            },
        ];
    }
    const databaseGrant = (sql: string) =>
        config.dialect === "mysql" && /\.\* (TO|FROM) /.test(sql);
    const escaped = /[_%]/.test(config.schema)
        ? `; \`_\` and \`%\` in the database name are escaped unless partial_revokes is ON (${RESOLVED_AT_APPLY})`
        : "";
    return [
        ...revokes.map((sql) => ({
            sql: fix(sql),
            note: databaseGrant(sql) ? `${revokeNote}${escaped}` : revokeNote,
        })),
        ...grants.map((sql) => ({
            sql: fix(sql),
            note: databaseGrant(sql) ? `${ALREADY_HELD}${escaped}` : ALREADY_HELD,
        })),
    ];
}

/** The SQL `create` runs: read the catalog, then GRANT what the grantee does not hold yet. */
export function plannedCreateSql(inputs: TargetGrantsInputs): PlannedStatement[] {
    const config = previewConfig(inputs);
    if (!config) {
        return [
            describedStep(`GRANT statements in the dialect of the connection (${UNKNOWN_TEXT})`),
        ];
    }
    const tables = config.tables ?? [EVERY_TABLE];
    const desired = desiredGrants(config, offlineSnapshot(tables));
    return [
        describedStep(CATALOG_READ[config.dialect]),
        ...renderPlanned(config, desired.pairs, [], ""),
    ];
}

/**
 * The SQL `update` runs: REVOKE what this stack granted and is no longer wanted, GRANT what is
 * wanted and not held, judged from the grants recorded in state (the catalog is re-read at
 * apply). Empty when the grants do not change.
 */
export function plannedUpdateSql(
    olds: TargetGrantsPreviewState,
    news: TargetGrantsInputs,
): PlannedStatement[] {
    const config = previewConfig(news);
    if (!config) return [];
    const known = new Set<string>(config.tables ?? []);
    if (config.tables === null) {
        for (const p of [...olds.granted, ...olds.preexisting]) {
            if (p.kind === "table") known.add(p.object);
        }
        for (const t of olds.coveredTables ?? []) known.add(t);
    }
    const ownersFromCatalog =
        config.defaultPrivilegesFor === null &&
        config.defaultPrivileges &&
        (olds.defaultPrivilegeOwners ?? []).length > 0;
    const planConfig: TargetGrantsConfig = ownersFromCatalog
        ? { ...config, defaultPrivilegesFor: olds.defaultPrivilegeOwners ?? null }
        : config;
    const desired = desiredGrants(planConfig, offlineSnapshot([...known].sort()));
    const held = [...olds.granted, ...olds.preexisting];
    const change = planChange(olds.granted, desired.pairs, held);
    const statements = renderPlanned(
        config,
        change.toGrant,
        change.toRevoke,
        noteResolvedAtApply("granted by this stack and no longer wanted; skipped if already gone"),
    );
    if (statements.length === 0) return [];
    const steps: PlannedStatement[] = [describedStep(CATALOG_READ[config.dialect])];
    if (config.tables === null) {
        steps.push(
            describedStep(
                `tables created since the last refresh are granted too (${RESOLVED_AT_APPLY})`,
            ),
        );
    }
    if (ownersFromCatalog) {
        steps.push(
            describedStep(
                `default-privilege owners as recorded; owners of new tables are added (${RESOLVED_AT_APPLY})`,
            ),
        );
    }
    return [...steps, ...statements];
}

function secretsOf(connection: unknown): string[] {
    return typeof connection === "string" ? [connection] : [];
}

/** The hooks the provider calls from `check` and `diff`. */
export const { logCreatePreview, logDiffPreview } = previewLoggers<
    TargetGrantsInputs,
    TargetGrantsPreviewState
>({
    label: (news, olds) => previewLabel(news.connection, olds?.server),
    create: plannedCreateSql,
    update: plannedUpdateSql,
    replacement: () => [describedStep(REPLACEMENT_STEP)],
    secrets: (values) => secretsOf(values.connection),
});

const REPLACEMENT_STEP =
    "replacement: the current grants are revoked first (delete before replace), then:";
