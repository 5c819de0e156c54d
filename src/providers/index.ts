export { targetGrantsProvider } from "./targetGrants";
export { replicatorAuthKeyProvider } from "./replicatorAuthKey";
