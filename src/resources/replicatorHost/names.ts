/** Names and URLs derived from ReplicatorHost arguments. Pure. */
import { isIP } from "node:net";

import type { TargetDialect } from "./args";
import { HOST_DIALECTS } from "./dialects";

/** A DNS-1035 label (what a Service name must be). */
const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The default Service name for a component name: lower case, other characters → `-`. */
export function defaultServiceName(componentName: string): string {
    const cleaned = componentName
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^[^a-z]+/, "")
        .slice(0, 63)
        .replace(/-+$/, "");
    return cleaned === "" ? "replicator" : cleaned;
}

/** True when `name` can be a Service (and namespace) name. */
export function isDnsLabel(name: string): boolean {
    return DNS_LABEL.test(name);
}

/**
 * The in-cluster DNS names of the Service, shortest first: `<svc>`, `<svc>.<ns>`,
 * `<svc>.<ns>.svc`, `<svc>.<ns>.svc.<clusterDomain>`.
 */
export function serviceDnsNames(
    service: string,
    namespace: string,
    clusterDomain: string,
): string[] {
    return [
        service,
        `${service}.${namespace}`,
        `${service}.${namespace}.svc`,
        `${service}.${namespace}.svc.${clusterDomain}`,
    ];
}

/** Splits host names into DNS names and IP addresses (certificate SAN kinds). */
export function splitHostnames(names: readonly string[]): { dns: string[]; ip: string[] } {
    return {
        dns: names.filter((name) => isIP(name) === 0),
        ip: names.filter((name) => isIP(name) !== 0),
    };
}

/** The webhook path for a target schema: `/<db>/<schema>` or `/<name>`, each part URL-escaped. */
export function webhookPathFor(targetSchema: readonly string[]): string {
    return `/${targetSchema.map(encodeURIComponent).join("/")}`;
}

/**
 * The target schema a webhook path names for `dialect` (the inverse of {@link webhookPathFor}),
 * or undefined when the path has the wrong number of segments.
 */
export function targetSchemaFromWebhookPath(
    dialect: TargetDialect,
    path: string,
): string[] | undefined {
    const segments = path.split("/").filter((segment) => segment !== "");
    if (segments.length !== HOST_DIALECTS[dialect].schemaParts.length) return undefined;
    try {
        return segments.map(decodeURIComponent);
    } catch {
        return undefined;
    }
}

/** Joins a base URL (`https://host:port`) and a path, with exactly one `/` between them. */
export function joinUrl(base: string, path: string): string {
    return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** An `external.url` reduced to what the component needs, or a problem. */
export interface ExternalEndpoint {
    /** `https://host:port` (the port always written). */
    origin: string;
    /** The host the server certificate must cover (brackets removed from IPv6). */
    host: string;
}

/** Parses `external.url`: must be `https://host[:port]`. */
export function parseExternalUrl(url: string): ExternalEndpoint | string {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return "external.url must be an absolute URL such as https://replicator.example.com:30004";
    }
    if (parsed.protocol !== "https:") {
        return "external.url must use https: CockroachDB webhook sinks only speak HTTPS";
    }
    if (parsed.username || parsed.password) {
        return "external.url must not contain credentials";
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    const port = parsed.port || "443";
    return { origin: `https://${parsed.hostname}:${port}`, host };
}
