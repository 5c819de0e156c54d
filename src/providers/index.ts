export { targetGrantsProvider } from "./targetGrants";
export { replicatorAuthKeyProvider } from "./replicatorAuthKey";
export { forwardDrainGateProvider } from "./forwardDrainGate";
