export { clusterSettingsProvider } from "./clusterSettings";
export { targetGrantsProvider } from "./targetGrants";
export { changefeedProvider } from "./changefeed";
export { replicatorAuthKeyProvider } from "./replicatorAuthKey";
export { forwardDrainGateProvider } from "./forwardDrainGate";
export { preflightProvider } from "./preflight";
