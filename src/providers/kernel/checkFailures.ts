import type * as pulumi from "@pulumi/pulumi";

/**
 * Collects every input problem found by a provider's `check`, so `pulumi preview` reports them
 * all at once.
 *
 * The engine prints a failure's property *value* next to its reason, so a problem with a
 * secret-bearing property is recorded with an empty `property` and the property named in the
 * reason instead.
 */
export class CheckFailures {
    readonly #failures: pulumi.dynamic.CheckFailure[] = [];

    /** Records a problem with a non-secret property. */
    add(property: string, reason: string): void {
        this.#failures.push({ property, reason });
    }

    /** Records a problem with a secret-bearing property without letting the engine echo its value. */
    addSecret(property: string, reason: string): void {
        this.#failures.push({ property: "", reason: `${property}: ${reason}` });
    }

    get list(): pulumi.dynamic.CheckFailure[] {
        return [...this.#failures];
    }

    get isEmpty(): boolean {
        return this.#failures.length === 0;
    }
}

/**
 * Throws every problem `check` would have reported, for a lifecycle method called with inputs
 * that did not pass it (the engine always runs `check` first; direct calls may not).
 */
export function assertNoProblems(
    resource: string,
    problems: readonly pulumi.dynamic.CheckFailure[],
): void {
    if (problems.length === 0) return;
    const reasons = problems.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason));
    throw new Error(`invalid ${resource} inputs: ${reasons.join("; ")}`);
}

/**
 * A `check` result: the inputs unchanged with `failures`; `preview` (a create's preview log)
 * runs only for inputs without failures.
 */
export function checkedInputs<T>(
    news: T,
    failures: pulumi.dynamic.CheckFailure[],
    preview: () => void,
): pulumi.dynamic.CheckResult<T> {
    if (failures.length === 0) preview();
    return { inputs: news, failures };
}
