/**
 * A create/update that stopped half-way. CONFIGURE ZONE is not undone by a later failure, so
 * when a statement took effect — or was sent without an answer, whose outcome is unknown — the
 * zones are re-read on a new session and a PartialStateError records the prior values captured
 * before the first change (whatever the re-read shows: an unanswered statement may still take
 * effect later), so the next `pulumi up` converges and destroy can restore.
 */
import { PartialStateError } from "../../kernel/partialState";
import type { GcTtlConfig, GcTtlInputs, PriorZone, ZoneReading } from "../types";
import { outputsOf } from "./outputs";
import { answered, type OpenSession } from "./session";

export interface FailureContext {
    id: string;
    inputs: GcTtlInputs;
    config: GcTtlConfig;
    previous: Record<string, PriorZone>;
    clusterId: string;
    /** Zones a CONFIGURE ZONE was sent for, answered or not. */
    attempted: readonly string[];
    /** Zones whose CONFIGURE ZONE was answered with success. */
    applied: readonly string[];
}

export async function partialFailure(
    err: unknown,
    open: OpenSession,
    secrets: ReadonlyArray<string | undefined>,
    context: FailureContext,
): Promise<unknown> {
    if (context.attempted.length === 0) return err;
    if (answered(err) && context.applied.length === 0) return err;
    const reread = await open(context.config.connection, secrets, async (session) => {
        const current: Record<string, ZoneReading> = {};
        for (const [name, prior] of Object.entries(context.previous)) {
            current[name] = await session.read(prior.target);
        }
        return current;
    }).catch(() => undefined);
    const facts = [
        ...(context.applied.length > 0 ? [`already applied: ${context.applied.join(", ")}`] : []),
        reread
            ? "the zones were re-read; the prior values are recorded (a statement without an answer may still take effect)"
            : "the cluster could not be re-read, so every zone this step may have changed is recorded with its prior value",
    ];
    return new PartialStateError(
        context.id,
        outputsOf(context.inputs, context.config, {
            previous: context.previous,
            current: reread ?? {},
            clusterId: context.clusterId,
        }) as unknown as Record<string, unknown>,
        [`${(err as Error).message} (${facts.join("; ")}; the next update converges)`],
    );
}
