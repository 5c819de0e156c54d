/**
 * Reads a Pulumi state file (as the `file://` backend stores it) and reports how big it is and
 * what each dynamic resource contributes, including the serialized provider (`__provider`,
 * stored in both inputs and outputs; encrypted as a secret).
 */

export interface ResourceSize {
    type: string;
    name: string;
    /** Bytes of the resource's JSON in state. */
    bytes: number;
    /** Bytes of `__provider` in inputs + outputs as stored (ciphertext when secret). */
    providerBytes: number;
}

export interface StateSize {
    /** Bytes of the whole state file. */
    totalBytes: number;
    resources: ResourceSize[];
}

interface StateResource {
    type: string;
    urn: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/** Sizes of a state file's content; `text` is the file exactly as stored. */
export function measureState(text: string): StateSize {
    const parsed = JSON.parse(text) as {
        checkpoint?: { latest?: { resources?: StateResource[] } };
    };
    const resources = (parsed.checkpoint?.latest?.resources ?? []).map((r): ResourceSize => {
        const stored = (v: unknown) => (v === undefined ? 0 : JSON.stringify(v).length);
        return {
            type: r.type,
            name: r.urn.split("::").pop() ?? r.urn,
            bytes: JSON.stringify(r).length,
            providerBytes: stored(r.inputs?.__provider) + stored(r.outputs?.__provider),
        };
    });
    return { totalBytes: Buffer.byteLength(text, "utf8"), resources };
}
