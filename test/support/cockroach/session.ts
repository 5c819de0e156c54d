/**
 * One client connection's SQL execution: routes each statement to the CockroachDB
 * implementation (settings, changefeeds, jobs, privileges, builtins) or to the backing
 * PostgreSQL session, and keeps transaction state consistent between the two.
 */
import { CockroachError, SQLSTATE } from "./errors";
import { splitStatements, tokenize, type StatementText, type Token } from "./lexer";
import { findShowChangefeedSources, resultAsSubquery } from "./statementSource";
import {
    parseStatement,
    type JobIdExpr,
    type SettingExpr,
    type Statement,
    type StringOrPlaceholder,
} from "./parser";
import { BackingSession, rewriteForPostgres, type TransactionStatus } from "./delegate";
import { withCockroachColumnCatalog } from "./columnCatalog";
import type { SettingLiteral, SettingStore } from "./settings";
import type { JobRegistry, QualifiedTable } from "./jobs";
import { SYSTEM_PRIVILEGES, TABLE_PRIVILEGES, type PrivilegeModel } from "./privileges";
import {
    alterChangefeed,
    controlJob,
    createChangefeed,
    qualify,
    showChangefeedJobs,
    type ChangefeedContext,
} from "./changefeedStatements";
import { formatDecimal, type HybridClock } from "./hlc";
import type { CockroachProfile } from "./profiles";
import { runZoneStatement } from "./zones";
import { OID, boolColumn, textColumn, type Column, type ResultSet } from "./results";

/** Server-wide state every session shares. */
export interface ServerState {
    database: string;
    clusterId: string;
    version: string;
    profile: CockroachProfile;
    gcThresholdSeconds: number;
    settings: SettingStore;
    privileges: PrivilegeModel;
    jobs: JobRegistry;
    clock: HybridClock;
    statements: string[];
    backingDatabaseUrl: string;
    tableExists(table: QualifiedTable): Promise<boolean>;
}

const TRANSACTION_CONTROL = new Set([
    "begin",
    "start",
    "commit",
    "end",
    "rollback",
    "abort",
    "savepoint",
    "release",
    "prepare",
]);

export class Session {
    private constructor(
        private readonly server: ServerState,
        readonly user: string,
        private readonly backing: BackingSession,
    ) {}

    static async open(server: ServerState, user: string): Promise<Session> {
        return new Session(server, user, await BackingSession.open(server.backingDatabaseUrl));
    }

    get transactionStatus(): TransactionStatus {
        return this.backing.status;
    }

    async close(): Promise<void> {
        await this.backing.close();
    }

    /**
     * A simple-protocol query string. Several statements run as one implicit transaction, like
     * CockroachDB (and PostgreSQL) do; `onResult` receives each statement's result as it completes.
     */
    async runSimpleQuery(sql: string, onResult: (result: ResultSet) => void): Promise<void> {
        const statements = splitStatements(sql);
        const implicit =
            statements.length > 1 &&
            this.backing.status === "I" &&
            !statements.some((s) => TRANSACTION_CONTROL.has(s.tokens[0]?.value ?? ""));
        if (implicit) await this.backing.run("BEGIN", []);
        try {
            for (const statement of statements) {
                onResult(await this.execute(statement, [], statements.length > 1));
            }
            if (implicit) await this.backing.run("COMMIT", []);
        } catch (err) {
            if (implicit) await this.backing.run("ROLLBACK", []).catch(() => undefined);
            throw err;
        }
    }

    /** One statement with bound parameters (extended protocol). */
    async execute(
        statement: StatementText,
        params: ReadonlyArray<string | null>,
        inBatch = false,
    ): Promise<ResultSet> {
        this.server.statements.push(statement.text);
        const zone = await runZoneStatement(this.server, this.user, statement.tokens, params);
        if (zone) return zone;
        const parsed = parseStatement(statement.tokens);
        if (parsed.type === "delegate") {
            const source = this.expandStatementSources(statement, params);
            const text = rewriteForPostgres(source.text, source.tokens, this.server.database);
            return this.backing.run(withCockroachColumnCatalog(text, this.server.database), params);
        }
        if (this.backing.status === "E") {
            throw new CockroachError(
                SQLSTATE.inFailedTransaction,
                "current transaction is aborted, commands ignored until end of transaction block",
            );
        }
        try {
            return await this.executeLocal(parsed, params, inBatch);
        } catch (err) {
            await this.backing.abortTransaction();
            throw err;
        }
    }

    private async executeLocal(
        statement: Exclude<Statement, { type: "delegate" }>,
        params: ReadonlyArray<string | null>,
        inBatch: boolean,
    ): Promise<ResultSet> {
        const { settings, privileges } = this.server;
        const caller = {
            hasPrivilege: (p: string) => privileges.hasSystemPrivilege(this.user, p),
            inExplicitTransaction: inBatch || this.backing.status !== "I",
        };
        const notices: string[] = [];
        const changefeeds = this.changefeedContext(params, notices);
        const withNotices = (result: ResultSet): ResultSet =>
            notices.length > 0
                ? { ...result, notices: [...(result.notices ?? []), ...notices] }
                : result;
        switch (statement.type) {
            case "showClusterSetting":
                if (statement.name.toLowerCase() === "version")
                    return this.showVersionSetting(statement.name);
                return settings.show(statement.name, caller);
            case "showClusterSettings":
                return settings.list(statement.all, caller);
            case "setClusterSetting":
                return settings.set(statement.name, bindSetting(statement.value, params), caller);
            case "selectBuiltins":
                return this.selectBuiltins(statement.items);
            case "createChangefeed":
                return withNotices(await createChangefeed(changefeeds, statement));
            case "showChangefeedJobs":
                return showChangefeedJobs(changefeeds, statement.jobId);
            case "controlJob":
                return controlJob(changefeeds, statement.action, statement.jobId);
            case "alterChangefeed":
                return alterChangefeed(changefeeds, statement);
            case "createUser":
                this.requireAdminOr("CREATEROLE", "CREATEROLE");
                privileges.createUser(
                    statement.name,
                    statement.password ? bindString(statement.password, params) : undefined,
                    statement.ifNotExists,
                );
                return { columns: [], rows: [], tag: "CREATE ROLE" };
            case "grantSystem":
                this.requireAdmin("GRANT SYSTEM");
                for (const privilege of statement.privileges) {
                    if (!SYSTEM_PRIVILEGES.has(privilege)) {
                        throw new CockroachError(
                            SQLSTATE.syntaxError,
                            `invalid privilege type ${privilege} for system`,
                        );
                    }
                }
                privileges.grantSystem(statement.privileges, statement.grantees);
                return { columns: [], rows: [], tag: "GRANT" };
            case "grantRoles":
                this.requireAdmin("GRANT");
                privileges.grantRoles(statement.roles, statement.grantees);
                return { columns: [], rows: [], tag: "GRANT" };
            case "grantTable": {
                this.requireAdmin("GRANT");
                for (const privilege of statement.privileges) {
                    if (!TABLE_PRIVILEGES.has(privilege)) {
                        throw new CockroachError(
                            SQLSTATE.syntaxError,
                            `invalid privilege type ${privilege} for table`,
                        );
                    }
                }
                const tables = await this.resolveTables(statement.tables);
                privileges.grantTable(statement.privileges, tables, statement.grantees);
                return { columns: [], rows: [], tag: "GRANT" };
            }
            case "showGrants":
                return privileges.showTableGrants(
                    await this.resolveTables(statement.tables),
                    statement.users,
                );
            case "showSystemGrants":
                return privileges.showSystemGrants(statement.users);
        }
    }

    /** Replaces each `[SHOW CHANGEFEED JOB(S) …]` statement source with its rows. */
    private expandStatementSources(
        statement: StatementText,
        params: ReadonlyArray<string | null>,
    ): { text: string; tokens: readonly Token[] } {
        const sources = findShowChangefeedSources(statement.tokens);
        if (sources.length === 0) return statement;
        const context = this.changefeedContext(params, []);
        let text = statement.text;
        for (const source of [...sources].reverse()) {
            const id = source.jobId;
            const jobId: JobIdExpr | undefined =
                id === undefined
                    ? undefined
                    : id.kind === "placeholder"
                      ? { kind: "placeholder", index: Number(id.value) }
                      : id.kind === "string"
                        ? { kind: "string", value: id.value }
                        : { kind: "int", text: id.raw };
            const rows = showChangefeedJobs(context, jobId);
            text =
                text.slice(0, source.start) +
                resultAsSubquery(rows, source.aliased) +
                text.slice(source.end);
        }
        return { text, tokens: tokenize(text) };
    }

    /** `SHOW CLUSTER SETTING version`: the active cluster version, typed like CockroachDB's. */
    private showVersionSetting(rawName: string): ResultSet {
        return {
            columns: [textColumn(rawName)],
            rows: [[this.server.profile.clusterVersion]],
            tag: "SHOW CLUSTER SETTING 1",
        };
    }

    private changefeedContext(
        params: ReadonlyArray<string | null>,
        notices: string[],
    ): ChangefeedContext {
        const server = this.server;
        return {
            profile: server.profile,
            rangefeedsEnabled: () => server.settings.valueText("kv.rangefeed.enabled") === "true",
            notice: (text) => notices.push(text),
            user: this.user,
            database: server.database,
            jobs: server.jobs,
            privileges: server.privileges,
            now: () => server.clock.now(),
            gcThresholdSeconds: server.gcThresholdSeconds,
            bind: (value) => bindString(value, params),
            bindJobId: (value) => bindJobId(value, params),
            tableExists: (table) => server.tableExists(table),
        };
    }

    private async resolveTables(names: Parameters<typeof qualify>[0][]): Promise<QualifiedTable[]> {
        const tables: QualifiedTable[] = [];
        for (const name of names) {
            const table = qualify(name, this.server.database);
            if (!table || !(await this.server.tableExists(table))) {
                throw new CockroachError(
                    SQLSTATE.undefinedTable,
                    `relation "${name.parts.join(".")}" does not exist`,
                );
            }
            tables.push(table);
        }
        return tables;
    }

    private requireAdmin(action: string): void {
        if (this.server.privileges.isAdmin(this.user)) return;
        throw new CockroachError(
            SQLSTATE.insufficientPrivilege,
            `user ${this.user} does not have privilege to ${action}`,
        );
    }

    private requireAdminOr(privilege: string, name: string): void {
        if (this.server.privileges.hasSystemPrivilege(this.user, privilege)) return;
        throw new CockroachError(
            SQLSTATE.insufficientPrivilege,
            `user ${this.user} does not have ${name} privilege`,
        );
    }

    private selectBuiltins(items: ReadonlyArray<{ builtin: string; column: string }>): ResultSet {
        const columns: Column[] = [];
        const row: string[] = [];
        for (const item of items) {
            switch (item.builtin) {
                case "cluster_id":
                    columns.push({ name: item.column, oid: OID.uuid });
                    row.push(this.server.clusterId);
                    break;
                case "version":
                    columns.push(textColumn(item.column));
                    row.push(this.server.version);
                    break;
                case "node_executable_version":
                    columns.push(textColumn(item.column));
                    row.push(this.server.profile.clusterVersion);
                    break;
                case "cluster_logical_timestamp":
                    columns.push({ name: item.column, oid: OID.numeric });
                    row.push(formatDecimal(this.server.clock.now()));
                    break;
                case "current_user":
                    columns.push(textColumn(item.column));
                    row.push(this.user);
                    break;
                case "is_admin":
                    columns.push(boolColumn(item.column));
                    row.push(this.server.privileges.isAdmin(this.user) ? "t" : "f");
                    break;
            }
        }
        return { columns, rows: [row], tag: "SELECT 1" };
    }
}

function placeholder(index: number, params: ReadonlyArray<string | null>): string {
    const value = params[index - 1];
    if (value === undefined) {
        throw new CockroachError("42P02", `no value provided for placeholder: $${index}`);
    }
    if (value === null) {
        throw new CockroachError(
            SQLSTATE.invalidParameterValue,
            `expected $${index} to be of type string, found NULL`,
        );
    }
    return value;
}

function bindString(value: StringOrPlaceholder, params: ReadonlyArray<string | null>): string {
    return value.kind === "string" ? value.value : placeholder(value.index, params);
}

function bindSetting(value: SettingExpr, params: ReadonlyArray<string | null>): SettingLiteral {
    if (value.kind === "placeholder")
        return { kind: "string", value: placeholder(value.index, params) };
    return value;
}

function bindJobId(value: JobIdExpr, params: ReadonlyArray<string | null>): string {
    const text =
        value.kind === "int"
            ? value.text
            : value.kind === "string"
              ? value.value
              : placeholder(value.index, params);
    if (!/^\d+$/.test(text.trim())) {
        throw new CockroachError(
            SQLSTATE.invalidTextRepresentation,
            `could not parse "${text}" as type int: strconv.ParseInt: parsing "${text}": invalid syntax`,
        );
    }
    return BigInt(text.trim()).toString();
}
