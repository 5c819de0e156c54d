/**
 * The error shape the dynamic-provider host turns into "created but failed to initialize":
 * state records `id` and `properties`, and the next `pulumi up` calls `update` to converge.
 * Throw it when a non-transactional `create`/`update` stopped half-way.
 */
export class PartialStateError extends Error {
    readonly id: string;
    readonly properties: Record<string, unknown>;
    readonly reasons: string[];

    constructor(id: string, properties: Record<string, unknown>, reasons: string[]) {
        super(reasons.join("; "));
        this.name = "PartialStateError";
        this.id = id;
        this.properties = properties;
        this.reasons = reasons;
    }
}
