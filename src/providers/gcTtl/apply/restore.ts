/**
 * Putting a zone's `gc.ttlseconds` back as it was before this stack changed it — but only while
 * the zone still holds this stack's value; a value someone changed since is left alone.
 *
 * A prior value that was set on the zone is set again. A prior value that was inherited is made
 * to inherit again with `CONFIGURE ZONE DISCARD` when `gc.ttlseconds` is the only field the zone
 * sets (the zone did not exist before, or only this stack's field is left). CockroachDB has no
 * statement that makes one field of a zone with other fields inherit again (`COPY FROM PARENT`
 * copies the parent's current value into the zone; docs/cockroachdb-behaviour.md, "Zone
 * configurations"), so then the field gets the parent's value with `COPY FROM PARENT` and a
 * warning says what differs.
 */
import { zoneName } from "../check";
import type { PriorZone, ZoneReading } from "../types";
import type { ZoneSession } from "./session";

/** What {@link putBack} did. */
export type PutBack =
    | { kind: "restored" | "unchanged" }
    | { kind: "pinned" }
    | { kind: "left"; current: ZoneReading };

/** True when `current` is the state `prior` describes. */
export function holds(
    current: ZoneReading,
    prior: Pick<PriorZone, "origin" | "ttlSeconds">,
): boolean {
    if (prior.origin === "inherited") return current.origin === "inherited";
    return current.origin === "set" && current.ttlSeconds === prior.ttlSeconds;
}

export async function putBack(
    session: ZoneSession,
    prior: PriorZone,
    stackSeconds: number,
    current: ZoneReading,
): Promise<PutBack> {
    if (holds(current, prior)) return { kind: "unchanged" };
    const ours = [stackSeconds, prior.setTo ?? stackSeconds];
    if (current.origin !== "set" || !ours.includes(current.ttlSeconds)) {
        return { kind: "left", current };
    }
    if (prior.origin === "set") {
        await session.set(prior.target, prior.ttlSeconds);
        return { kind: "restored" };
    }
    if (current.otherFields.length === 0) {
        await session.discard(prior.target);
        return { kind: "restored" };
    }
    await session.copyFromParent(prior.target);
    return { kind: "pinned" };
}

/** The warning for what {@link putBack} could not restore exactly. */
export function putBackWarning(
    prior: PriorZone,
    stackSeconds: number,
    outcome: PutBack,
): string | undefined {
    const name = zoneName(prior.target);
    const before =
        prior.origin === "inherited"
            ? "inherited from its parent zone"
            : `${prior.ttlSeconds} (set on the zone)`;
    if (outcome.kind === "left") {
        const now =
            outcome.current.origin === "inherited"
                ? `inherited (${outcome.current.ttlSeconds})`
                : `${outcome.current.ttlSeconds}`;
        return (
            `gc.ttlseconds of ${name} is now ${now}, not ${stackSeconds} as this stack set it: someone changed it ` +
            `after this stack did, so it is left as it is instead of being put back to ${before}.`
        );
    }
    if (outcome.kind === "pinned") {
        return (
            `gc.ttlseconds of ${name} was inherited from its parent zone before this stack set it, and the zone also ` +
            "sets other fields, which CockroachDB cannot make one field inherit again without: it now holds the " +
            "parent's current value (COPY FROM PARENT) but no longer follows the parent. To make it inherit " +
            `again, run ALTER ${name} CONFIGURE ZONE DISCARD and re-apply the zone's other fields.`
        );
    }
    return undefined;
}
