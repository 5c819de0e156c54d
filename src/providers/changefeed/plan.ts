/**
 * Pure planning for Changefeed: the sink URI and tables of a set of inputs, the ALTER that
 * takes a running feed from the old inputs to the new, and the secrets to scrub from messages.
 */
import { connectionTarget } from "../cockroach";
import { alterableOptions, optionChanges } from "./options";
import { buildSinkUri, encodeSinkParam } from "./sink";
import type { AlterPlan } from "./sql";
import { resolveTables } from "./tables";
import { type ChangefeedInputs, type ChangefeedOutputs, FINISHED_STATUSES } from "./types";

/** The connection's database (what one- and two-part table names resolve against). */
export function defaultDatabase(inputs: Pick<ChangefeedInputs, "connection">): string {
    return connectionTarget(inputs.connection)?.database ?? "defaultdb";
}

/** The sink URI the inputs describe. */
export function sinkUriOf(inputs: ChangefeedInputs): string {
    return buildSinkUri(inputs.webhookUrl, {
        caCertPem: inputs.caCertPem,
        clientCertPem: inputs.clientCertPem,
        clientKeyPem: inputs.clientKeyPem,
    });
}

/**
 * Every secret that could end up in a message: scrubbed before anything is thrown. `sinkUri` is
 * the inputs' sink URI when the caller has built it already.
 */
export function secretsOf(
    inputs: Partial<ChangefeedInputs> & { sinkUri?: string },
    sinkUri?: string,
): string[] {
    const out: string[] = [];
    for (const value of [
        inputs.connection,
        inputs.stagingConnection,
        inputs.sinkUri,
        inputs.clientKeyPem,
        inputs.authToken,
    ]) {
        if (value) out.push(value);
    }
    if (inputs.clientKeyPem) {
        out.push(
            Buffer.from(inputs.clientKeyPem).toString("base64"),
            encodeSinkParam(inputs.clientKeyPem),
        );
    }
    if (sinkUri !== undefined) out.push(sinkUri);
    else if (inputs.webhookUrl && inputs.caCertPem) {
        try {
            out.push(sinkUriOf(inputs as ChangefeedInputs));
        } catch {
            // inputs that do not describe a sink have no sink URI to hide
        }
    }
    return out;
}

/**
 * The ALTER CHANGEFEED that takes a running feed from `olds` to `news` (`newSink`: the sink URI
 * of `news`, when already built).
 */
export function planAlter(
    olds: ChangefeedOutputs,
    news: ChangefeedInputs,
    newSink: string = sinkUriOf(news),
): AlterPlan {
    const database = defaultDatabase(news);
    const before = resolveTables(olds.tables ?? [], database);
    const after = resolveTables(news.tables ?? [], database);
    const beforeKeys = new Set(before.map((t) => t.key));
    const afterKeys = new Set(after.map((t) => t.key));
    const { set, unset } = optionChanges(alterableOptions(olds), alterableOptions(news));
    return {
        add: after.filter((t) => !beforeKeys.has(t.key)),
        addInitialScan: news.addedTablesInitialScan ?? true,
        drop: before.filter((t) => !afterKeys.has(t.key)),
        ...(newSink !== olds.sinkUri ? { sink: newSink } : {}),
        set,
        unset,
    };
}

/** True when the job can never run again and `update` must start a new one. */
export function needsRecreate(status: string | undefined): boolean {
    return status === undefined || FINISHED_STATUSES.has(status);
}

/**
 * The cursor a recreated job starts from: the stored high-water mark (every change at or
 * before it was delivered), else the cursor the old job started from.
 *
 * For a failed job the docs say to start "after the failure event". The high-water is at or
 * before the failure, so starting there re-emits the changes between the last checkpoint and
 * the failure (the replicator applies duplicates idempotently) and loses none; a cursor past
 * the failure could skip changes that were never delivered. If the cause of the failure is
 * still there, the new job fails the same way and the operator sees it, instead of a gap.
 */
export function recreateCursor(olds: ChangefeedOutputs): string {
    return olds.highWaterTimestamp ?? olds.cursor;
}
