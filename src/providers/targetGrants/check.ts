/**
 * TargetGrants inputs, checked offline in one pass: every problem at once (for `check` and for
 * components that embed TargetGrants), and the parsed configuration every lifecycle method works
 * from. The connection URL is parsed here and nowhere else.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN, containsUnknown } from "../kernel/unknown";
import {
    DIALECT_NAMES,
    type TargetDialect,
    dialectOfScheme,
    requireDialect,
    targetDialect,
} from "../targets";
import {
    CONNECTION_SHAPES,
    type ParsedConnection,
    parameterProblems,
    parseConnection,
} from "../targets/connection";
import type {
    GrantScopeConfig,
    TargetGrantsConfig,
    TargetGrantsInputs,
    TargetGrantsOutputs,
} from "./types";

/** Inputs as the engine may send them: any value, possibly unknown during preview. */
export type RawInputs = Partial<Record<keyof TargetGrantsInputs, unknown>>;

/** The result of checking inputs once: the problems, and what could be parsed. */
export interface CheckedInputs {
    failures: pulumi.dynamic.CheckFailure[];
    /** The dialect, when it can be known offline (from `dialect` or the URL scheme). */
    dialect?: TargetDialect;
    /** The parsed connection, when it is known and valid. */
    connection?: ParsedConnection;
}

/** Upper-cases a privilege and collapses inner whitespace (`create  view` → `CREATE VIEW`). */
export function normalizePrivilege(privilege: string): string {
    return privilege.trim().replace(/\s+/g, " ").toUpperCase();
}

const checked = new WeakMap<object, CheckedInputs>();

/**
 * Checks `inputs` offline: every problem, the dialect and the parsed connection. The result is
 * kept per inputs object, so the preview of the same inputs reuses it instead of parsing again.
 */
export function checkTargetGrants(inputs: RawInputs): CheckedInputs {
    const known = checked.get(inputs);
    if (known) return known;
    const failures = new CheckFailures();
    const { dialect, connection } = checkDialect(inputs, failures);
    checkName(
        inputs.grantee,
        "grantee",
        "the role/user the replicator connects as",
        dialect,
        failures,
    );
    checkName(
        inputs.schema,
        "schema",
        "the PostgreSQL schema, MySQL database or Oracle owning schema of the tables",
        dialect,
        failures,
    );
    checkGranteeHost(inputs.granteeHost, dialect, failures);
    checkTables(inputs.tables, dialect, failures);
    checkPrivileges(inputs.privileges, dialect, failures);
    checkDefaultPrivileges(inputs, dialect, failures);
    const result: CheckedInputs = { failures: failures.list, dialect, connection };
    checked.set(inputs, result);
    return result;
}

/** Every problem of `inputs` (pure, never throws): the validator components use. */
export function targetGrantsProblems(inputs: RawInputs): pulumi.dynamic.CheckFailure[] {
    return checkTargetGrants(inputs).failures;
}

/**
 * The parsed configuration of valid inputs. Throws (with every problem) when the inputs are
 * invalid, which `check` normally reports first.
 */
export function parseTargetGrants(inputs: TargetGrantsInputs): TargetGrantsConfig {
    const { failures, dialect, connection } = checkTargetGrants(inputs);
    if (failures.length > 0 || !dialect || !connection) {
        throw new Error(
            "invalid TargetGrants inputs: " +
                failures
                    .map((f) => (f.property ? `${f.property} ${f.reason}` : f.reason))
                    .join("; "),
        );
    }
    return { ...grantScope(inputs, dialect), connection };
}

/**
 * The grant scope of `inputs` with every default applied; values the engine does not know yet
 * pass through as they are (preview).
 */
export function grantScope(inputs: TargetGrantsInputs, dialect: TargetDialect): GrantScopeConfig {
    const tables = inputs.tables ? [...inputs.tables] : null;
    const privileges = (inputs.privileges ?? dialect.defaultPrivileges).map((p) =>
        p === UNKNOWN ? p : normalizePrivilege(p),
    );
    const defaultPrivileges =
        dialect.scope.defaultPrivileges &&
        (inputs.defaultPrivileges ??
            (tables === null || inputs.defaultPrivilegesFor !== undefined));
    return {
        dialect,
        grantee: inputs.grantee,
        granteeHost: dialect.accountHost ? (inputs.granteeHost ?? "%") : undefined,
        schema: inputs.schema,
        tables,
        privileges,
        defaultPrivileges,
        defaultPrivilegesFor:
            defaultPrivileges && inputs.defaultPrivilegesFor
                ? [...inputs.defaultPrivilegesFor]
                : null,
    };
}

/** The configuration recorded in state (read through the state versioning). */
export function configFromState(props: TargetGrantsOutputs): TargetGrantsConfig {
    const parsed = parseConnection(props.connection);
    if (!parsed.ok) throw new Error(`connection in state ${parsed.problems.join("; ")}`);
    return {
        connection: parsed.value,
        dialect: requireDialect(props.dialect),
        grantee: props.grantee,
        granteeHost: props.granteeHost ?? undefined,
        schema: props.schema,
        tables: props.tables ?? null,
        privileges: props.privileges,
        defaultPrivileges: props.defaultPrivileges,
        defaultPrivilegesFor: props.defaultPrivilegesFor ?? null,
    };
}

/** Checks `connection` and `dialect`; returns the dialect when it can be known offline. */
function checkDialect(
    inputs: RawInputs,
    failures: CheckFailures,
): { dialect?: TargetDialect; connection?: ParsedConnection } {
    const { connection: url, dialect: name } = inputs;
    let connection: ParsedConnection | undefined;
    let urlDialect: TargetDialect | undefined;
    if (url === undefined || url === null || url === "") {
        failures.addSecret(
            "connection",
            `is required: the admin connection URL of the target database (${CONNECTION_SHAPES})`,
        );
    } else if (typeof url !== "string") {
        failures.addSecret("connection", `must be a URL string (${CONNECTION_SHAPES})`);
    } else if (url !== UNKNOWN) {
        const parsed = parseConnection(url);
        if (parsed.ok) {
            for (const problem of parameterProblems(parsed.value)) {
                failures.addSecret("connection", problem);
            }
            connection = parsed.value;
            urlDialect = parsed.value.dialect;
        } else for (const problem of parsed.problems) failures.addSecret("connection", problem);
        urlDialect ??= dialectOfScheme(url);
    }
    if (name === undefined || name === null || name === UNKNOWN) {
        return { dialect: urlDialect, connection };
    }
    const given = targetDialect(name);
    if (!given) {
        failures.add(
            "dialect",
            `must be ${DIALECT_NAMES.map((n) => `"${n}"`)
                .join(", ")
                .replace(/, ([^,]*)$/, " or $1")}; got ${JSON.stringify(name)}`,
        );
        return { dialect: urlDialect, connection };
    }
    if (urlDialect && urlDialect !== given) {
        failures.add(
            "dialect",
            `is "${given.name}" but connection is a ${urlDialect.name} URL; remove dialect (it is inferred ` +
                "from the URL scheme) or make the two agree",
        );
    }
    return { dialect: given, connection };
}

function checkName(
    value: unknown,
    property: "grantee" | "schema",
    meaning: string,
    dialect: TargetDialect | undefined,
    failures: CheckFailures,
): void {
    if (value === UNKNOWN) return;
    if (value === undefined || value === null || value === "") {
        failures.add(property, `is required: ${meaning}`);
        return;
    }
    if (typeof value !== "string") {
        failures.add(property, `must be a string: ${meaning}`);
        return;
    }
    if (!dialect) return;
    const problem =
        property === "grantee" ? dialect.granteeProblem(value) : dialect.identifierProblem(value);
    if (problem) failures.add(property, `${JSON.stringify(value)} ${problem}`);
}

function checkGranteeHost(
    value: unknown,
    dialect: TargetDialect | undefined,
    failures: CheckFailures,
): void {
    if (value === undefined || value === null || value === UNKNOWN) return;
    if (dialect && !dialect.accountHost) {
        failures.add(
            "granteeHost",
            `only applies to MySQL/MariaDB accounts (dialect is "${dialect.name}"); remove it`,
        );
        return;
    }
    if (typeof value !== "string" || value.length === 0) {
        failures.add("granteeHost", 'must be a non-empty string; use "%" for any host');
    } else if (value.includes("\0")) {
        failures.add("granteeHost", "must not contain a NUL character");
    }
}

function checkTables(
    value: unknown,
    dialect: TargetDialect | undefined,
    failures: CheckFailures,
): void {
    const required = dialect?.scope.tablesRequired === true;
    if (value === undefined || value === null) {
        if (required) {
            failures.add(
                "tables",
                `is required for ${dialect?.label}: list the tables to grant on (${dialect?.label} has no schema-wide ` +
                    "object grant); give each name in its stored case, usually upper case",
            );
        }
        return;
    }
    if (value === UNKNOWN) return;
    if (!Array.isArray(value)) {
        failures.add("tables", "must be a list of table names");
        return;
    }
    if (value.length === 0) {
        failures.add(
            "tables",
            required
                ? "must list at least one table"
                : "must not be empty; omit tables to grant on every table in the schema",
        );
        return;
    }
    checkNameList(value, "tables", "table name", dialect, failures);
}

function checkNameList(
    value: unknown[],
    property: string,
    what: string,
    dialect: TargetDialect | undefined,
    failures: CheckFailures,
): void {
    const seen = new Set<string>();
    value.forEach((entry, index) => {
        if (containsUnknown(entry)) return;
        if (typeof entry !== "string" || entry.length === 0) {
            failures.add(property, `entry ${index} must be a non-empty ${what}`);
            return;
        }
        const problem = dialect?.identifierProblem(entry);
        if (problem) failures.add(property, `entry ${index} ${JSON.stringify(entry)} ${problem}`);
        if (seen.has(entry))
            failures.add(property, `lists ${JSON.stringify(entry)} more than once`);
        seen.add(entry);
    });
}

function checkPrivileges(
    value: unknown,
    dialect: TargetDialect | undefined,
    failures: CheckFailures,
): void {
    if (value === undefined || value === null || value === UNKNOWN) return;
    if (!Array.isArray(value)) {
        failures.add("privileges", "must be a list of privilege names");
        return;
    }
    if (value.length === 0) {
        const defaults = dialect ? ` (${dialect.defaultPrivileges.join(", ")})` : "";
        failures.add(
            "privileges",
            `must not be empty; omit privileges for the defaults${defaults}`,
        );
        return;
    }
    const seen = new Set<string>();
    value.forEach((entry, index) => {
        if (containsUnknown(entry)) return;
        if (typeof entry !== "string" || entry.trim().length === 0) {
            failures.add("privileges", `entry ${index} must be a non-empty privilege name`);
            return;
        }
        const privilege = normalizePrivilege(entry);
        const accepted = (known: readonly string[]) => known.includes(privilege);
        if (dialect && !accepted(dialect.tablePrivileges) && !accepted(dialect.laterPrivileges)) {
            failures.add(
                "privileges",
                `${JSON.stringify(entry)} is not a ${dialect.label} table privilege; ` +
                    `allowed: ${dialect.tablePrivileges.join(", ")}` +
                    (dialect.laterPrivileges.length > 0
                        ? `; on servers new enough for them, also ${dialect.laterPrivileges.join(", ")}`
                        : ""),
            );
        }
        if (seen.has(privilege)) failures.add("privileges", `lists ${privilege} more than once`);
        seen.add(privilege);
    });
}

function checkDefaultPrivileges(
    inputs: RawInputs,
    dialect: TargetDialect | undefined,
    failures: CheckFailures,
): void {
    const { defaultPrivileges, defaultPrivilegesFor } = inputs;
    const unsupported = dialect !== undefined && !dialect.scope.defaultPrivileges;
    const given = (v: unknown) => v !== undefined && v !== null && v !== UNKNOWN;
    if (given(defaultPrivileges)) {
        if (unsupported) {
            failures.add(
                "defaultPrivileges",
                `only applies to PostgreSQL (dialect is "${dialect.name}"); remove it` +
                    (dialect.scope.wholeDatabase
                        ? " (with tables omitted, the db.* grant already covers tables created later)"
                        : ""),
            );
        } else if (typeof defaultPrivileges !== "boolean") {
            failures.add("defaultPrivileges", "must be true or false");
        }
    }
    if (!given(defaultPrivilegesFor)) return;
    if (unsupported) {
        failures.add(
            "defaultPrivilegesFor",
            `only applies to PostgreSQL (dialect is "${dialect.name}"); remove it`,
        );
        return;
    }
    if (!Array.isArray(defaultPrivilegesFor)) {
        failures.add("defaultPrivilegesFor", "must be a list of role names");
        return;
    }
    if (defaultPrivileges === false) {
        failures.add(
            "defaultPrivilegesFor",
            "is set but defaultPrivileges is false; remove defaultPrivilegesFor or set defaultPrivileges to true",
        );
    }
    if (defaultPrivilegesFor.length === 0) {
        failures.add(
            "defaultPrivilegesFor",
            "must not be empty; omit it to use the connecting role and every current table owner",
        );
        return;
    }
    checkNameList(defaultPrivilegesFor, "defaultPrivilegesFor", "role name", dialect, failures);
}
