/**
 * Cluster settings: the registry (types, defaults, classes — reference §6.8) and the store
 * behind `SHOW/SET/RESET CLUSTER SETTING` and `SHOW [ALL] CLUSTER SETTINGS` (§6.9), with
 * CockroachDB's checks in its order: lookup, privilege, virtual-cluster class, value typing,
 * transaction (pkg/sql/set_cluster_setting.go).
 */
import { CockroachError, SQLSTATE, uncategorized } from "./errors";
import {
    describeInterval,
    formatGoDuration,
    formatSqlInterval,
    parseSqlInterval,
} from "./durations";
import { OID, type ResultSet, textColumn } from "./results";

/** pgcode.UndefinedParameter, CockroachDB's code for an unknown setting in SET CLUSTER SETTING. */
const UNDEFINED_PARAMETER = "42P02";

/** `setting_type` letters of SHOW CLUSTER SETTINGS. */
export type SettingType = "b" | "i" | "d" | "e" | "s";
/** Where a setting lives (cockroach settings.Class). */
export type SettingClass = "system-only" | "system-visible" | "application";
type SettingValue = boolean | bigint | string;

interface SettingDefinition {
    name: string;
    type: SettingType;
    defaultValue: SettingValue;
    settingClass: SettingClass;
    isPublic: boolean;
    description: string;
    enumValues?: readonly string[];
    /** Validation beyond the type; returns CockroachDB's error text. */
    validate?: (value: SettingValue) => string | undefined;
}

const SECOND = 1_000_000_000n;
const nonNegativeDuration = (value: SettingValue) =>
    typeof value === "bigint" && value < 0n
        ? `cannot be set to a negative duration: ${formatGoDuration(value)}`
        : undefined;
const positiveInt = (value: SettingValue) =>
    typeof value === "bigint" && value <= 0n
        ? `cannot be set to a non-positive value: ${value}`
        : undefined;

const DEFINITIONS: readonly SettingDefinition[] = [
    {
        name: "kv.rangefeed.enabled",
        type: "b",
        defaultValue: false,
        settingClass: "system-visible",
        isPublic: true,
        description: "if set, rangefeed registration is enabled",
    },
    {
        name: "kv.rangefeed.closed_timestamp_refresh_interval",
        type: "d",
        defaultValue: 3n * SECOND,
        settingClass: "system-visible",
        isPublic: true,
        description:
            "the interval at which closed-timestamp updates are delivered to rangefeeds; " +
            "set to 0 to use kv.closed_timestamp.side_transport_interval",
        validate: nonNegativeDuration,
    },
    {
        name: "kv.closed_timestamp.target_duration",
        type: "d",
        defaultValue: 3n * SECOND,
        settingClass: "system-visible",
        isPublic: true,
        description:
            "if nonzero, attempt to provide closed timestamp notifications for timestamps trailing cluster time by approximately this duration",
        validate: nonNegativeDuration,
    },
    {
        name: "kv.closed_timestamp.side_transport_interval",
        type: "d",
        defaultValue: 200_000_000n,
        settingClass: "system-visible",
        isPublic: false,
        description:
            "the interval at which the closed timestamp side-transport attempts to advance each range's closed timestamp; set to 0 to disable the side-transport",
        validate: nonNegativeDuration,
    },
    {
        name: "kv.rangefeed.concurrent_catchup_iterators",
        type: "i",
        defaultValue: 16n,
        settingClass: "system-only",
        isPublic: false,
        description:
            "number of rangefeeds catchup iterators a store will allow concurrently before queueing",
        validate: positiveInt,
    },
    {
        name: "changefeed.protect_timestamp.max_age",
        type: "d",
        defaultValue: 96n * 3600n * SECOND,
        settingClass: "application",
        isPublic: true,
        description:
            "fail the changefeed if the protected timestamp age exceeds this threshold; 0 disables expiration",
        validate: nonNegativeDuration,
    },
    {
        name: "changefeed.sink_io_workers",
        type: "i",
        defaultValue: 0n,
        settingClass: "application",
        isPublic: true,
        description:
            "the number of workers used by changefeeds when sending requests to the sink (currently the batching versions of webhook, pubsub, and kafka sinks that are enabled by changefeed.new_<sink type>_sink_enabled only): <0 disables, 0 assigns a reasonable default, >0 assigns the setting value",
    },
    {
        name: "changefeed.permissions.require_external_connection_sink.enabled",
        type: "b",
        defaultValue: false,
        settingClass: "application",
        isPublic: true,
        description:
            "if enabled, this settings restricts users with the CHANGEFEED privilege to create changefeeds with external connection sinks only",
    },
    {
        name: "jobs.retention_time",
        type: "d",
        defaultValue: 336n * 3600n * SECOND,
        settingClass: "application",
        isPublic: true,
        description: "the amount of time for which records for completed jobs are retained",
        validate: nonNegativeDuration,
    },
    {
        name: "sql.defaults.distsql",
        type: "e",
        defaultValue: "auto",
        settingClass: "application",
        isPublic: true,
        description: "default distributed SQL execution mode",
        enumValues: ["off", "auto", "on", "always"],
    },
    {
        name: "sql.stats.automatic_collection.enabled",
        type: "b",
        defaultValue: true,
        settingClass: "application",
        isPublic: true,
        description: "automatic statistics collection mode",
    },
    {
        name: "cluster.organization",
        type: "s",
        defaultValue: "",
        settingClass: "application",
        isPublic: true,
        description: "organization name",
    },
];

/** A SET CLUSTER SETTING value as written. */
export type SettingLiteral =
    | { kind: "bool"; value: boolean }
    | { kind: "int"; text: string }
    | { kind: "decimal"; text: string }
    | { kind: "string"; value: string }
    | { kind: "default" };

/** What the session can tell the store about the caller. */
export interface SettingsCaller {
    hasPrivilege(privilege: "MODIFYCLUSTERSETTING" | "VIEWCLUSTERSETTING"): boolean;
    inExplicitTransaction: boolean;
}

const TYPE_NAMES: Record<SettingType, string> = {
    b: "bool",
    i: "int",
    d: "interval",
    e: "string",
    s: "string",
};

/** The cluster settings of one test server. */
export class SettingStore {
    private readonly overrides = new Map<string, SettingValue>();

    constructor(private readonly virtualCluster: boolean) {}

    /** Basic/Standard virtual clusters run with rangefeeds already enabled (§6.1, §6.8). */
    private defaultOf(definition: SettingDefinition): SettingValue {
        if (this.virtualCluster && definition.name === "kv.rangefeed.enabled") return true;
        return definition.defaultValue;
    }

    /** `SHOW CLUSTER SETTING <name>`: one typed column named like the setting. */
    show(rawName: string, caller: SettingsCaller): ResultSet {
        const definition = this.lookup(rawName, "show");
        this.checkPrivilege(definition.name, "show", caller);
        const value = this.current(definition);
        const column = { name: rawName, ...COLUMN_TYPES[definition.type] };
        return {
            columns: [column],
            rows: [[typedText(definition, value)]],
            tag: "SHOW CLUSTER SETTING 1",
        };
    }

    /** `SHOW ALL CLUSTER SETTINGS` (`all`) or `SHOW [PUBLIC] CLUSTER SETTINGS`. */
    list(all: boolean, caller: SettingsCaller): ResultSet {
        if (
            !caller.hasPrivilege("MODIFYCLUSTERSETTING") &&
            !caller.hasPrivilege("VIEWCLUSTERSETTING")
        ) {
            throw new CockroachError(
                SQLSTATE.insufficientPrivilege,
                "only users with MODIFYCLUSTERSETTING, MODIFYSQLCLUSTERSETTING or VIEWCLUSTERSETTING privileges are allowed to SHOW CLUSTER SETTINGS",
            );
        }
        const visible = DEFINITIONS.filter((d) => this.isVisible(d) && (all || d.isPublic)).sort(
            (a, b) => a.name.localeCompare(b.name),
        );
        // delegateShowClusterSettingList: `public` comes before `description` in the ALL form.
        const columns = [
            textColumn("variable"),
            textColumn("value"),
            textColumn("setting_type"),
            ...(all ? [{ name: "public", ...COLUMN_TYPES.b }] : []),
            textColumn("description"),
            textColumn("default_value"),
            textColumn("origin"),
        ];
        const rows = visible.map((d) => [
            d.name,
            plainText(d, this.current(d)),
            d.type,
            ...(all ? [d.isPublic ? "t" : "f"] : []),
            d.description,
            plainText(d, this.defaultOf(d)),
            this.overrides.has(d.name) ? "override" : "default",
        ]);
        return { columns, rows, tag: `SHOW CLUSTER SETTINGS ${rows.length}` };
    }

    /** `SET CLUSTER SETTING` / `RESET CLUSTER SETTING` (literal `default`). */
    set(rawName: string, literal: SettingLiteral, caller: SettingsCaller): ResultSet {
        const definition = this.lookup(rawName, "set");
        const name = definition.name;
        this.checkPrivilege(name, "set", caller);
        if (this.virtualCluster && definition.settingClass === "system-visible") {
            throw new CockroachError(
                SQLSTATE.insufficientPrivilege,
                `setting ${name} is only settable by the operator`,
            );
        }
        const value = literal.kind === "default" ? undefined : coerce(definition, literal);
        if (caller.inExplicitTransaction) {
            throw uncategorized(
                "SET CLUSTER SETTING cannot be used inside a multi-statement transaction",
            );
        }
        if (value === undefined) this.overrides.delete(name);
        else this.overrides.set(name, value);
        return { columns: [], rows: [], tag: "SET CLUSTER SETTING" };
    }

    /** The current value as `SHOW ALL CLUSTER SETTINGS` prints it (for the changefeed code). */
    valueText(name: string): string {
        const definition = DEFINITIONS.find((d) => d.name === name);
        if (!definition) throw new Error(`no setting ${name}`);
        return plainText(definition, this.current(definition));
    }

    private current(definition: SettingDefinition): SettingValue {
        return this.overrides.get(definition.name) ?? this.defaultOf(definition);
    }

    private isVisible(definition: SettingDefinition): boolean {
        return !(this.virtualCluster && definition.settingClass === "system-only");
    }

    /**
     * The setting a statement names; a name the cluster does not know (or, on a virtual
     * cluster, a system-only one) fails as CockroachDB fails it: SHOW with `errors.Errorf`
     * (no SQLSTATE, so XXUUU), SET/RESET with `pgcode.UndefinedParameter` (42P02). See
     * docs/cockroachdb-behaviour.md, "Cluster settings".
     */
    private lookup(rawName: string, action: "show" | "set"): SettingDefinition {
        const name = rawName.toLowerCase();
        const definition = DEFINITIONS.find((d) => d.name === name);
        if (!definition || !this.isVisible(definition)) {
            if (action === "show") throw uncategorized(`unknown setting: ${JSON.stringify(name)}`);
            throw new CockroachError(UNDEFINED_PARAMETER, `unknown cluster setting '${name}'`);
        }
        return definition;
    }

    private checkPrivilege(name: string, action: "set" | "show", caller: SettingsCaller): void {
        if (caller.hasPrivilege("MODIFYCLUSTERSETTING")) return;
        if (action === "set") {
            throw new CockroachError(
                SQLSTATE.insufficientPrivilege,
                `only users with the MODIFYCLUSTERSETTING privilege are allowed to set cluster setting '${name}'`,
            );
        }
        if (caller.hasPrivilege("VIEWCLUSTERSETTING")) return;
        throw new CockroachError(
            SQLSTATE.insufficientPrivilege,
            `only users with MODIFYCLUSTERSETTING or VIEWCLUSTERSETTING privileges are allowed to show cluster setting '${name}'`,
        );
    }
}

const COLUMN_TYPES: Record<SettingType, { oid: number }> = {
    b: { oid: OID.bool },
    i: { oid: OID.int8 },
    d: { oid: OID.interval },
    e: { oid: OID.text },
    s: { oid: OID.text },
};

function typedText(definition: SettingDefinition, value: SettingValue): string {
    if (typeof value === "boolean") return value ? "t" : "f";
    if (definition.type === "d" && typeof value === "bigint") return formatSqlInterval(value);
    return value.toString();
}

function plainText(definition: SettingDefinition, value: SettingValue): string {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (definition.type === "d" && typeof value === "bigint") return formatGoDuration(value);
    return value.toString();
}

/** Types a literal to the setting's type like CockroachDB's analyzeExpr + toSettingString. */
function coerce(
    definition: SettingDefinition,
    literal: Exclude<SettingLiteral, { kind: "default" }>,
): SettingValue {
    const mismatch = (actual: string) =>
        new CockroachError(
            SQLSTATE.datatypeMismatch,
            `argument of SET CLUSTER SETTING ${definition.name} must be type ${TYPE_NAMES[definition.type]}, not type ${actual}`,
        );
    const literalType =
        literal.kind === "bool"
            ? "bool"
            : literal.kind === "int"
              ? "int"
              : literal.kind === "decimal"
                ? "decimal"
                : "string";
    let value: SettingValue;
    switch (definition.type) {
        case "b":
            if (literal.kind === "bool") value = literal.value;
            else if (literal.kind === "string") value = parseBool(literal.value);
            else throw mismatch(literalType);
            break;
        case "i":
            if (literal.kind === "int") value = BigInt(literal.text);
            else if (literal.kind === "string") value = parseInt8(literal.value);
            else throw mismatch(literalType);
            break;
        case "d": {
            if (literal.kind !== "string") throw mismatch(literalType);
            let interval;
            try {
                interval = parseSqlInterval(literal.value);
            } catch (err) {
                throw new CockroachError(
                    SQLSTATE.invalidTextRepresentation,
                    (err as Error).message,
                );
            }
            if (interval.months !== 0 || interval.days !== 0) {
                throw uncategorized(
                    `cannot use day or month specifiers: ${describeInterval(interval)}`,
                );
            }
            value = interval.nanos;
            break;
        }
        case "e": {
            const options = definition.enumValues ?? [];
            if (literal.kind === "int") {
                const index = Number(literal.text);
                const found = options[index];
                if (found === undefined) {
                    throw uncategorized(
                        `invalid integer value '${literal.text}' for enum setting`,
                        enumHint(options),
                    );
                }
                value = found;
            } else if (literal.kind === "string") {
                const found = options.find((o) => o === literal.value.toLowerCase());
                if (found === undefined) {
                    throw uncategorized(
                        `invalid string value '${literal.value}' for enum setting`,
                        enumHint(options),
                    );
                }
                value = found;
            } else {
                throw uncategorized(
                    `cannot use ${literalType} value for enum setting, must be int or string`,
                );
            }
            break;
        }
        case "s":
            if (literal.kind !== "string") throw mismatch(literalType);
            value = literal.value;
            break;
    }
    const problem = definition.validate?.(value);
    if (problem) throw uncategorized(problem);
    return value;
}

function enumHint(options: readonly string[]): string {
    return `Available values: ${options.map((o, i) => `${o}, ${i}`).join("; ")}`;
}

/** PostgreSQL/CockroachDB boolean input. */
export function parseBool(text: string): boolean {
    const value = text.trim().toLowerCase();
    const isPrefix = (word: string) => value.length > 0 && word.startsWith(value);
    if (value === "1" || isPrefix("true") || isPrefix("yes") || value === "on") return true;
    if (
        value === "0" ||
        isPrefix("false") ||
        (value.length > 0 && isPrefix("no")) ||
        value === "off"
    ) {
        return false;
    }
    throw new CockroachError(
        SQLSTATE.invalidTextRepresentation,
        `could not parse "${text}" as type bool: invalid bool value`,
    );
}

function parseInt8(text: string): bigint {
    const trimmed = text.trim();
    if (!/^[+-]?\d+$/.test(trimmed)) {
        throw new CockroachError(
            SQLSTATE.invalidTextRepresentation,
            `could not parse "${text}" as type int: strconv.ParseInt: parsing "${text}": invalid syntax`,
        );
    }
    return BigInt(trimmed);
}
