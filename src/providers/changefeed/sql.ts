/**
 * The statements the Changefeed provider issues. The sink URI and secret-bearing option values
 * are bound as placeholders (`$n`), never rendered into the text; other option values are
 * string literals; table names are quoted identifiers; job ids are checked to be integers.
 * Values known only at apply (the cursor, the user) are typed slots filled in by `Sql.bind`.
 * `preview` is the statement with `<redacted>` in place of each secret, safe to log.
 */
import { quoteIdent, stringLiteral } from "../cockroach";
import type { RenderedOption } from "./options";
import type { TableRef } from "./tables";
import type { AtApply, AtApplyValues } from "./types";

export type { AtApply, AtApplyValues } from "./types";

/** A statement with its bound values and a loggable rendering. */
export interface Statement {
    text: string;
    params: string[];
    preview: string;
}

/** How a secret is shown in a statement's preview. */
export const REDACTED_SQL = "<redacted>";

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

/** A secret: bound as a placeholder, shown as `shown` (e.g. the redacted sink) in a preview. */
export interface Secret {
    secret: string;
    shown: string;
}

type Part = string | Secret | AtApply;

/** `<what, resolved at apply>` (the preview's rendering of an {@link AtApply}). */
export function atApplyText(slot: Pick<AtApply, "label">): string {
    return `<${slot.label}, resolved at apply>`;
}

/**
 * A statement as a plan holds it: text with secrets and values resolved at apply kept apart.
 * `bind` gives what is sent (secrets as `$n`), `show` what a preview prints.
 */
export class Sql implements Statement {
    constructor(readonly parts: readonly Part[]) {}

    /** The text and parameters to send; throws when a value resolved at apply is missing. */
    bind(values: AtApplyValues = {}): { text: string; params: string[] } {
        const params: string[] = [];
        const text = this.parts
            .map((part) => {
                if (typeof part === "string") return part;
                if ("secret" in part) {
                    params.push(part.secret);
                    return `$${params.length}`;
                }
                const value = values[part.atApply];
                if (value === undefined) throw new Error(`${part.label} is resolved at apply`);
                return part.atApply === "currentUser" ? quoteIdent(value) : stringLiteral(value);
            })
            .join("");
        return { text, params };
    }

    /** The loggable rendering: secrets as shown, values resolved at apply as placeholders. */
    show(): string {
        return this.parts
            .map((part) => {
                if (typeof part === "string") return part;
                if ("secret" in part) return part.shown;
                return part.atApply === "cursor" ? `'${atApplyText(part)}'` : atApplyText(part);
            })
            .join("");
    }

    get text(): string {
        return this.bind().text;
    }

    get params(): string[] {
        return this.bind().params;
    }

    get preview(): string {
        return this.show();
    }
}

/** A plain statement without secrets or values resolved at apply. */
export function plainSql(text: string): Sql {
    return new Sql([text]);
}

/** Accumulates text, secrets and values resolved at apply in order. */
class StatementBuilder {
    readonly #parts: Part[] = [];

    plain(sql: string): this {
        this.#parts.push(sql);
        return this;
    }

    slot(part: Secret | AtApply): this {
        this.#parts.push(part);
        return this;
    }

    options(options: readonly RenderedOption[]): this {
        options.forEach((option, i) => {
            if (i > 0) this.plain(", ");
            this.plain(option.key);
            if (option.atApply) {
                this.plain(" = ").slot(option.atApply);
                return;
            }
            if (option.value === undefined) return;
            this.plain(" = ");
            if (option.secret) this.slot({ secret: option.value, shown: REDACTED_SQL });
            else this.plain(stringLiteral(option.value));
        });
        return this;
    }

    build(): Sql {
        return new Sql(this.#parts);
    }
}

/** A secret given as its value alone is shown as `<redacted>`. */
function secretOf(value: string | Secret): Secret {
    return typeof value === "string" ? { secret: value, shown: REDACTED_SQL } : value;
}

/** `CREATE CHANGEFEED FOR TABLE a, b INTO $1 WITH …`. */
export function createChangefeed(
    tables: readonly TableRef[],
    sinkUri: string | Secret,
    options: readonly RenderedOption[],
): Sql {
    return new StatementBuilder()
        .plain(`CREATE CHANGEFEED FOR TABLE ${tables.map((t) => t.sql).join(", ")} INTO `)
        .slot(secretOf(sinkUri))
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

/**
 * One `ALTER CHANGEFEED <id> ADD … DROP … SET … UNSET …` (option key `sink`, never `sink_uri`);
 * `sinkShown` is how a preview shows the new sink.
 */
export function alterChangefeed(jobId: string, plan: AlterPlan, sinkShown = REDACTED_SQL): Sql {
    const b = new StatementBuilder().plain(`ALTER CHANGEFEED ${checkedJobId(jobId)}`);
    if (plan.add.length > 0) {
        b.plain(` ADD ${plan.add.map((t) => t.sql).join(", ")}`);
        b.plain(` WITH initial_scan = ${plan.addInitialScan ? "'yes'" : "'no'"}`);
    }
    if (plan.drop.length > 0) b.plain(` DROP ${plan.drop.map((t) => t.sql).join(", ")}`);
    if (plan.sink !== undefined) {
        b.plain(" SET sink = ").slot({ secret: plan.sink, shown: sinkShown });
        if (plan.set.length > 0) b.plain(", ").options(plan.set);
    } else if (plan.set.length > 0) b.plain(" SET ").options(plan.set);
    if (plan.unset.length > 0) b.plain(` UNSET ${plan.unset.join(", ")}`);
    return b.build();
}
