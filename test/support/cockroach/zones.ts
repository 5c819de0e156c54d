/**
 * Zone configurations of the CockroachDB test server: `ALTER DATABASE|TABLE|RANGE default …
 * CONFIGURE ZONE USING … | DISCARD`, `SHOW ZONE CONFIGURATION FROM|FOR …` and
 * `SELECT … FROM crdb_internal.zones [WHERE …]`, modelled on CockroachDB's
 * pkg/sql/set_zone_config.go, pkg/sql/show_zone_config.go and pkg/config/zonepb
 * (docs/cockroachdb-behaviour.md, "Zone configurations").
 *
 * Only the fields `gc.ttlseconds` and `num_replicas` are modelled; a zone stores only the fields
 * set on it (a field it does not set is inherited: table → database → `RANGE default`).
 */
import { CockroachError, SQLSTATE } from "./errors";
import { formatName, type Token } from "./lexer";
import { int8Column, textColumn, type ResultSet } from "./results";
import type { ServerState } from "./session";

/** pgcode.CheckViolation and pgcode.UndefinedColumn. */
const CHECK_VIOLATION = "23514";
const UNDEFINED_COLUMN = "42703";

type Field = "gc.ttlseconds" | "num_replicas";
type Fields = Partial<Record<Field, number>>;

interface ZoneKey {
    kind: "default" | "database" | "table";
    database?: string;
    schema?: string;
    table?: string;
}

interface StoredZone {
    id: number;
    key: ZoneKey;
    fields: Fields;
}

/** zonepb.DefaultZoneConfig: range sizes and replicas; gc.ttlseconds follows the server. */
const DEFAULT_RANGE_MIN_BYTES = 134_217_728;
const DEFAULT_RANGE_MAX_BYTES = 536_870_912;
const DEFAULT_NUM_REPLICAS = 3;

class ZoneStore {
    readonly zones = new Map<string, StoredZone>();
    private nextId = 104;

    constructor(readonly server: ServerState) {}

    defaultFields(): Required<Fields> {
        const stored = this.zones.get(keyText({ kind: "default" }))?.fields ?? {};
        return {
            "gc.ttlseconds": stored["gc.ttlseconds"] ?? this.server.gcThresholdSeconds,
            num_replicas: stored.num_replicas ?? DEFAULT_NUM_REPLICAS,
        };
    }

    parentOf(key: ZoneKey): ZoneKey | undefined {
        if (key.kind === "table") return { kind: "database", database: key.database };
        if (key.kind === "database") return { kind: "default" };
        return undefined;
    }

    /** The complete config of `key`: its own fields, the rest inherited from its ancestors. */
    complete(key: ZoneKey): Required<Fields> {
        const own = this.zones.get(keyText(key))?.fields ?? {};
        const parent = this.parentOf(key);
        const inherited = parent ? this.complete(parent) : this.defaultFields();
        return { ...inherited, ...own } as Required<Fields>;
    }

    /** The nearest zone that exists for `key` (CockroachDB's GetZoneConfigInTxn). */
    applying(key: ZoneKey): ZoneKey {
        let current: ZoneKey | undefined = key;
        while (current && current.kind !== "default") {
            if (this.zones.has(keyText(current))) return current;
            current = this.parentOf(current);
        }
        return { kind: "default" };
    }

    set(key: ZoneKey, assignments: ReadonlyArray<{ field: Field; value: number | "parent" }>) {
        const existing = this.zones.get(keyText(key));
        const fields: Fields = { ...(existing?.fields ?? {}) };
        const parent = this.parentOf(key);
        const inherited = parent ? this.complete(parent) : this.defaultFields();
        for (const { field, value } of assignments) {
            // COPY FROM PARENT copies the value that applies now (zonepb CopyFromZone): the
            // field is set explicitly afterwards, it does not inherit again.
            fields[field] = value === "parent" ? inherited[field] : value;
        }
        const ttl = fields["gc.ttlseconds"];
        if (ttl !== undefined && ttl < 1) {
            throw new CockroachError(
                CHECK_VIOLATION,
                `could not validate zone config: GC.TTLSeconds ${ttl} less than minimum allowed 1`,
            );
        }
        const replicas = fields.num_replicas;
        if (replicas !== undefined && replicas <= 0) {
            throw new CockroachError(
                CHECK_VIOLATION,
                "could not validate zone config: at least one replica is required",
            );
        }
        this.zones.set(keyText(key), {
            id: existing?.id ?? (key.kind === "default" ? 0 : this.nextId++),
            key,
            fields,
        });
    }

    discard(key: ZoneKey): void {
        if (key.kind === "default") {
            throw new CockroachError(CHECK_VIOLATION, "cannot remove default zone");
        }
        this.zones.delete(keyText(key));
    }

    /** Rows of crdb_internal.zones: `RANGE default` and every zone that exists. */
    rows(): Array<Record<string, string | null>> {
        const defaultKey: ZoneKey = { kind: "default" };
        const all: StoredZone[] = [
            { id: 0, key: defaultKey, fields: this.defaultFields() },
            ...[...this.zones.values()].filter((z) => z.key.kind !== "default"),
        ];
        return all.map((zone) => ({
            zone_id: String(zone.id),
            subzone_id: "0",
            target: target(zone.key),
            range_name: zone.key.kind === "default" ? "default" : null,
            database_name: zone.key.database ?? null,
            schema_name: zone.key.schema ?? null,
            table_name: zone.key.table ?? null,
            index_name: null,
            partition_name: null,
            raw_config_sql: configSql(zone.key, ownOrDefault(zone, this)),
            full_config_sql: configSql(zone.key, this.complete(zone.key), true),
        }));
    }
}

function ownOrDefault(zone: StoredZone, store: ZoneStore): Fields {
    return zone.key.kind === "default" ? store.defaultFields() : zone.fields;
}

function keyText(key: ZoneKey): string {
    return [key.kind, key.database ?? "", key.schema ?? "", key.table ?? ""].join("\u0000");
}

/** tree.ZoneSpecifier.String(): `RANGE default`, `DATABASE d`, `TABLE d.s.t`. */
function target(key: ZoneKey): string {
    if (key.kind === "default") return "RANGE default";
    if (key.kind === "database") return `DATABASE ${formatName(key.database ?? "")}`;
    return `TABLE ${[key.database, key.schema, key.table].map((p) => formatName(p ?? "")).join(".")}`;
}

/**
 * show_zone_config.go zoneConfigToSQL: one `field = value` line per field the config sets, in
 * the order range_min_bytes, range_max_bytes, gc.ttlseconds, num_replicas, constraints,
 * lease_preferences (the last two only when set on the zone, i.e. on the default zone).
 */
function configSql(key: ZoneKey, fields: Fields, complete = false): string {
    const lines: string[] = [];
    const full = complete || key.kind === "default";
    if (full) lines.push(`\trange_min_bytes = ${DEFAULT_RANGE_MIN_BYTES}`);
    if (full) lines.push(`\trange_max_bytes = ${DEFAULT_RANGE_MAX_BYTES}`);
    if (fields["gc.ttlseconds"] !== undefined)
        lines.push(`\tgc.ttlseconds = ${fields["gc.ttlseconds"]}`);
    if (fields.num_replicas !== undefined) lines.push(`\tnum_replicas = ${fields.num_replicas}`);
    if (full) lines.push("\tconstraints = '[]'", "\tlease_preferences = '[]'");
    return `ALTER ${target(key)} CONFIGURE ZONE USING\n${lines.join(",\n")}`;
}

const stores = new WeakMap<ServerState, ZoneStore>();

function storeOf(server: ServerState): ZoneStore {
    let store = stores.get(server);
    if (!store) {
        store = new ZoneStore(server);
        stores.set(server, store);
    }
    return store;
}

/** A cursor over a statement's tokens. */
class Cursor {
    i = 0;
    constructor(
        readonly tokens: readonly Token[],
        readonly params: ReadonlyArray<string | null>,
    ) {}
    peek(offset = 0): Token | undefined {
        return this.tokens[this.i + offset];
    }
    word(offset = 0): string {
        const t = this.peek(offset);
        return t && t.kind === "ident" ? t.value : "";
    }
    accept(word: string): boolean {
        const t = this.peek();
        if (t && (t.kind === "ident" || t.kind === "op") && t.value === word) {
            this.i += 1;
            return true;
        }
        return false;
    }
    expect(word: string): void {
        if (!this.accept(word)) throw syntax(this.peek());
    }
    name(): string {
        const t = this.peek();
        if (!t || (t.kind !== "ident" && t.kind !== "qident")) throw syntax(t);
        this.i += 1;
        return t.value;
    }
    atEnd(): boolean {
        const t = this.peek();
        return !t || t.kind === "eof" || (t.kind === "op" && t.value === ";");
    }
}

function syntax(token: Token | undefined): CockroachError {
    return new CockroachError(
        SQLSTATE.syntaxError,
        `at or near "${token?.raw ?? "EOF"}": syntax error`,
    );
}

/**
 * Runs `tokens` when it is a zone-configuration statement; returns `undefined` for any other
 * statement (the caller handles it).
 */
export async function runZoneStatement(
    server: ServerState,
    user: string,
    tokens: readonly Token[],
    params: ReadonlyArray<string | null>,
): Promise<ResultSet | undefined> {
    const c = new Cursor(tokens, params);
    if (c.word() === "alter" && isConfigureZone(tokens)) {
        c.i = 1;
        const key = await zoneKey(c, server);
        requirePrivilege(server, user, key);
        c.expect("configure");
        c.expect("zone");
        const store = storeOf(server);
        if (c.accept("discard")) {
            store.discard(key);
        } else {
            c.expect("using");
            store.set(key, assignments(c));
        }
        if (!c.atEnd()) throw syntax(c.peek());
        return { columns: [], rows: [], tag: "CONFIGURE ZONE 1" };
    }
    if (c.word() === "show" && c.word(1) === "zone" && c.word(2) === "configuration") {
        c.i = 3;
        if (!c.accept("from") && !c.accept("for")) throw syntax(c.peek());
        const key = await zoneKey(c, server);
        const store = storeOf(server);
        const applying = store.applying(key);
        return {
            columns: [textColumn("target"), textColumn("raw_config_sql")],
            rows: [[target(applying), configSql(applying, store.complete(applying), true)]],
            tag: "SHOW ZONE CONFIGURATION 1",
        };
    }
    if (c.word() === "select" && mentionsZonesTable(tokens)) {
        return selectZones(c, storeOf(server));
    }
    return undefined;
}

function isConfigureZone(tokens: readonly Token[]): boolean {
    return tokens.some(
        (t, i) => t.value === "configure" && t.kind === "ident" && tokens[i + 1]?.value === "zone",
    );
}

function mentionsZonesTable(tokens: readonly Token[]): boolean {
    return tokens.some(
        (t, i) =>
            t.value === "crdb_internal" &&
            tokens[i + 1]?.value === "." &&
            tokens[i + 2]?.value === "zones",
    );
}

async function zoneKey(c: Cursor, server: ServerState): Promise<ZoneKey> {
    if (c.accept("range")) {
        const name = c.name();
        if (name !== "default") {
            throw new CockroachError(
                SQLSTATE.invalidParameterValue,
                `"${name}" is not a built-in zone`,
            );
        }
        return { kind: "default" };
    }
    if (c.accept("database")) {
        const database = c.name();
        if (database !== server.database) {
            throw new CockroachError("3D000", `database "${database}" does not exist`);
        }
        return { kind: "database", database };
    }
    if (c.accept("table")) {
        const parts = [c.name()];
        while (c.accept(".")) parts.push(c.name());
        const [database, schema, table] =
            parts.length === 3
                ? parts
                : parts.length === 2
                  ? [server.database, parts[0], parts[1]]
                  : [server.database, "public", parts[0]];
        const exists =
            database === server.database &&
            (await server.tableExists({
                database: server.database,
                schema: schema ?? "",
                table: table ?? "",
            }));
        if (!exists) {
            throw new CockroachError(
                SQLSTATE.undefinedTable,
                `relation "${parts.join(".")}" does not exist`,
            );
        }
        return { kind: "table", database, schema, table };
    }
    throw syntax(c.peek());
}

/** set_zone_config.go checkPrivilegeForSetZoneConfig: admin, or CREATE/ZONECONFIG on the object. */
function requirePrivilege(server: ServerState, user: string, key: ZoneKey): void {
    if (server.privileges.isAdmin(user)) return;
    if (key.kind === "default") {
        throw new CockroachError(
            SQLSTATE.insufficientPrivilege,
            `user ${user} does not have privilege to alter system ranges`,
        );
    }
    const object =
        key.kind === "database" ? `database ${key.database}` : `table ${key.table ?? ""}`;
    throw new CockroachError(
        SQLSTATE.insufficientPrivilege,
        `user ${user} does not have ZONECONFIG or CREATE privilege on ${object}`,
    );
}

const FIELDS: readonly string[] = ["gc.ttlseconds", "num_replicas"];
const SUPPORTED_ELSEWHERE = new Set([
    "range_min_bytes",
    "range_max_bytes",
    "global_reads",
    "num_voters",
    "constraints",
    "voter_constraints",
    "lease_preferences",
]);

function assignments(c: Cursor): Array<{ field: Field; value: number | "parent" }> {
    const out: Array<{ field: Field; value: number | "parent" }> = [];
    const seen = new Set<string>();
    do {
        let field = c.name();
        if (c.accept(".")) field = `${field}.${c.name()}`;
        if (seen.has(field)) {
            throw new CockroachError(
                SQLSTATE.invalidParameterValue,
                `duplicate zone config parameter: "${field}"`,
            );
        }
        seen.add(field);
        if (!FIELDS.includes(field)) {
            throw new CockroachError(
                SQLSTATE.invalidParameterValue,
                SUPPORTED_ELSEWHERE.has(field)
                    ? `zone config parameter "${field}" is not modelled by the test server`
                    : `unsupported zone config parameter: "${field}"`,
            );
        }
        c.expect("=");
        if (c.accept("copy")) {
            c.expect("from");
            c.expect("parent");
            out.push({ field: field as Field, value: "parent" });
            continue;
        }
        out.push({ field: field as Field, value: intValue(c, field) });
    } while (c.accept(","));
    return out;
}

/** An INT expression, truncated to int32 as the setter does (`int32(tree.MustBeDInt(d))`). */
function intValue(c: Cursor, field: string): number {
    const token = c.peek();
    let negative = false;
    if (token?.kind === "op" && token.value === "-") {
        negative = true;
        c.i += 1;
    }
    const t = c.peek();
    let text: string;
    if (t?.kind === "number") text = t.raw;
    else if (t?.kind === "placeholder") {
        const value = c.params[Number(t.value) - 1];
        if (value === undefined || value === null) {
            throw new CockroachError(
                SQLSTATE.invalidParameterValue,
                `unsupported NULL value for "${field}"`,
            );
        }
        text = value;
    } else throw syntax(t);
    c.i += 1;
    if (!/^-?\d+$/.test(text.trim())) {
        throw new CockroachError(
            SQLSTATE.invalidTextRepresentation,
            `could not parse "${text}" as type int: strconv.ParseInt: parsing "${text}": invalid syntax`,
        );
    }
    const value = BigInt(text.trim()) * (negative ? -1n : 1n);
    return Number(BigInt.asIntN(32, value));
}

/**
 * `SELECT <columns | *> FROM crdb_internal.zones [WHERE c = $n|'text' [AND c IS [NOT] NULL] …]`:
 * the shapes a client reads zones with; anything else is refused rather than half-answered.
 */
function selectZones(c: Cursor, store: ZoneStore): ResultSet {
    c.i = 1;
    const columns: string[] = [];
    if (c.accept("*")) columns.push(...ZONE_COLUMNS);
    else {
        do columns.push(c.name());
        while (c.accept(","));
    }
    c.expect("from");
    c.expect("crdb_internal");
    c.expect(".");
    c.expect("zones");
    const filters: Array<(row: Record<string, string | null>) => boolean> = [];
    if (c.accept("where")) {
        do filters.push(condition(c));
        while (c.accept("and"));
    }
    if (!c.atEnd()) throw syntax(c.peek());
    for (const column of columns) {
        if (!ZONE_COLUMNS.includes(column)) {
            throw new CockroachError(UNDEFINED_COLUMN, `column "${column}" does not exist`);
        }
    }
    const rows = store.rows().filter((row) => filters.every((f) => f(row)));
    return {
        columns: columns.map((name) =>
            name === "zone_id" || name === "subzone_id" ? int8Column(name) : textColumn(name),
        ),
        rows: rows.map((row) => columns.map((name) => row[name] ?? null)),
        tag: `SELECT ${rows.length}`,
    };
}

const ZONE_COLUMNS = [
    "zone_id",
    "subzone_id",
    "target",
    "range_name",
    "database_name",
    "schema_name",
    "table_name",
    "index_name",
    "partition_name",
    "raw_config_sql",
    "full_config_sql",
];

function condition(c: Cursor): (row: Record<string, string | null>) => boolean {
    const column = c.name();
    if (!ZONE_COLUMNS.includes(column)) {
        throw new CockroachError(UNDEFINED_COLUMN, `column "${column}" does not exist`);
    }
    if (c.accept("is")) {
        const negated = c.accept("not");
        c.expect("null");
        return (row) => (row[column] === null) !== negated;
    }
    c.expect("=");
    const t = c.peek();
    c.i += 1;
    const value =
        t?.kind === "string"
            ? t.value
            : t?.kind === "placeholder"
              ? c.params[Number(t.value) - 1]
              : t?.kind === "number"
                ? t.raw
                : undefined;
    if (value === undefined) throw syntax(t);
    return (row) => value !== null && row[column] === value;
}
