/**
 * Size of each provider object as a dynamic resource stores it in state: the text produced by
 * `pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })`, which is exactly
 * what `dynamic.Resource` puts in the `__provider` property (reference/pulumi.md §B.4) — once in
 * the inputs and once in the outputs of every resource of that type.
 *
 * Every `*Provider` export of every `src/providers/<name>/index.ts` is measured, so providers
 * added later are picked up without changing this file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** Target from the brief: the serialized provider of one resource type stays under this. */
export const PROVIDER_SIZE_TARGET_BYTES = 16 * 1024;

export interface ProviderSize {
    /** `src/providers/<folder>` the export comes from. */
    folder: string;
    /** Export name, e.g. `targetGrantsProvider`. */
    exportName: string;
    /** Bytes of the serialized closure text (UTF-8). */
    bytes: number;
    /** Bytes one resource of this type carries in state (`__provider` in inputs and outputs). */
    bytesPerResourceInState: number;
}

const PROVIDERS_DIR = path.resolve(__dirname, "../../src/providers");

/** Serializes every exported provider object and returns their sizes, largest first. */
export async function measureProviderSizes(): Promise<ProviderSize[]> {
    const sizes: ProviderSize[] = [];
    for (const folder of fs.readdirSync(PROVIDERS_DIR).sort()) {
        const index = path.join(PROVIDERS_DIR, folder, "index.ts");
        if (!fs.existsSync(index)) continue;
        const mod = require(index) as Record<string, unknown>;
        for (const [exportName, value] of Object.entries(mod)) {
            if (!exportName.endsWith("Provider") || typeof value !== "object" || value === null) {
                continue;
            }
            const serialized = await pulumi.runtime.serializeFunction(() => value, {
                allowSecrets: true,
            });
            const bytes = Buffer.byteLength(serialized.text, "utf8");
            sizes.push({ folder, exportName, bytes, bytesPerResourceInState: 2 * bytes });
        }
    }
    return sizes.sort((a, b) => b.bytes - a.bytes);
}

/** The serialized text of one provider export (for the README and for debugging growth). */
export async function serializedProviderText(folder: string, exportName: string): Promise<string> {
    const mod = require(path.join(PROVIDERS_DIR, folder, "index.ts")) as Record<string, unknown>;
    const value = mod[exportName];
    return (await pulumi.runtime.serializeFunction(() => value, { allowSecrets: true })).text;
}
