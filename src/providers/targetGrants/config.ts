/**
 * TargetGrants inputs: offline validation (every problem at once, for `check`) and resolution of
 * defaults into the configuration the lifecycle methods work from.
 */
import { CheckFailures } from "../kernel/checkFailures";
import { UNKNOWN, containsUnknown } from "../kernel/unknown";
import { MYSQL_TABLE_PRIVILEGES, mysqlIdentifierProblem } from "../targets/mysql";
import { ORACLE_TABLE_PRIVILEGES, oracleIdentifierProblem } from "../targets/oracle";
import { PG_TABLE_PRIVILEGES, pgIdentifierProblem } from "../targets/postgres";
import { DIALECTS, type Dialect } from "../targets/types";
import { CONNECTION_SHAPES, dialectOfUrl, parameterProblems, parseConnection } from "./connection";

/** The inputs as the provider receives them (secrets in plaintext). */
export interface TargetGrantsInputs {
    connection: string;
    dialect?: string;
    grantee: string;
    granteeHost?: string;
    schema: string;
    tables?: string[];
    privileges?: string[];
    defaultPrivileges?: boolean;
    defaultPrivilegesFor?: string[];
}

/** Inputs with every default applied. */
export interface TargetGrantsConfig {
    connection: string;
    dialect: Dialect;
    grantee: string;
    /** MySQL only (`%` by default); undefined elsewhere. */
    granteeHost: string | undefined;
    schema: string;
    /** null: every table of the schema. */
    tables: string[] | null;
    /** Table privileges, upper-case, in the order given. */
    privileges: string[];
    /** PostgreSQL only; false elsewhere. */
    defaultPrivileges: boolean;
    /** Owners named explicitly for default privileges; null: resolved from the catalog. */
    defaultPrivilegesFor: string[] | null;
}

/** Default table privileges per dialect: what the replicator's apply statements need. */
export const DEFAULT_PRIVILEGES: Record<Dialect, readonly string[]> = {
    postgres: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    mysql: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    oracle: ["SELECT", "INSERT", "UPDATE", "DELETE", "FLASHBACK"],
};

/** Table privileges each dialect accepts. */
export const ALLOWED_PRIVILEGES: Record<Dialect, readonly string[]> = {
    postgres: PG_TABLE_PRIVILEGES,
    mysql: MYSQL_TABLE_PRIVILEGES,
    oracle: ORACLE_TABLE_PRIVILEGES,
};

const DIALECT_LABEL: Record<Dialect, string> = {
    postgres: "PostgreSQL",
    mysql: "MySQL/MariaDB",
    oracle: "Oracle",
};

const IDENTIFIER_PROBLEM: Record<Dialect, (name: string) => string | undefined> = {
    postgres: pgIdentifierProblem,
    mysql: mysqlIdentifierProblem,
    oracle: oracleIdentifierProblem,
};

/** Upper-cases a privilege and collapses inner whitespace (`create  view` → `CREATE VIEW`). */
export function normalizePrivilege(privilege: string): string {
    return privilege.trim().replace(/\s+/g, " ").toUpperCase();
}

const isUnknown = (value: unknown) => containsUnknown(value);

/** Validates `inputs` offline and returns every problem found. */
export function validateInputs(
    inputs: Partial<Record<keyof TargetGrantsInputs, unknown>>,
): CheckFailures {
    const failures = new CheckFailures();
    const dialect = validateDialect(inputs, failures);
    validateName(
        inputs.grantee,
        "grantee",
        "the role/user the replicator connects as",
        dialect,
        failures,
    );
    validateName(
        inputs.schema,
        "schema",
        "the PostgreSQL schema, MySQL database or Oracle owning schema of the tables",
        dialect,
        failures,
    );
    validateGranteeHost(inputs.granteeHost, dialect, failures);
    validateTables(inputs.tables, dialect, failures);
    validatePrivileges(inputs.privileges, dialect, failures);
    validateDefaultPrivileges(inputs, dialect, failures);
    return failures;
}

/** Checks `connection` and `dialect`; returns the dialect when it can be known offline. */
function validateDialect(
    inputs: Partial<Record<keyof TargetGrantsInputs, unknown>>,
    failures: CheckFailures,
): Dialect | undefined {
    const { connection, dialect } = inputs;
    let urlDialect: Dialect | undefined;
    if (connection === undefined || connection === null || connection === "") {
        failures.addSecret(
            "connection",
            `is required: the admin connection URL of the target database (${CONNECTION_SHAPES})`,
        );
    } else if (typeof connection !== "string") {
        failures.addSecret("connection", `must be a URL string (${CONNECTION_SHAPES})`);
    } else if (connection !== UNKNOWN) {
        const parsed = parseConnection(connection);
        if (parsed.ok) {
            urlDialect = parsed.value.dialect;
            for (const problem of parameterProblems(parsed.value)) {
                failures.addSecret("connection", problem);
            }
        } else for (const problem of parsed.problems) failures.addSecret("connection", problem);
        urlDialect ??= dialectOfUrl(connection);
    }
    if (dialect === undefined || dialect === null || dialect === UNKNOWN) return urlDialect;
    if (typeof dialect !== "string" || !(DIALECTS as readonly string[]).includes(dialect)) {
        failures.add(
            "dialect",
            `must be "postgres", "mysql" or "oracle"; got ${JSON.stringify(dialect)}`,
        );
        return urlDialect;
    }
    const given = dialect as Dialect;
    if (urlDialect && urlDialect !== given) {
        failures.add(
            "dialect",
            `is "${given}" but connection is a ${urlDialect} URL; remove dialect (it is inferred ` +
                "from the URL scheme) or make the two agree",
        );
    }
    return given;
}

function validateName(
    value: unknown,
    property: string,
    meaning: string,
    dialect: Dialect | undefined,
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
        property === "grantee" && dialect === "mysql"
            ? mysqlUserProblem(value)
            : IDENTIFIER_PROBLEM[dialect](value);
    if (problem) failures.add(property, `${JSON.stringify(value)} ${problem}`);
}

/** MySQL user names: MariaDB allows 80 characters, MySQL 8 allows 32 (the server enforces that). */
function mysqlUserProblem(name: string): string | undefined {
    if (name.includes("\0")) return "must not contain a NUL character";
    if ([...name].length > 80) return "is longer than 80 characters";
    return undefined;
}

function validateGranteeHost(
    value: unknown,
    dialect: Dialect | undefined,
    failures: CheckFailures,
): void {
    if (value === undefined || value === null || value === UNKNOWN) return;
    if (dialect && dialect !== "mysql") {
        failures.add(
            "granteeHost",
            `only applies to MySQL/MariaDB accounts (dialect is "${dialect}"); remove it`,
        );
        return;
    }
    if (typeof value !== "string" || value.length === 0) {
        failures.add("granteeHost", 'must be a non-empty string; use "%" for any host');
    } else if (value.includes("\0")) {
        failures.add("granteeHost", "must not contain a NUL character");
    }
}

function validateTables(
    value: unknown,
    dialect: Dialect | undefined,
    failures: CheckFailures,
): void {
    if (value === undefined || value === null) {
        if (dialect === "oracle") {
            failures.add(
                "tables",
                "is required for Oracle: list the tables to grant on (Oracle has no schema-wide " +
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
            dialect === "oracle"
                ? "must list at least one table"
                : "must not be empty; omit tables to grant on every table in the schema",
        );
        return;
    }
    validateNameList(value, "tables", "table name", dialect, failures);
}

function validateNameList(
    value: unknown[],
    property: string,
    what: string,
    dialect: Dialect | undefined,
    failures: CheckFailures,
): void {
    const seen = new Set<string>();
    value.forEach((entry, index) => {
        if (isUnknown(entry)) return;
        if (typeof entry !== "string" || entry.length === 0) {
            failures.add(property, `entry ${index} must be a non-empty ${what}`);
            return;
        }
        const problem = dialect ? IDENTIFIER_PROBLEM[dialect](entry) : undefined;
        if (problem) failures.add(property, `entry ${index} ${JSON.stringify(entry)} ${problem}`);
        if (seen.has(entry))
            failures.add(property, `lists ${JSON.stringify(entry)} more than once`);
        seen.add(entry);
    });
}

function validatePrivileges(
    value: unknown,
    dialect: Dialect | undefined,
    failures: CheckFailures,
): void {
    if (value === undefined || value === null || value === UNKNOWN) return;
    if (!Array.isArray(value)) {
        failures.add("privileges", "must be a list of privilege names");
        return;
    }
    if (value.length === 0) {
        const defaults = dialect ? ` (${DEFAULT_PRIVILEGES[dialect].join(", ")})` : "";
        failures.add(
            "privileges",
            `must not be empty; omit privileges for the defaults${defaults}`,
        );
        return;
    }
    const seen = new Set<string>();
    value.forEach((entry, index) => {
        if (isUnknown(entry)) return;
        if (typeof entry !== "string" || entry.trim().length === 0) {
            failures.add("privileges", `entry ${index} must be a non-empty privilege name`);
            return;
        }
        const privilege = normalizePrivilege(entry);
        if (dialect && !ALLOWED_PRIVILEGES[dialect].includes(privilege)) {
            failures.add(
                "privileges",
                `${JSON.stringify(entry)} is not a ${DIALECT_LABEL[dialect]} table privilege; ` +
                    `allowed: ${ALLOWED_PRIVILEGES[dialect].join(", ")}`,
            );
        }
        if (seen.has(privilege)) failures.add("privileges", `lists ${privilege} more than once`);
        seen.add(privilege);
    });
}

function validateDefaultPrivileges(
    inputs: Partial<Record<keyof TargetGrantsInputs, unknown>>,
    dialect: Dialect | undefined,
    failures: CheckFailures,
): void {
    const { defaultPrivileges, defaultPrivilegesFor } = inputs;
    const notPostgres = dialect !== undefined && dialect !== "postgres";
    if (
        defaultPrivileges !== undefined &&
        defaultPrivileges !== null &&
        defaultPrivileges !== UNKNOWN
    ) {
        if (notPostgres) {
            failures.add(
                "defaultPrivileges",
                `only applies to PostgreSQL (dialect is "${dialect}"); remove it` +
                    (dialect === "mysql"
                        ? " (with tables omitted, the db.* grant already covers tables created later)"
                        : ""),
            );
        } else if (typeof defaultPrivileges !== "boolean") {
            failures.add("defaultPrivileges", "must be true or false");
        }
    }
    if (
        defaultPrivilegesFor === undefined ||
        defaultPrivilegesFor === null ||
        defaultPrivilegesFor === UNKNOWN
    ) {
        return;
    }
    if (notPostgres) {
        failures.add(
            "defaultPrivilegesFor",
            `only applies to PostgreSQL (dialect is "${dialect}"); remove it`,
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
    validateNameList(
        defaultPrivilegesFor,
        "defaultPrivilegesFor",
        "role name",
        "postgres",
        failures,
    );
}

/**
 * Applies defaults. Throws (with every problem) when the inputs are invalid, which `check`
 * normally reports first.
 */
export function resolveConfig(inputs: TargetGrantsInputs): TargetGrantsConfig {
    const failures = validateInputs(inputs);
    if (!failures.isEmpty) {
        throw new Error(
            "invalid TargetGrants inputs: " +
                failures.list
                    .map((f) => (f.property ? `${f.property} ${f.reason}` : f.reason))
                    .join("; "),
        );
    }
    const dialect = (inputs.dialect as Dialect | undefined) ?? dialectOfUrl(inputs.connection);
    if (!dialect)
        throw new Error("invalid TargetGrants inputs: connection: unsupported URL scheme");
    const tables = inputs.tables ? [...inputs.tables] : null;
    const privileges = (inputs.privileges ?? DEFAULT_PRIVILEGES[dialect]).map(normalizePrivilege);
    const defaultPrivileges =
        dialect === "postgres"
            ? (inputs.defaultPrivileges ??
              (tables === null || inputs.defaultPrivilegesFor !== undefined))
            : false;
    return {
        connection: inputs.connection,
        dialect,
        grantee: inputs.grantee,
        granteeHost: dialect === "mysql" ? (inputs.granteeHost ?? "%") : undefined,
        schema: inputs.schema,
        tables,
        privileges,
        defaultPrivileges,
        defaultPrivilegesFor:
            dialect === "postgres" && defaultPrivileges && inputs.defaultPrivilegesFor
                ? [...inputs.defaultPrivilegesFor]
                : null,
    };
}
