/**
 * ClusterSettings create, update, read and delete: each runs its plan's steps on one session.
 *
 * A statement without a server answer (a cut connection, a timeout) has an unknown outcome: the
 * cluster is re-read on a new session before anything is recorded, and the prior values
 * captured before the first change are kept whatever that read shows. Restoring (update
 * dropping a setting, delete) only touches a setting that still holds the value this stack set;
 * a value an operator changed since is left alone with a warning.
 */
import type * as pulumi from "@pulumi/pulumi";

import { newResourceId } from "../../kernel/ids";
import { planCreate, planDelete, planUpdate } from "../plan";
import type {
    ClusterSettingsConfig,
    ClusterSettingsOutputs,
    PriorSetting,
    SettingValue,
} from "../types";
import type { ApplyContext } from "./context";
import { answered, outputsOf, partialFailure, requireSameCluster } from "./failure";
import { SettingsSession } from "./session";
import { runSteps, type StepsState } from "./steps";

function newState(
    action: StepsState["action"],
    olds?: Pick<ClusterSettingsOutputs, "clusterId" | "previous" | "types">,
): StepsState {
    return {
        expectedClusterId: olds?.clusterId,
        action,
        clusterId: olds?.clusterId ?? "",
        previous: { ...(olds?.previous ?? {}) },
        types: { ...(olds?.types ?? {}) },
        applied: [],
        confirmed: [],
    };
}

export async function create(
    ctx: ApplyContext,
    config: ClusterSettingsConfig,
): Promise<pulumi.dynamic.CreateResult<ClusterSettingsOutputs>> {
    const id = newResourceId("clustersettings");
    const { desired } = config;
    const state = newState("create");
    const attempted: string[] = [];
    try {
        return await ctx.open(config.connection, [], async (sql) => {
            const session = new SettingsSession(sql, attempted);
            await runSteps(session, planCreate(desired), state, ctx);
            const values = await session.readBack(Object.keys(desired));
            const { previous, types, clusterId } = state;
            return {
                id,
                outs: outputsOf(config.inputs, { desired, values, previous, types, clusterId }),
            };
        });
    } catch (err) {
        throw await partialFailure(err, ctx.open, [], {
            id,
            config,
            desired,
            previous: state.previous,
            types: state.types,
            clusterId: state.clusterId,
            applied: state.applied,
            attempted,
        });
    }
}

export async function update(
    ctx: ApplyContext,
    id: string,
    olds: ClusterSettingsOutputs,
    config: ClusterSettingsConfig,
): Promise<pulumi.dynamic.UpdateResult<ClusterSettingsOutputs>> {
    const secrets = [olds.connection];
    const { desired } = config;
    // Until confirmed, a dropped setting stays recorded (prior value and this stack's value).
    const state = newState("update", olds);
    const dropping: Record<string, SettingValue> = {};
    for (const name of Object.keys(state.previous)) {
        const value = olds.desired?.[name];
        if (!(name in desired) && value !== undefined) dropping[name] = value;
    }
    const attempted: string[] = [];
    try {
        const outs = await ctx.open(config.connection, secrets, async (sql) => {
            const session = new SettingsSession(sql, attempted);
            await runSteps(session, planUpdate(olds, desired), state, ctx);
            const values = await session.readBack(Object.keys(desired));
            const previous: Record<string, PriorSetting> = { ...state.previous };
            const types = { ...state.types };
            for (const name of state.confirmed) {
                delete previous[name];
                delete types[name];
            }
            return outputsOf(config.inputs, {
                desired,
                values,
                previous,
                types,
                clusterId: state.clusterId,
            });
        });
        return { outs };
    } catch (err) {
        for (const name of state.confirmed) delete dropping[name];
        if (!answered(err) || state.applied.length > 0) {
            throw await partialFailure(err, ctx.open, secrets, {
                id,
                config,
                desired: { ...dropping, ...desired },
                previous: state.previous,
                types: state.types,
                clusterId: state.clusterId,
                applied: state.applied,
                attempted,
            });
        }
        throw err;
    }
}

export async function read(
    ctx: ApplyContext,
    id: string,
    props: ClusterSettingsOutputs,
): Promise<pulumi.dynamic.ReadResult<ClusterSettingsOutputs>> {
    return ctx.open(props.connection, [], async (sql) => {
        const session = new SettingsSession(sql);
        await requireSameCluster(session, props.clusterId, "refresh");
        const values = await session.readBack(Object.keys(props.desired ?? {}));
        return { id, props: { ...props, values } };
    });
}

export async function remove(ctx: ApplyContext, props: ClusterSettingsOutputs): Promise<void> {
    const steps = planDelete(props);
    if (steps.length === 0) return;
    await ctx.open(props.connection, [], (sql) =>
        runSteps(new SettingsSession(sql), steps, newState("delete", props), ctx),
    );
}
