/**
 * The CockroachDB side shared by every provider: connection parsing and sessions, quoting,
 * durations, HLC timestamps, errors and the replicator's staging schema. Providers and resources
 * import from this module, not from its files.
 */
export * from "./connection";
export * from "./durations";
export * from "./errors";
export * from "./hlc";
export * from "./quoting";
export * from "./session";
export * from "./stagingSchema";
export { safeDecode } from "../kernel/redact";
