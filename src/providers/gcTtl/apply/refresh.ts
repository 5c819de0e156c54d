/** Refresh (read) and destroy (delete): both check the cluster's identity before anything else. */
import type { GcTtlOutputs, ZoneReading } from "../types";
import type { Warn } from "./converge";
import { putBack, putBackWarning } from "./restore";
import type { OpenSession } from "./session";

/** Reads every managed zone back; drift shows in `current`. */
export async function refresh(open: OpenSession, props: GcTtlOutputs): Promise<GcTtlOutputs> {
    return open(props.connection, [], async (session) => {
        await session.requireCluster(props.clusterId, "refresh");
        const current: Record<string, ZoneReading> = {};
        for (const [name, prior] of Object.entries(props.previous)) {
            current[name] = await session.read(prior.target);
        }
        return { ...props, current };
    });
}

/** Puts every managed zone back (`onDelete: "restore"`), or leaves them (`"retain"`). */
export async function destroy(open: OpenSession, warn: Warn, props: GcTtlOutputs): Promise<void> {
    const managed = Object.values(props.previous);
    if (props.onDelete === "retain" || managed.length === 0) return;
    await open(props.connection, [], async (session) => {
        await session.requireCluster(props.clusterId, "delete");
        for (const prior of managed) {
            const outcome = await putBack(
                session,
                prior,
                props.ttlSeconds,
                await session.read(prior.target),
            );
            const warning = putBackWarning(prior, props.ttlSeconds, outcome);
            if (warning) await warn(warning);
        }
    });
}
