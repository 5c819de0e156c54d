/**
 * The CockroachDB side shared by every provider: connection parsing and sessions, quoting,
 * errors and the replicator's staging schema. Providers and resources import from this module,
 * not from its files.
 */
export * from "./connection";
export * from "./stagingSchema";
