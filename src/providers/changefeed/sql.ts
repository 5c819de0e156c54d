/**
 * The statements the Changefeed provider issues. The sink URI and secret-bearing option values
 * are bound as placeholders (`$n`), never rendered into the text; other option values are
 * string literals; table names are quoted identifiers; job ids are checked to be integers.
 * `preview` is the statement with `<redacted>` in place of each secret, safe to log.
 */
import { quoteIdent, stringLiteral } from "../cockroach";
import type { RenderedOption } from "./options";
import type { TableRef } from "./tables";

/** A statement with its bound values and a loggable rendering. */
export interface Statement {
    text: string;
    params: string[];
    preview: string;
}

const REDACTED = "<redacted>";

export const SELECT_CLUSTER_LOGICAL_TIMESTAMP = "SELECT cluster_logical_timestamp()";
export const SELECT_CLUSTER_ID = "SELECT crdb_internal.cluster_id()";
export const SELECT_CURRENT_USER = "SELECT current_user";
export const SELECT_IS_ADMIN = "SELECT crdb_internal.is_admin()";
export const SHOW_CHANGEFEED_JOBS = "SHOW CHANGEFEED JOBS";

/** Throws unless `jobId` is a CockroachDB job id (an INT8). */
export function checkedJobId(jobId: string): string {
    if (!/^\d{1,20}$/.test(jobId)) throw new Error(`invalid changefeed job id "${jobId}"`);
    return jobId;
}

export function showChangefeedJob(jobId: string): string {
    return `SHOW CHANGEFEED JOB ${checkedJobId(jobId)}`;
}

export function pauseJob(jobId: string): string {
    return `PAUSE JOB ${checkedJobId(jobId)}`;
}

export function resumeJob(jobId: string): string {
    return `RESUME JOB ${checkedJobId(jobId)}`;
}

export function cancelJob(jobId: string): string {
    return `CANCEL JOB ${checkedJobId(jobId)}`;
}

/** The grants of `grantee` (a quoted identifier, {@link granteeSql}) on `tables`. */
export function showGrantsOnTables(tables: readonly TableRef[], grantee: string): string {
    return `SHOW GRANTS ON TABLE ${tables.map((t) => t.sql).join(", ")} FOR ${grantee}`;
}

/** The system privileges of `grantee` (a quoted identifier, {@link granteeSql}). */
export function showSystemGrants(grantee: string): string {
    return `SHOW SYSTEM GRANTS FOR ${grantee}`;
}

/** A user name as the grantee of the two statements above. */
export function granteeSql(user: string): string {
    return quoteIdent(user);
}

/** Accumulates text, placeholders and the redacted preview side by side. */
class StatementBuilder {
    #text = "";
    #preview = "";
    readonly #params: string[] = [];

    plain(sql: string): this {
        this.#text += sql;
        this.#preview += sql;
        return this;
    }

    secret(value: string): this {
        this.#params.push(value);
        this.#text += `$${this.#params.length}`;
        this.#preview += REDACTED;
        return this;
    }

    options(options: readonly RenderedOption[]): this {
        options.forEach((option, i) => {
            if (i > 0) this.plain(", ");
            this.plain(option.key);
            if (option.value === undefined) return;
            this.plain(" = ");
            if (option.secret) this.secret(option.value);
            else this.plain(stringLiteral(option.value));
        });
        return this;
    }

    build(): Statement {
        return { text: this.#text, params: [...this.#params], preview: this.#preview };
    }
}

/** `CREATE CHANGEFEED FOR TABLE a, b INTO $1 WITH …`. */
export function createChangefeed(
    tables: readonly TableRef[],
    sinkUri: string,
    options: readonly RenderedOption[],
): Statement {
    return new StatementBuilder()
        .plain(`CREATE CHANGEFEED FOR TABLE ${tables.map((t) => t.sql).join(", ")} INTO `)
        .secret(sinkUri)
        .plain(" WITH ")
        .options(options)
        .build();
}

/** The commands of one ALTER CHANGEFEED. */
export interface AlterPlan {
    add: TableRef[];
    /** `initial_scan` for added tables: `'yes'` replays their current rows. */
    addInitialScan: boolean;
    drop: TableRef[];
    /** The new sink URI, when it changes. */
    sink?: string;
    set: RenderedOption[];
    unset: string[];
}

/** True when the plan changes nothing. */
export function alterPlanIsEmpty(plan: AlterPlan): boolean {
    return (
        plan.add.length === 0 &&
        plan.drop.length === 0 &&
        plan.sink === undefined &&
        plan.set.length === 0 &&
        plan.unset.length === 0
    );
}

/** One `ALTER CHANGEFEED <id> ADD … DROP … SET … UNSET …` (option key `sink`, never `sink_uri`). */
export function alterChangefeed(jobId: string, plan: AlterPlan): Statement {
    const b = new StatementBuilder().plain(`ALTER CHANGEFEED ${checkedJobId(jobId)}`);
    if (plan.add.length > 0) {
        b.plain(` ADD ${plan.add.map((t) => t.sql).join(", ")}`);
        b.plain(` WITH initial_scan = ${plan.addInitialScan ? "'yes'" : "'no'"}`);
    }
    if (plan.drop.length > 0) b.plain(` DROP ${plan.drop.map((t) => t.sql).join(", ")}`);
    const set: RenderedOption[] = [...plan.set];
    if (plan.sink !== undefined) set.unshift({ key: "sink", value: plan.sink, secret: true });
    if (set.length > 0) b.plain(" SET ").options(set);
    if (plan.unset.length > 0) b.plain(` UNSET ${plan.unset.join(", ")}`);
    return b.build();
}
