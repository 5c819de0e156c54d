export {
    TargetGrants,
    type TargetGrantsArgs,
    type TargetGrantPair,
} from "./resources/targetGrants";
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
