/**
 * Mocks for ReplicatorHost tests: the shared recording harness (test/support/mocks/harness.ts)
 * with outputs shaped like the real ones for the tls resources and the ReplicatorAuthKey. No
 * engine, no plugin: dynamic providers are not called.
 */
import * as harness from "../../support/mocks/harness";

export {
    construct,
    type Construction,
    expectProgramError,
    forgetPendingPromises,
    isSecretEnvelope,
    plain,
    type Registration,
    registrations,
    SECRET_SIG,
    valueOf,
} from "../../support/mocks/harness";

export function installMocks(): Promise<void> {
    return harness.installMocks(harness.replicatorHostMockOutputs);
}
