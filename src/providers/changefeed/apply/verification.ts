/**
 * Delivery verification at apply: the staging session and the lower bound a checkpoint must
 * pass to prove that the replicator applied what the job delivered.
 */
import { type CockroachSession, connectCockroach, laterHlc } from "../../cockroach";
import { deliveryPartition } from "../delivery";
import type { ChangefeedConfig, DeliveryVerificationInputs } from "../types";
import { type DeliveryProof, latestCheckpoint, waitForDelivery } from "../verify";
import { type Ctx, failure } from "./context";

/** Delivery verification in progress: the staging session and the proof's lower bound. */
export interface Verification {
    staging: CockroachSession;
    verify: DeliveryVerificationInputs;
    /** Proof is a checkpoint strictly later than this DECIMAL HLC. */
    baseline: string;
}

/**
 * Runs `work` with a staging session when the config asks for delivery verification (else with
 * `undefined`). A staging cluster that cannot be reached is a clear error naming the (redacted)
 * server, raised before any job is created.
 */
export async function withOptionalStaging<T>(
    ctx: Ctx,
    config: ChangefeedConfig,
    secrets: readonly string[],
    work: (staging: CockroachSession | undefined) => Promise<T>,
): Promise<T> {
    if (!config.verify) return work(undefined);
    const { inputs } = config;
    let staging: CockroachSession;
    try {
        staging = await connectCockroach(
            inputs.stagingConnection ?? inputs.connection,
            secrets,
            ctx.timeouts,
        );
    } catch (err) {
        const which = inputs.stagingConnection
            ? "verifyDelivery.stagingConnection"
            : "verifyDelivery.stagingConnection, defaulting to connection";
        throw failure(
            `delivery verification: cannot reach the staging cluster (${which}): ${(err as Error).message}`,
            secrets,
        );
    }
    try {
        return await work(staging);
    } finally {
        await staging.close();
    }
}

/** The proof's lower bound: the later of `from` and the checkpoint already recorded. */
export async function baselineOf(
    staging: CockroachSession,
    verify: DeliveryVerificationInputs,
    from: string,
): Promise<string> {
    const before = await latestCheckpoint(
        staging,
        verify.stagingSchema,
        deliveryPartition(verify.targetSchema),
    );
    return laterHlc(from, before.value) ?? from;
}

/** The verification of `config` from `from` on, or undefined without staging or verification. */
export async function verificationFrom(
    config: ChangefeedConfig,
    staging: CockroachSession | undefined,
    from: string | undefined,
): Promise<Verification | undefined> {
    const verify = config.verify;
    if (!staging || !verify || !from) return undefined;
    return { staging, verify, baseline: await baselineOf(staging, verify, from) };
}

/** Waits for proof that the replicator applied what job `jobId` delivered. */
export async function proveDelivery(
    ctx: Ctx,
    session: CockroachSession,
    config: ChangefeedConfig,
    jobId: string,
    verification: Verification,
): Promise<DeliveryProof> {
    return waitForDelivery(session, verification.staging, {
        jobId,
        config,
        verify: verification.verify,
        baseline: verification.baseline,
        pollMs: ctx.deliveryPollMs,
    });
}
