/**
 * Create, planned once (`planCreate`): privilege check → cluster version check → adopt the
 * hand-made job (`adoptJobId`) or start a new one (`start.ts`). A failure once the cursor is taken keeps the cursor in state.
 */
import type * as pulumi from "@pulumi/pulumi";

import { newResourceId } from "../../kernel/ids";
import { requireOptionsOnClusterVersion } from "../clusterVersion";
import type { ChangefeedConfig } from "../types";
import { adopt } from "./adopt";
import { clusterId, type Ctx } from "./context";
import { checkPrivileges } from "./guards";
import { outputsOf, warnUnverified } from "./outputs";
import { planCreate, viewOf } from "../plan";
import { cursorKept } from "./recovery";
import { startFeed } from "./start";
import { withOptionalStaging } from "./verification";

export async function create(
    ctx: Ctx,
    config: ChangefeedConfig,
): Promise<pulumi.dynamic.CreateResult> {
    const id = newResourceId("changefeed");
    const { inputs, secrets } = config;
    const plan = planCreate(viewOf(config), inputs.adoptJobId);
    return ctx.open(inputs.connection, secrets, async (session) => {
        const cluster = await clusterId(session);
        await checkPrivileges(session, config, inputs.adoptJobId !== undefined);
        await requireOptionsOnClusterVersion(session, inputs.options);
        return withOptionalStaging(ctx, config, secrets, async (staging) => {
            if ("adopt" in plan) {
                const outs = await adopt(ctx, session, staging, config, plan.adopt, cluster);
                return { id, outs };
            }
            const { job, proof, cursor } = await startFeed(ctx, session, staging, config, {
                plan: plan.start,
                replaces: undefined,
                onFailure: (taken, err) => cursorKept(id, config, taken, cluster, err),
            });
            warnUnverified(config, job.jobId);
            return {
                id,
                outs: outputsOf(config, {
                    jobId: job.jobId,
                    cursor,
                    job,
                    clusterId: cluster,
                    proof,
                }),
            };
        });
    });
}
