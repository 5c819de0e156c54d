export { clusterSettingsProvider } from "./clusterSettings";
export { gcTtlProvider } from "./gcTtl";
export { targetGrantsProvider } from "./targetGrants";
export { changefeedProvider } from "./changefeed";
export { replicatorAuthKeyProvider } from "./replicatorAuthKey";
export { forwardDrainGateProvider } from "./forwardDrainGate";
export { preflightProvider } from "./preflight";
