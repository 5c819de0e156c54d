/**
 * The SQL a preview shows for TargetGrants (pure, offline): the steps `plan.ts` produces for the
 * inputs and the recorded state, printed as they are. What needs the catalog — every table of
 * the schema, the owners whose future tables get default privileges, privileges the grantee
 * already holds — is planned as resolved at apply and printed as a placeholder.
 */
import {
    describedStep,
    noteResolvedAtApply,
    type PlannedStatement,
    previewLoggers,
    RESOLVED_AT_APPLY,
    UNKNOWN_TEXT,
} from "../kernel/previewSql";
import { UNKNOWN } from "../kernel/unknown";
import { targetIdentity } from "../targets/connection";
import type { PlannedChange } from "../targets/dialect";
import type { PlannedName, PlannedPair } from "../targets/types";
import { checkTargetGrants, grantScope } from "./check";
import { EVERY_TABLE, changeSteps, planChange, plannedGrants, statementsOf } from "./plan";
import type { GrantScopeConfig, TargetGrantsInputs, TargetGrantsOutputs } from "./types";

/** The parts of TargetGrants state a preview reads. */
export type TargetGrantsPreviewState = Pick<
    TargetGrantsOutputs,
    | "connection"
    | "dialect"
    | "grantee"
    | "granteeHost"
    | "schema"
    | "tables"
    | "granted"
    | "preexisting"
> &
    Partial<Pick<TargetGrantsOutputs, "server" | "defaultPrivilegeOwners" | "coveredTables">>;

const ALREADY_HELD = noteResolvedAtApply("privileges the grantee already holds are skipped");

/** `TargetGrants postgres://host:5432/db` (never the connection string). */
function previewLabel(inputs: TargetGrantsInputs, fallbackServer?: string): string {
    const { connection } = checkTargetGrants(inputs);
    return `TargetGrants ${connection ? targetIdentity(connection) : (fallbackServer ?? UNKNOWN_TEXT)}`;
}

/** A list input that is unknown as a whole becomes one unknown entry. */
function listOrUnknown(value: unknown): string[] | undefined {
    if (value === UNKNOWN) return [UNKNOWN];
    return Array.isArray(value) ? (value as string[]) : undefined;
}

/**
 * The grant scope the inputs resolve to, tolerating unknown values; `undefined` when the
 * dialect cannot be known yet (connection unknown and no `dialect`).
 */
function previewScope(inputs: TargetGrantsInputs): GrantScopeConfig | undefined {
    const { dialect } = checkTargetGrants(inputs);
    if (!dialect) return undefined;
    return grantScope(
        {
            ...inputs,
            tables: listOrUnknown(inputs.tables),
            privileges: listOrUnknown(inputs.privileges),
            defaultPrivileges:
                (inputs.defaultPrivileges as unknown) === UNKNOWN
                    ? undefined
                    : inputs.defaultPrivileges,
            defaultPrivilegesFor: listOrUnknown(inputs.defaultPrivilegesFor),
        },
        dialect,
    );
}

/** Prints the steps of a change: each statement with its note, or the dialect's one block. */
function printSteps(
    scope: GrantScopeConfig,
    change: PlannedChange,
    revokeNote: string,
): PlannedStatement[] {
    const steps = changeSteps(
        scope,
        change,
        { partialRevokes: false },
        { revoke: revokeNote, grant: ALREADY_HELD },
    );
    const { asOneBlock } = scope.dialect;
    if (!asOneBlock) return steps.map((s) => ({ sql: s.sql, ...(s.note ? { note: s.note } : {}) }));
    if (steps.length === 0) return [];
    const { revokes, grants } = statementsOf(steps);
    return [
        {
            sql: asOneBlock(revokes, grants),
            note: `one round trip; ${revokes.length > 0 ? `${revokeNote}; ` : ""}${ALREADY_HELD}`,
        },
    ];
}

/** The SQL `create` runs: read the catalog, then GRANT what the grantee does not hold yet. */
export function plannedCreateSql(inputs: TargetGrantsInputs): PlannedStatement[] {
    const scope = previewScope(inputs);
    if (!scope) {
        return [
            describedStep(`GRANT statements in the dialect of the connection (${UNKNOWN_TEXT})`),
        ];
    }
    const schema = scope.schema === UNKNOWN ? UNKNOWN_TEXT : JSON.stringify(scope.schema);
    const tables: PlannedName[] = scope.tables ?? [EVERY_TABLE(schema)];
    return [
        describedStep(scope.dialect.catalogReadDescription),
        ...printSteps(scope, { toGrant: plannedGrants(scope, tables, null), toRevoke: [] }, ""),
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
    const scope = previewScope(news);
    if (!scope) return [];
    const known = new Set<string>(scope.tables ?? []);
    if (scope.tables === null) {
        for (const p of [...olds.granted, ...olds.preexisting]) {
            if (p.kind === "table") known.add(p.object);
        }
        for (const t of olds.coveredTables ?? []) known.add(t);
    }
    const recordedOwners = olds.defaultPrivilegeOwners ?? [];
    const ownersFromCatalog =
        scope.defaultPrivilegesFor === null && scope.defaultPrivileges && recordedOwners.length > 0;
    const desired = plannedGrants(
        scope,
        [...known].sort(),
        ownersFromCatalog ? recordedOwners : null,
    );
    const change = planChange<PlannedPair>(olds.granted, desired, [
        ...olds.granted,
        ...olds.preexisting,
    ]);
    const statements = printSteps(
        scope,
        change,
        noteResolvedAtApply("granted by this stack and no longer wanted; skipped if already gone"),
    );
    if (statements.length === 0) return [];
    const steps: PlannedStatement[] = [describedStep(scope.dialect.catalogReadDescription)];
    if (scope.tables === null) {
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
    label: (news, olds) => previewLabel(news, olds?.server),
    create: plannedCreateSql,
    update: plannedUpdateSql,
    replacement: () => [describedStep(REPLACEMENT_STEP)],
    secrets: (values) => secretsOf(values.connection),
});

const REPLACEMENT_STEP =
    "replacement: the current grants are revoked first (delete before replace), then:";
