export { ClusterSettings, type ClusterSettingsArgs } from "./resources/clusterSettings";
export { GcTtl, type GcTtlArgs } from "./resources/gcTtl";
export {
    TargetGrants,
    type TargetGrantsArgs,
    type TargetGrantPair,
} from "./resources/targetGrants";
export {
    Changefeed,
    type ChangefeedArgs,
    type ChangefeedDeliveryVerificationArgs,
} from "./resources/changefeed";
export {
    ReplicatorHost,
    REPLICATOR_HOST_TYPE,
    DEFAULT_IMAGE,
    DEFAULT_ORACLE_IMAGE,
    type ReplicatorHostArgs,
    type ReplicatorTlsArgs,
    type ReplicatorAuthArgs,
    type ReplicatorExternalArgs,
    type ReplicatorTuningArgs,
    type ReplicatorServiceType,
    type TargetDialect,
} from "./resources/replicatorHost";
export { ReplicatorAuthKey, type ReplicatorAuthKeyArgs } from "./resources/replicatorAuthKey";
export { ForwardDrainGate, type ForwardDrainGateArgs } from "./resources/forwardDrainGate";
export {
    Failback,
    FAILBACK_TYPE,
    failbackWebhookPath,
    failbackTargetSchema,
    type FailbackArgs,
    type FailbackTargetArgs,
    type FailbackReplicatorArgs,
    type FailbackChangefeedArgs,
    type FailbackClusterSettingsArgs,
    type FailbackForwardDrainArgs,
    type FailbackForwardDrainedArgs,
    type FailbackSettingsPrevious,
} from "./resources/failback";
export { Preflight, type PreflightArgs } from "./resources/preflight";
