/**
 * A recording stand-in for an oracledb thin connection, for testing TargetGrants' Oracle path
 * without a server. It records every round trip and keeps an in-memory dictionary (users,
 * roles, tables, object privileges) that answers the catalog query and applies the anonymous
 * PL/SQL blocks the provider sends, with Oracle's rules: only double-quoted identifiers (case
 * exact), GRANT/REVOKE on one object per statement, ORA-00942 for a missing table, ORA-01917 for
 * a missing grantee, ORA-01927 when revoking a privilege that is not granted or that another user
 * granted (only the grantor may revoke an object privilege; DBA_TAB_PRIVS.GRANTOR records who),
 * and a failing statement stops the block while earlier DDL stays done (it commits itself).
 * The session user is the connecting user, upper-cased as Oracle stores unquoted names.
 *
 * Fault injection for crash-point tests: {@link RecordingOracle.armCut} breaks the connection
 * that makes the k-th call, before the call reaches the "server" or after it ran but before the
 * answer arrives (ORA-03113, as node-oracledb reports a connection broken mid-call); the broken
 * connection refuses every later call.
 */
import { ORACLE_CATALOG_QUERY } from "../../../src/providers/targets/oracleCatalog";
import { ORACLE_TABLE_PRIVILEGES } from "../../../src/providers/targets/oracle";
import type {
    OracleConnectionLike,
    OracleConnector,
} from "../../../src/providers/targets/oracleSession";

export class OracleError extends Error {
    readonly errorNum: number;
    readonly code: string;
    constructor(errorNum: number, text: string) {
        const code = `ORA-${String(errorNum).padStart(5, "0")}`;
        super(`${code}: ${text}`);
        this.errorNum = errorNum;
        this.code = code;
    }
}

export interface RecordedCall {
    sql: string;
    binds: Record<string, unknown>;
}

/** The in-memory dictionary plus the log of round trips. */
export class RecordingOracle {
    readonly calls: RecordedCall[] = [];
    connects = 0;
    readonly users = new Set<string>(["ADMIN"]);
    readonly roles = new Set<string>();
    /** owner → table names */
    readonly tables = new Map<string, Set<string>>();
    /** `owner\0table\0grantee\0privilege` → grantor */
    readonly privileges = new Map<string, string>();
    private cut: { call: number; when: "before" | "after" } | undefined;
    /** When set, a GRANT on this table fails with this error (to test partial failure). */
    failGrantOn: { table: string; error: OracleError } | undefined;

    /** Breaks the connection on the `call`-th call from now (1-based), once. */
    armCut(call: number, when: "before" | "after"): void {
        this.cut = { call: this.calls.length + call, when };
    }

    /** True while a cut is armed and has not fired. */
    get cutArmed(): boolean {
        return this.cut !== undefined;
    }

    /** Every privilege with its grantor, sorted: the snapshot crash-point tests compare. */
    snapshot(): string[] {
        return [...this.privileges]
            .map(([k, grantor]) => `${k.split("\0").join(".")} by ${grantor}`)
            .sort();
    }

    addTable(owner: string, table: string): void {
        this.users.add(owner);
        const set = this.tables.get(owner) ?? new Set<string>();
        set.add(table);
        this.tables.set(owner, set);
    }

    /** DROP TABLE: Oracle drops the table's object grants with it. */
    dropTable(owner: string, table: string): void {
        this.tables.get(owner)?.delete(table);
        for (const key of [...this.privileges.keys()]) {
            if (key.startsWith(`${owner}\0${table}\0`)) this.privileges.delete(key);
        }
    }

    /** DROP USER … CASCADE of a grantee: its grants go with it. */
    dropUser(user: string): void {
        this.users.delete(user);
        for (const key of [...this.privileges.keys()]) {
            if (key.split("\0")[2] === user) this.privileges.delete(key);
        }
    }

    heldBy(grantee: string): string[] {
        return [...this.privileges.keys()]
            .map((k) => k.split("\0"))
            .filter(([, , g]) => g === grantee)
            .map(([o, t, , p]) => `${o}.${t}:${p}`)
            .sort();
    }

    /** A connector for `oracleSessionOpener`. */
    connector(): OracleConnector {
        return async (attributes) => {
            this.connects++;
            if (!attributes.user)
                throw new OracleError(1017, "invalid credential or not authorized; logon denied");
            const sessionUser = attributes.user.toUpperCase();
            let broken = false;
            const lost = () => new OracleError(3113, "end-of-file on communication channel");
            const connection: OracleConnectionLike = {
                execute: async <T>(sql: string, binds: Record<string, unknown>) => {
                    if (broken) throw lost();
                    this.calls.push({ sql, binds });
                    const cut = this.cut?.call === this.calls.length ? this.cut : undefined;
                    if (cut) {
                        this.cut = undefined;
                        broken = true;
                        if (cut.when === "before") throw lost();
                        this.execute(sql, binds, sessionUser);
                        throw lost();
                    }
                    return { rows: this.execute(sql, binds, sessionUser) as T[] };
                },
                close: async () => undefined,
            };
            return connection;
        };
    }

    private execute(sql: string, binds: Record<string, unknown>, user: string): unknown[] {
        if (sql === ORACLE_CATALOG_QUERY)
            return this.catalog(String(binds.owner), String(binds.grantee), user);
        if (/^BEGIN\n/.test(sql) && /\nEND;$/.test(sql)) {
            this.block(sql, user);
            return [];
        }
        throw new OracleError(900, "invalid SQL statement");
    }

    private catalog(owner: string, grantee: string, user: string): unknown[] {
        const rows: unknown[] = [
            {
                KIND: "meta",
                NAME: user,
                PRIV: null,
                GRANTOR: null,
                OWNER_COUNT: this.users.has(owner) ? 1 : 0,
                GRANTEE_COUNT:
                    (this.users.has(grantee) ? 1 : 0) + (this.roles.has(grantee) ? 1 : 0),
            },
        ];
        for (const table of this.tables.get(owner) ?? []) {
            rows.push({
                KIND: "table",
                NAME: table,
                PRIV: null,
                GRANTOR: null,
                OWNER_COUNT: 0,
                GRANTEE_COUNT: 0,
            });
        }
        for (const [key, grantor] of this.privileges) {
            const [o, t, g, p] = key.split("\0");
            if (o === owner && g === grantee) {
                rows.push({
                    KIND: "grant",
                    NAME: t,
                    PRIV: p,
                    GRANTOR: grantor,
                    OWNER_COUNT: 0,
                    GRANTEE_COUNT: 0,
                });
            }
        }
        return rows;
    }

    /** Applies each line of the block: `EXECUTE IMMEDIATE '…';` or a tolerant BEGIN … END; */
    private block(sql: string, user: string): void {
        const lines = sql.split("\n").slice(1, -1);
        for (const line of lines) {
            const tolerant =
                /^ {2}BEGIN EXECUTE IMMEDIATE '((?:[^']|'')*)'; EXCEPTION WHEN OTHERS THEN IF SQLCODE NOT IN \(([-\d, ]+)\) THEN RAISE; END IF; END;$/.exec(
                    line,
                );
            const plain = /^ {2}EXECUTE IMMEDIATE '((?:[^']|'')*)';$/.exec(line);
            const literal = tolerant?.[1] ?? plain?.[1];
            if (literal === undefined)
                throw new OracleError(6550, `PLS-00103: unexpected text: ${line}`);
            const statement = literal.replace(/''/g, "'");
            try {
                this.ddl(statement, user);
            } catch (err) {
                const ignored = (tolerant?.[2] ?? "").split(",").map((c) => Number(c.trim()));
                if (err instanceof OracleError && ignored.includes(-err.errorNum)) continue;
                throw err;
            }
        }
    }

    private ddl(statement: string, user: string): void {
        const m = /^(GRANT|REVOKE) ([A-Z, ]+) ON "([^"]+)"\."([^"]+)" (TO|FROM) "([^"]+)"$/.exec(
            statement,
        );
        if (!m) throw new OracleError(900, "invalid SQL statement");
        const [, verb, privList, owner, table, toFrom, grantee] = m as unknown as string[];
        if ((verb === "GRANT") !== (toFrom === "TO")) throw new OracleError(905, "missing keyword");
        const privileges = privList!.split(", ");
        for (const p of privileges) {
            if (!(ORACLE_TABLE_PRIVILEGES as readonly string[]).includes(p)) {
                throw new OracleError(990, "missing or invalid privilege");
            }
        }
        if (!this.tables.get(owner!)?.has(table!))
            throw new OracleError(942, "table or view does not exist");
        if (!this.users.has(grantee!) && !this.roles.has(grantee!)) {
            throw new OracleError(1917, `user or role '${grantee}' does not exist`);
        }
        const failure = this.failGrantOn;
        if (verb === "GRANT" && failure && failure.table === table) throw failure.error;
        for (const p of privileges) {
            const key = [owner, table, grantee, p].join("\0");
            if (verb === "GRANT") {
                if (!this.privileges.has(key)) this.privileges.set(key, user);
            } else if (this.privileges.get(key) !== user) {
                throw new OracleError(1927, "cannot REVOKE privileges you did not grant");
            } else this.privileges.delete(key);
        }
    }
}
