/**
 * Create and update: record each zone's prior `gc.ttlseconds` (value and origin) before the
 * first change, set the TTL where the zone does not already set it to this value, put back the
 * zones an update no longer manages, and read every zone back.
 */
import { newResourceId } from "../../kernel/ids";
import { zoneName } from "../check";
import type { GcTtlConfig, GcTtlInputs, GcTtlOutputs, PriorZone, ZoneReading } from "../types";
import { partialFailure } from "./failure";
import { outputsOf } from "./outputs";
import { putBack, putBackWarning } from "./restore";
import type { OpenSession, ZoneSession } from "./session";

/** Where warnings go (a zone left alone because someone changed it). */
export type Warn = (message: string) => Promise<void> | void;

async function setTargets(
    session: ZoneSession,
    config: GcTtlConfig,
    previous: Record<string, PriorZone>,
    applied: string[],
): Promise<Record<string, ZoneReading>> {
    const current: Record<string, ZoneReading> = {};
    for (const target of config.targets) {
        const name = zoneName(target);
        const reading = await session.read(target);
        const prior = previous[name] ?? {
            target,
            ttlSeconds: reading.ttlSeconds,
            origin: reading.origin,
        };
        previous[name] = prior;
        if (reading.origin !== "set" || reading.ttlSeconds !== config.ttlSeconds) {
            await session.set(target, config.ttlSeconds);
            applied.push(name);
        }
        previous[name] = { ...prior, setTo: config.ttlSeconds };
        // CONFIGURE ZONE answered: the zone now sets exactly this value (its other fields are
        // untouched), so no second read is needed.
        current[name] = { ...reading, ttlSeconds: config.ttlSeconds, origin: "set" };
    }
    return current;
}

export async function create(
    open: OpenSession,
    inputs: GcTtlInputs,
    config: GcTtlConfig,
): Promise<{ id: string; outs: GcTtlOutputs }> {
    const id = newResourceId("gcttl");
    const previous: Record<string, PriorZone> = {};
    const applied: string[] = [];
    let attempted: readonly string[] = [];
    let clusterId = "";
    try {
        return await open(config.connection, [], async (session) => {
            attempted = session.attempted;
            clusterId = await session.clusterId();
            const current = await setTargets(session, config, previous, applied);
            return { id, outs: outputsOf(inputs, config, { previous, current, clusterId }) };
        });
    } catch (err) {
        throw await partialFailure(err, open, [], {
            id,
            inputs,
            config,
            previous,
            clusterId,
            attempted,
            applied,
        });
    }
}

export async function update(
    open: OpenSession,
    warn: Warn,
    id: string,
    olds: GcTtlOutputs,
    inputs: GcTtlInputs,
    config: GcTtlConfig,
): Promise<GcTtlOutputs> {
    const secrets = [olds.connection];
    const previous: Record<string, PriorZone> = { ...olds.previous };
    const kept = new Set(config.targets.map(zoneName));
    const applied: string[] = [];
    let attempted: readonly string[] = [];
    let clusterId = olds.clusterId;
    try {
        return await open(config.connection, secrets, async (session) => {
            attempted = session.attempted;
            clusterId = await session.requireCluster(olds.clusterId, "update");
            for (const [name, prior] of Object.entries(olds.previous)) {
                if (kept.has(name)) continue;
                const outcome = await putBack(
                    session,
                    prior,
                    olds.ttlSeconds,
                    await session.read(prior.target),
                );
                if (outcome.kind === "restored" || outcome.kind === "pinned") applied.push(name);
                const warning = putBackWarning(prior, olds.ttlSeconds, outcome);
                if (warning) await warn(warning);
                delete previous[name];
            }
            const current = await setTargets(session, config, previous, applied);
            return outputsOf(inputs, config, { previous, current, clusterId });
        });
    } catch (err) {
        throw await partialFailure(err, open, secrets, {
            id,
            inputs,
            config,
            previous,
            clusterId,
            attempted,
            applied,
        });
    }
}
