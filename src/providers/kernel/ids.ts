import { randomBytes } from "node:crypto";

/** A random resource id: stable for the life of the resource, independent of server-side ids. */
export function newResourceId(prefix: string): string {
    return `${prefix}-${randomBytes(8).toString("hex")}`;
}
