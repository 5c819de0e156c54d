/**
 * Pure planning for GcTtl: the steps create, update and delete run, as the statements apply
 * sends (built by the same functions), with their bound parameters and what is only known once
 * the zones are read at apply.
 */
import { zoneName } from "./check";
import {
    copyTtlFromParent,
    discardZone,
    SELECT_CLUSTER_ID,
    selectOwnZone,
    setTtl,
    showZone,
} from "./sql";
import type { GcTtlConfig, GcTtlOutputs, PriorZone, ZoneTarget } from "./types";

/** One step: a statement, its bound parameters, why it runs, and what apply decides. */
export interface Step {
    sql: string;
    params: readonly string[];
    note: string;
    /** Set when whether (or how) the step runs depends on what apply reads. */
    atApply?: string;
}

function identity(recorded: boolean): Step {
    return {
        sql: SELECT_CLUSTER_ID,
        params: [],
        note: recorded
            ? "must match the cluster this state belongs to, or nothing is changed"
            : "the cluster's identity, compared on later updates, refreshes and deletes",
    };
}

function reads(target: ZoneTarget, why: string): Step[] {
    const own = selectOwnZone(target);
    return [
        {
            sql: own.sql,
            params: own.params,
            note: `${zoneName(target)}: what the zone sets itself (${why})`,
        },
        {
            sql: showZone(target),
            params: [],
            note: `${zoneName(target)}: the value it inherits`,
            atApply: "only when the zone does not set gc.ttlseconds itself",
        },
    ];
}

function setStep(target: ZoneTarget, seconds: number): Step {
    return {
        sql: setTtl(target, seconds),
        params: [],
        note: zoneName(target),
        atApply: `skipped if the zone already sets gc.ttlseconds = ${seconds}`,
    };
}

/** How a managed zone is put back; which form runs depends on the zone at apply. */
function restoreSteps(prior: PriorZone, stackSeconds: number, otherFields: boolean): Step[] {
    const name = zoneName(prior.target);
    const atApply = `skipped if the zone no longer holds ${stackSeconds} (someone changed it)`;
    const read = reads(prior.target, "to restore");
    if (prior.origin === "set") {
        return [
            ...read,
            {
                sql: setTtl(prior.target, prior.ttlSeconds),
                params: [],
                note: `${name}: back to its prior value`,
                atApply,
            },
        ];
    }
    return [
        ...read,
        otherFields
            ? {
                  sql: copyTtlFromParent(prior.target),
                  params: [],
                  note: `${name}: inherited before; the zone sets other fields, so the parent's value is copied`,
                  atApply,
              }
            : {
                  sql: discardZone(prior.target),
                  params: [],
                  note: `${name}: inherited before; gc.ttlseconds is the zone's only field`,
                  atApply,
              },
    ];
}

export function planCreate(config: GcTtlConfig): Step[] {
    return [
        identity(false),
        ...config.targets.flatMap((target) => [
            ...reads(target, "recorded with the value in effect as previous"),
            setStep(target, config.ttlSeconds),
        ]),
    ];
}

export function planUpdate(olds: GcTtlOutputs, config: GcTtlConfig): Step[] {
    const kept = new Set(config.targets.map(zoneName));
    return [
        identity(true),
        ...Object.entries(olds.previous ?? {})
            .filter(([name]) => !kept.has(name))
            .flatMap(([name, prior]) =>
                restoreSteps(
                    prior,
                    olds.ttlSeconds,
                    (olds.current?.[name]?.otherFields.length ?? 0) > 0,
                ),
            ),
        ...config.targets.flatMap((target) => [
            ...reads(target, "prior value recorded if not yet"),
            setStep(target, config.ttlSeconds),
        ]),
    ];
}

export function planDelete(olds: GcTtlOutputs): Step[] {
    const managed = Object.entries(olds.previous ?? {});
    if ((olds.onDelete ?? "restore") === "retain" || managed.length === 0) return [];
    return [
        identity(true),
        ...managed.flatMap(([name, prior]) =>
            restoreSteps(
                prior,
                olds.ttlSeconds,
                (olds.current?.[name]?.otherFields.length ?? 0) > 0,
            ),
        ),
    ];
}
