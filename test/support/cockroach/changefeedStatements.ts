/**
 * CREATE CHANGEFEED, SHOW CHANGEFEED JOB(S), PAUSE/RESUME/CANCEL JOB and ALTER CHANGEFEED for one
 * session, in CockroachDB's validation order (docs/cockroachdb-behaviour.md, "CREATE CHANGEFEED:
 * validation order").
 */
import { CockroachError, SQLSTATE, uncategorized } from "./errors";
import {
    UNALTERABLE_OPTIONS,
    changefeedDescription,
    checkInitialScanConflicts,
    optionSpecsFor,
    parseOptionEntries,
    sinkScheme,
    validateForCreateChangefeed,
    validateSink,
    type ChangefeedOptionMap,
    type OptionEntry,
} from "./changefeedOptions";
import { checkCursorAgainstGc, evaluateCursor, gcThresholdAt, hlcString } from "./cursor";
import type { CockroachProfile } from "./profiles";
import { compareHlc, formatDecimal, parseDecimal, type Hlc } from "./hlc";
import type { Job, JobRegistry, QualifiedTable } from "./jobs";
import { formatName } from "./lexer";
import type { AlterCommand, JobIdExpr, OptionExpr, StringOrPlaceholder, TableName } from "./parser";
import type { PrivilegeModel } from "./privileges";
import { OID, type ResultSet, textColumn } from "./results";

/** What the changefeed statements need from the session and server. */
export interface ChangefeedContext {
    user: string;
    database: string;
    jobs: JobRegistry;
    privileges: PrivilegeModel;
    now(): Hlc;
    gcThresholdSeconds: number;
    profile: CockroachProfile;
    /** `kv.rangefeed.enabled` as the cluster has it now. */
    rangefeedsEnabled(): boolean;
    /** Sends a NOTICE with the statement's result. */
    notice(text: string): void;
    bind(value: StringOrPlaceholder): string;
    bindJobId(value: JobIdExpr): string;
    tableExists(table: QualifiedTable): Promise<boolean>;
}

/** Resolves a 1–3 part name against the server's one database and `public` (contract data model). */
export function qualify(name: TableName, database: string): QualifiedTable | undefined {
    const [a, b, c] = name.parts;
    if (name.parts.length === 1) return { database, schema: "public", table: a as string };
    if (name.parts.length === 2) {
        return a === database
            ? { database, schema: "public", table: b as string }
            : { database, schema: a as string, table: b as string };
    }
    if (a !== database) return undefined;
    return { database, schema: b as string, table: c as string };
}

const displayName = (name: TableName) => name.parts.map(formatName).join(".");
const qualifiedName = (t: QualifiedTable) =>
    [t.database, t.schema, t.table].map(formatName).join(".");

function bindOptions(ctx: ChangefeedContext, options: readonly OptionExpr[]): OptionEntry[] {
    return options.map((o) => ({ key: o.key, value: o.value === null ? null : ctx.bind(o.value) }));
}

async function resolveTargets(
    ctx: ChangefeedContext,
    targets: readonly TableName[],
    cursor: Hlc | undefined,
): Promise<QualifiedTable[]> {
    const resolved: QualifiedTable[] = [];
    for (const target of targets) {
        const table = qualify(target, ctx.database);
        if (!table || !(await ctx.tableExists(table))) {
            throw uncategorized(
                `failed to resolve targets in the CHANGEFEED stmt: table "${displayName(target)}" does not exist`,
                cursor
                    ? `do the targets exist at the specified cursor time ${hlcString(cursor)}?`
                    : undefined,
            );
        }
        if (!resolved.some((t) => t.schema === table.schema && t.table === table.table))
            resolved.push(table);
    }
    return resolved;
}

function requireChangefeedPrivilege(
    ctx: ChangefeedContext,
    tables: readonly QualifiedTable[],
): void {
    if (ctx.privileges.isAdmin(ctx.user)) return;
    if (tables.every((t) => ctx.privileges.hasTablePrivilege(ctx.user, t, "CHANGEFEED"))) return;
    throw new CockroachError(
        SQLSTATE.insufficientPrivilege,
        `user ${ctx.user} requires the CHANGEFEED privilege on all target tables to be able to run an enterprise changefeed`,
    );
}

/** Whether a new changefeed scans its tables first (StatementOptions.GetInitialScanType). */
function wantsInitialScan(options: ChangefeedOptionMap): boolean {
    if ("initial_scan" in options) return options.initial_scan !== "no";
    if ("no_initial_scan" in options) return false;
    if ("initial_scan_only" in options) return true;
    return !("cursor" in options);
}

/** validateSettings: changefeeds other than initial-scan-only ones need rangefeeds. */
function requireRangefeeds(ctx: ChangefeedContext, options: ChangefeedOptionMap): void {
    const scanOnly = "initial_scan_only" in options || options.initial_scan === "only";
    if (scanOnly || ctx.rangefeedsEnabled()) return;
    throw uncategorized(
        `rangefeeds require the kv.rangefeed.enabled setting. See https://www.cockroachlabs.com/docs/v${ctx.profile.clusterVersion}/create-and-configure-changefeeds.html#enable-rangefeeds`,
    );
}

/** Deprecation notices of StatementOptions.DeprecationWarnings. */
function deprecationNotices(ctx: ChangefeedContext, options: ChangefeedOptionMap): void {
    if (options.format === "experimental_avro") {
        ctx.notice("avro is no longer experimental, use format=avro");
    } else if (
        ctx.profile.protectDataFromGcOnPauseRetired &&
        "protect_data_from_gc_on_pause" in options
    ) {
        ctx.notice("protect_data_from_gc_on_pause option is no longer needed");
    }
}

/**
 * Reading the target descriptors at the cursor time: below the GC threshold the read fails, and
 * the plan hook wraps that error with the cursor and the threshold.
 */
function readDescriptorsAt(ctx: ChangefeedContext, cursorText: string, cursor: Hlc): void {
    checkCursorAgainstGc(cursorText, cursor, gcThresholdAt(ctx.now(), ctx.gcThresholdSeconds));
}

/**
 * changefeed_stmt.go validateDetailsAndOptions: an end time before the statement time is
 * refused. A feed that stops at its end time is not modelled, so a valid one is refused too.
 */
function checkEndTime(options: ChangefeedOptionMap, statementTime: Hlc): void {
    const text = options.end_time;
    if (text == null) return;
    let endTime: Hlc | undefined;
    try {
        endTime = parseDecimal(text);
    } catch {
        endTime = undefined;
    }
    if (endTime && compareHlc(endTime, statementTime) < 0) {
        throw uncategorized(
            `specified end time ${formatDecimal(endTime)} cannot be less than statement time ${formatDecimal(statementTime)}`,
        );
    }
    throw new CockroachError(
        SQLSTATE.featureNotSupported,
        "end_time is not supported by the CockroachDB test server",
    );
}

export async function createChangefeed(
    ctx: ChangefeedContext,
    statement: { targets: TableName[]; sink: StringOrPlaceholder; options: OptionExpr[] },
): Promise<ResultSet> {
    const specs = optionSpecsFor(ctx.profile);
    const sinkUri = ctx.bind(statement.sink);
    if (sinkUri === "") {
        throw uncategorized("omit the SINK clause for inline results");
    }
    const options = parseOptionEntries(bindOptions(ctx, statement.options), specs);
    checkInitialScanConflicts(options);
    requireRangefeeds(ctx, options);
    deprecationNotices(ctx, options);
    const now = ctx.now();
    let cursor: Hlc | undefined;
    if (options.cursor != null) {
        cursor = evaluateCursor(options.cursor, now);
        readDescriptorsAt(ctx, options.cursor, cursor);
    }
    const tables = await resolveTargets(ctx, statement.targets, cursor);
    requireChangefeedPrivilege(ctx, tables);
    validateForCreateChangefeed(options, specs);
    checkEndTime(options, cursor ?? now);
    validateSink(sinkUri, options);
    const job = ctx.jobs.create(
        ctx.user,
        ctx.privileges.isAdmin(ctx.user),
        { targetNames: statement.targets.map(displayName), tables, sinkUri, options },
        cursor ?? now,
        wantsInitialScan(options),
    );
    return {
        columns: [{ name: "job_id", oid: OID.int8 }],
        rows: [[job.id]],
        tag: "CREATE CHANGEFEED 1",
    };
}

function findJob(ctx: ChangefeedContext, id: string): Job {
    const job = ctx.jobs.get(id);
    if (!job) throw uncategorized(`job with ID ${id} does not exist`);
    return job;
}

/** jobsauth: admin, owner, the job privilege, or CHANGEFEED on every watched table (§6.4, §6.6). */
function canAccess(ctx: ChangefeedContext, job: Job, privilege: "CONTROLJOB" | "VIEWJOB"): boolean {
    const { privileges, user } = ctx;
    if (privileges.isAdmin(user)) return true;
    if (job.ownerIsAdmin) return false;
    if (job.owner === user) return true;
    if (privileges.hasSystemPrivilege(user, "CONTROLJOB")) return true;
    if (privilege === "VIEWJOB" && privileges.hasSystemPrivilege(user, "VIEWJOB")) return true;
    return job.definition.tables.every((t) => privileges.hasTablePrivilege(user, t, "CHANGEFEED"));
}

function requireControl(ctx: ChangefeedContext, job: Job): void {
    if (canAccess(ctx, job, "CONTROLJOB")) return;
    if (job.ownerIsAdmin && !ctx.privileges.isAdmin(ctx.user)) {
        throw new CockroachError(
            SQLSTATE.insufficientPrivilege,
            "only admins can control jobs owned by other admins",
        );
    }
    throw new CockroachError(
        SQLSTATE.insufficientPrivilege,
        `user ${ctx.user} does not have privileges for job ${job.id}`,
    );
}

export function showChangefeedJobs(
    ctx: ChangefeedContext,
    jobId: JobIdExpr | undefined,
): ResultSet {
    const visible = ctx.jobs.all().filter((job) => canAccess(ctx, job, "VIEWJOB"));
    if (jobId === undefined) return ctx.jobs.show(visible, true);
    const id = ctx.bindJobId(jobId);
    return ctx.jobs.show(
        visible.filter((job) => job.id === id),
        false,
    );
}

export function controlJob(
    ctx: ChangefeedContext,
    action: "pause" | "resume" | "cancel",
    jobId: JobIdExpr,
): ResultSet {
    const job = findJob(ctx, ctx.bindJobId(jobId));
    requireControl(ctx, job);
    ctx.jobs[action](job);
    return { columns: [], rows: [], tag: `${action.toUpperCase()} JOBS 1` };
}

function alterError(message: string): CockroachError {
    return new CockroachError(SQLSTATE.invalidParameterValue, message);
}

export async function alterChangefeed(
    ctx: ChangefeedContext,
    statement: { jobId: JobIdExpr; commands: AlterCommand[] },
): Promise<ResultSet> {
    let id: string;
    try {
        id = ctx.bindJobId(statement.jobId);
    } catch {
        throw new CockroachError(SQLSTATE.datatypeMismatch, "changefeed ID must be an INT value");
    }
    const job = ctx.jobs.get(id);
    if (!job) {
        throw uncategorized(
            `could not load job with job id ${id}: job with ID ${id} does not exist`,
        );
    }
    requireControl(ctx, job);
    if (job.status !== "paused") throw uncategorized(`job ${job.id} is not paused`);
    const specs = optionSpecsFor(ctx.profile);

    const previous = job.definition;
    let tables = [...previous.tables];
    const options: ChangefeedOptionMap = { ...previous.options };
    let sinkUri = previous.sinkUri;
    const scanTables: string[] = [];
    const same = (a: QualifiedTable, b: QualifiedTable) =>
        a.schema === b.schema && a.table === b.table;

    for (const command of statement.commands) {
        if (command.kind === "set") {
            const entries = bindOptions(ctx, command.options);
            for (const entry of entries) {
                if (UNALTERABLE_OPTIONS.has(entry.key))
                    throw alterError(`cannot alter option "${entry.key}"`);
            }
            const validated = parseOptionEntries(entries, specs, { sink: { kind: "string" } });
            for (const [key, value] of Object.entries(validated)) {
                if (key === "sink") {
                    const newSink = value ?? "";
                    const [newScheme, oldScheme] = [sinkScheme(newSink), sinkScheme(sinkUri)];
                    if (newScheme !== oldScheme) {
                        throw alterError(
                            `New sink type "${newScheme}" does not match original sink type "${oldScheme}". ` +
                                "Altering the sink type of a changefeed is disallowed, consider creating a new changefeed instead.",
                        );
                    }
                    sinkUri = newSink;
                } else {
                    options[key] = value;
                }
            }
        } else if (command.kind === "unset") {
            for (const key of command.keys) {
                if (key === "sink") throw alterError(`cannot unset option "sink"`);
                if (UNALTERABLE_OPTIONS.has(key)) throw alterError(`cannot alter option "${key}"`);
                if (!(key in specs)) throw alterError(`invalid option "${key}"`);
                delete options[key];
            }
        } else if (command.kind === "add") {
            const targetOptions = bindOptions(ctx, command.options);
            let scan = false;
            for (const option of targetOptions) {
                if (option.key === "initial_scan") {
                    const value = option.value ?? "";
                    if (!["", "yes", "no", "only"].includes(value)) {
                        throw alterError(
                            `cannot set "initial_scan" to "${value}". possible values for initial_scan are "yes", "no", "only", or no value`,
                        );
                    }
                    scan = value === "" || value === "yes";
                } else if (option.key !== "no_initial_scan") {
                    throw uncategorized(`invalid option "${option.key}"`);
                }
            }
            if (
                targetOptions.some((o) => o.key === "initial_scan") &&
                targetOptions.some((o) => o.key === "no_initial_scan")
            ) {
                throw alterError(`cannot specify both "initial_scan" and "no_initial_scan"`);
            }
            for (const target of command.targets) {
                const table = qualify(target, ctx.database);
                if (!table || !(await ctx.tableExists(table))) {
                    throw alterError(`target "${displayName(target)}" does not exist`);
                }
                // Up to 26.1 a table already watched is taken again without a word (and, being
                // among the existing spans, is not scanned again); 26.2 refuses it.
                if (tables.some((t) => same(t, table))) continue;
                tables.push(table);
                if (scan) scanTables.push(`${table.schema}.${table.table}`);
            }
        } else {
            for (const target of command.targets) {
                const table = qualify(target, ctx.database);
                if (!table || !(await ctx.tableExists(table))) {
                    throw alterError(`target "${displayName(target)}" does not exist`);
                }
                if (!tables.some((t) => same(t, table))) {
                    throw alterError(
                        `target "${displayName(target)}" already not watched by changefeed`,
                    );
                }
                tables = tables.filter((t) => !same(t, table));
            }
            if (tables.length === 0) throw alterError("cannot drop all targets");
        }
    }
    checkInitialScanConflicts(options);
    requireRangefeeds(ctx, options);
    requireChangefeedPrivilege(ctx, tables);
    try {
        validateForCreateChangefeed(options, specs);
        validateSink(sinkUri, options);
    } catch (err) {
        // alterTableChangefeed wraps what createChangefeedJobRecord reports.
        if (err instanceof CockroachError) {
            throw new CockroachError(
                err.code,
                `failed to alter changefeed: ${err.message}`,
                err.hint,
            );
        }
        throw err;
    }
    // The rebuilt job description leaves out the initial-scan options of the original.
    for (const key of ["initial_scan", "no_initial_scan"]) delete options[key];
    const targetNames = tables.map(qualifiedName);
    const description = changefeedDescription(targetNames, sinkUri, options);
    ctx.jobs.alter(job, { targetNames, tables, sinkUri, options }, description, scanTables);
    return {
        columns: [{ name: "job_id", oid: OID.int8 }, textColumn("job_description")],
        rows: [[job.id, description]],
        tag: "ALTER CHANGEFEED 1",
    };
}
