/**
 * The wait of ForwardDrainGate's create: scrape the forward replicator's metrics until the apply
 * counters have not moved for the quiet period, or give up with an error that says what was
 * seen and what to do. Time and scraping are injected so the policy is testable without waiting.
 *
 * Failure policy:
 * - a definitive failure (HTTP 4xx, a body that is not Prometheus text, a TLS failure) ends the
 *   wait at once: waiting will not fix a wrong URL;
 * - an endpoint that never answered is given {@link unreachableGraceMs} (at least 30 s or three
 *   polls, at most the timeout), then it is an error naming the URL;
 * - an endpoint that answered and then stopped answering (the forward replicator was stopped
 *   before the quiet period was confirmed) is given the same grace — a restarting pod comes
 *   back — and then it is an error: the gate cannot confirm the drain, only the operator can;
 * - an endpoint that answers without any apply counter for the watched schema (a typo in
 *   `schema`, another service's metrics, an empty body) has nothing to measure: unchanged
 *   nothing is no drain. It is given the same grace for the counters to appear (the replicator
 *   creates a table's series when it first applies to it), then it is an error naming the
 *   schemas that do have counters.
 *
 * While it waits it logs a progress line every few seconds (the counters and how long they
 * have been unchanged, or why there is nothing to measure yet).
 */
import { progressOf } from "../kernel/progress";
import { redactUrl } from "../kernel/redact";
import { aggregateCounters, DELETES_METRIC, startTimeOf, UPSERTS_METRIC } from "./counters";
import { DrainTracker, type Observation } from "./quietPeriod";
import { metricsEndpoint, type ScrapeFailure, type ScrapeResult } from "./scrape";

/** Longest single scrape. */
export const FETCH_TIMEOUT_MS = 10_000;
/** Minimum grace for an endpoint that does not answer. */
export const UNREACHABLE_GRACE_MS = 30_000;

export interface GateSettings {
    metricsUrl: string;
    schema?: string;
    quietMs: number;
    timeoutMs: number;
    pollMs: number;
    /** Where progress lines go while waiting; none when absent. */
    progress?: (line: string) => void;
    /** Time between two progress lines; default 5000 ms. */
    progressIntervalMs?: number;
}

export interface GateClock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export type Scraper = (metricsUrl: string, timeoutMs: number) => Promise<ScrapeResult>;

export interface GatePassed {
    /** When the quiet period was confirmed. */
    passedAt: number;
    /** The last observation (its counters are the drained values). */
    last: Observation;
    /** When the final values were first seen. */
    quietSince: number;
    /** Non-fatal findings for the operator. */
    warnings: string[];
}

/** The gate gave up; the message says why and what to do. */
export class DrainGateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DrainGateError";
    }
}

export const SYSTEM_CLOCK: GateClock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** How long an endpoint may go unanswered before the gate gives up. */
export function unreachableGraceMs(settings: GateSettings): number {
    return Math.min(settings.timeoutMs, Math.max(UNREACHABLE_GRACE_MS, 3 * settings.pollMs));
}

/** Polls until the counters are quiet; throws {@link DrainGateError} when it cannot pass. */
export async function waitForDrain(
    settings: GateSettings,
    scrape: Scraper,
    clock: GateClock = SYSTEM_CLOCK,
): Promise<GatePassed> {
    const start = clock.now();
    const deadline = start + settings.timeoutMs;
    const grace = unreachableGraceMs(settings);
    const tracker = new DrainTracker(settings.quietMs);
    let unansweredSince: number | undefined;
    let uncountedSince: number | undefined;
    let lastFailure: ScrapeFailure | undefined;
    const progress = progressOf(
        `forward replication to drain (${UPSERTS_METRIC} + ${DELETES_METRIC}` +
            `${settings.schema === undefined ? "" : ` of schema ${settings.schema}`} unchanged for ` +
            `${seconds(settings.quietMs)})`,
        settings.progress ?? (() => undefined),
        settings.progressIntervalMs,
        () => clock.now(),
    );

    for (;;) {
        const remaining = deadline - clock.now();
        const result = await scrape(
            settings.metricsUrl,
            Math.min(FETCH_TIMEOUT_MS, Math.max(1000, remaining)),
        );
        const at = clock.now();
        if (result.ok) {
            unansweredSince = undefined;
            const snapshot = (() => {
                try {
                    return aggregateCounters(result.samples, settings.schema);
                } catch (err) {
                    throw new DrainGateError(
                        `${describeEndpoint(settings)} serves an invalid counter: ` +
                            `${(err as Error).message}`,
                    );
                }
            })();
            if (!snapshot.matched) {
                uncountedSince ??= at;
                if (at - uncountedSince >= grace || at >= deadline) {
                    throw new DrainGateError(noCountersMessage(settings, snapshot.bySchema));
                }
                progress.observe(nothingToMeasure(settings, snapshot.bySchema));
            } else {
                uncountedSince = undefined;
                const startedAt = startTimeOf(result.samples);
                const state = tracker.observe({
                    at,
                    totals: snapshot.totals,
                    bySchema: snapshot.bySchema,
                    ...(startedAt === undefined ? {} : { startedAt }),
                });
                if (state.drained) {
                    return {
                        passedAt: at,
                        last: tracker.last!,
                        quietSince: tracker.stableSince ?? at,
                        warnings: [],
                    };
                }
                progress.observe(
                    `${countersText(snapshot.totals)}, ` +
                        (state.changed
                            ? "changed at the last scrape"
                            : `unchanged for ${seconds(state.quietForMs)} of ${seconds(settings.quietMs)}`),
                );
            }
        } else {
            lastFailure = result;
            if (result.definitive) throw new DrainGateError(wrongEndpointMessage(settings, result));
            unansweredSince ??= at;
            progress.observe(`no answer (${result.kind}: ${result.detail})`);
            if (at - unansweredSince >= grace || at >= deadline) {
                throw new DrainGateError(
                    tracker.last
                        ? stoppedAnsweringMessage(settings, tracker, result, at)
                        : neverAnsweredMessage(settings, result, at - start),
                );
            }
        }
        if (at >= deadline) {
            throw new DrainGateError(timeoutMessage(settings, tracker, lastFailure));
        }
        await clock.sleep(Math.min(settings.pollMs, deadline - at));
    }
}

const WHAT_TO_DO =
    "What to do: stop the writes to the source database so forward replication can drain, then " +
    "run `pulumi up` again (or raise timeoutSeconds); or, once you have verified by hand that it " +
    "has drained (sum by (schema) (rate(apply_upserts_total[1m]) + rate(apply_deletes_total[1m])) " +
    "is 0 for every schema, or no new 'upserted rows' log lines), set drained: true.";

function describeEndpoint(settings: GateSettings): string {
    const filter = settings.schema === undefined ? "" : ` (schema ${settings.schema})`;
    return `the forward replicator's metrics endpoint ${redactUrl(metricsEndpoint(settings.metricsUrl).toString())}${filter}`;
}

function seconds(ms: number): string {
    return `${Math.round(ms / 100) / 10} s`;
}

function rate(value: number): string {
    return value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2);
}

function countersText(totals: { upserts: number; deletes: number }): string {
    return `${UPSERTS_METRIC}=${totals.upserts}, ${DELETES_METRIC}=${totals.deletes}`;
}

/** The schemas that have apply counters, as the replicator labels them. */
function schemasWithCounters(bySchema: ReadonlyMap<string, unknown>): string {
    return [...bySchema.keys()].map((k) => k || "(no schema label)").join(", ");
}

/** Progress text while the endpoint answers without counters for the watched schema. */
function nothingToMeasure(settings: GateSettings, bySchema: ReadonlyMap<string, unknown>): string {
    return bySchema.size === 0
        ? `no ${UPSERTS_METRIC}/${DELETES_METRIC} counters served yet`
        : `no counters for schema "${settings.schema}" yet (schemas with counters: ${schemasWithCounters(bySchema)})`;
}

/** The error when there is nothing to measure: never "drained". */
function noCountersMessage(settings: GateSettings, bySchema: ReadonlyMap<string, unknown>): string {
    const forSchema =
        settings.schema === undefined ? "" : `no counters for schema "${settings.schema}": `;
    const found =
        bySchema.size === 0
            ? `${describeEndpoint(settings)} serves no ${UPSERTS_METRIC}/${DELETES_METRIC} counters at all, ` +
              "so there is nothing to measure a drain by. metricsUrl must be the forward replicator's " +
              "--metricsAddr endpoint (e.g. http://replicator-forward:30005/_/varz); the replicator creates a " +
              "table's counters when it first applies a row to it, so a forward replicator that has applied " +
              "nothing since it started has none."
            : `${UPSERTS_METRIC}/${DELETES_METRIC} are served only for the schemas ${schemasWithCounters(bySchema)} ` +
              `at ${describeEndpoint(settings)}. Check \`schema\` (the replicator labels the target schema as its ` +
              "dotted name, e.g. defaultdb.public), or leave it out to watch every schema.";
    return (
        `${forSchema}${found} An unchanged nothing is no drain, so the gate does not pass. If forward ` +
        "replication was verified drained and stopped by hand, set drained: true."
    );
}

function wrongEndpointMessage(settings: GateSettings, failure: ScrapeFailure): string {
    return (
        `${describeEndpoint(settings)} is not a Prometheus metrics endpoint: ${failure.detail}. ` +
        "metricsUrl must be the forward replicator's --metricsAddr endpoint, e.g. " +
        "http://replicator-forward:30005/_/varz. If forward replication was verified drained " +
        "and stopped by hand, set drained: true."
    );
}

function neverAnsweredMessage(
    settings: GateSettings,
    failure: ScrapeFailure,
    waitedMs: number,
): string {
    return (
        `${describeEndpoint(settings)} never answered in ${seconds(waitedMs)} (${failure.kind}: ` +
        `${failure.detail}). Is metricsUrl right (host, port of --metricsAddr, /_/varz) and is ` +
        "the forward replicator running with --metricsAddr? If forward replication was already " +
        "verified drained and stopped by hand, set drained: true."
    );
}

function stoppedAnsweringMessage(
    settings: GateSettings,
    tracker: DrainTracker,
    failure: ScrapeFailure,
    now: number,
): string {
    const last = tracker.last!;
    const quiet = last.at - (tracker.stableSince ?? last.at);
    return (
        `${describeEndpoint(settings)} stopped answering (${failure.kind}: ${failure.detail}) ` +
        `before the quiet period of ${seconds(settings.quietMs)} was confirmed; the counters had ` +
        `been unchanged for ${seconds(quiet)} when they were last read ${seconds(now - last.at)} ` +
        `ago (${countersText(last.totals)}). ` +
        "If the forward replicator was stopped on purpose after it drained, set drained: true; " +
        "otherwise start it again and rerun `pulumi up`."
    );
}

function timeoutMessage(
    settings: GateSettings,
    tracker: DrainTracker,
    lastFailure: ScrapeFailure | undefined,
): string {
    const last = tracker.last;
    const parts = [
        `forward replication did not drain within ${seconds(settings.timeoutMs)}: ` +
            `${UPSERTS_METRIC} + ${DELETES_METRIC} at ${describeEndpoint(settings)} did not stay ` +
            `unchanged for ${seconds(settings.quietMs)}.`,
    ];
    if (last) {
        const rates = tracker.recentRates();
        if (rates.length > 0) {
            parts.push(
                `Rows applied per second over the last ${rates.length} windows (oldest first): ` +
                    rates
                        .map(
                            (r) =>
                                `${rate(r.rowsPerSecond)} (upserts ${rate(r.upsertsPerSecond)}, ` +
                                `deletes ${rate(r.deletesPerSecond)}; ${seconds(r.seconds * 1000)})`,
                        )
                        .join(", ") +
                    ".",
            );
        }
        const moving = tracker.movingSchemas();
        if (moving.length > 0) {
            parts.push(
                `Moving in the last window: ${moving
                    .map((m) => `${m.schema || "(no schema label)"} ${rate(m.rowsPerSecond)}/s`)
                    .join(", ")}.`,
            );
        }
        const quiet = last.at - (tracker.stableSince ?? last.at);
        parts.push(`Last counters: ${countersText(last.totals)}, unchanged for ${seconds(quiet)}.`);
        if (tracker.resets > 0) {
            parts.push(
                `The counters went down ${tracker.resets} time(s): the forward replicator restarted.`,
            );
        }
        if (tracker.restarts > 0) {
            parts.push(
                `The replicator's start time (cdc_sink_start_seconds) changed ${tracker.restarts} ` +
                    "time(s) between scrapes: the forward replicator restarted, or metricsUrl reaches more " +
                    "than one replica (a Service in front of several pods) whose counters differ. Point " +
                    "metricsUrl at one replicator process (its pod address), the one that applies.",
            );
        }
    }
    if (lastFailure) parts.push(`Last scrape failure: ${lastFailure.detail}.`);
    parts.push(WHAT_TO_DO);
    return parts.join(" ");
}
