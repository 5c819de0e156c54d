/**
 * The target dialects, declared once. Everything that differs between target databases is a
 * member of a {@link TargetDialect}; a new dialect is one file defining it plus one entry in
 * {@link TARGET_DIALECTS}.
 */
import type { TargetDialect } from "./dialect";
import { mysql } from "./mysql";
import { oracle } from "./oracle";
import { postgres } from "./postgres";
import type { Dialect } from "./types";

export type { FailbackRules, ParsedConnection, TargetDialect } from "./dialect";
export type { Dialect } from "./types";

/** Every target dialect, in the order error messages list them. */
export const TARGET_DIALECTS: readonly TargetDialect[] = [postgres, mysql, oracle];

/** The names of the dialects (`"postgres"`, …). */
export const DIALECT_NAMES: readonly Dialect[] = TARGET_DIALECTS.map((d) => d.name);

/** The dialect named `name`, or undefined when there is none. */
export function targetDialect(name: unknown): TargetDialect | undefined {
    return TARGET_DIALECTS.find((d) => d.name === name);
}

/** The dialect named `name`; throws for an unknown name (state or inputs check already vetted). */
export function requireDialect(name: unknown): TargetDialect {
    const dialect = targetDialect(name);
    if (!dialect) {
        throw new Error(
            `unknown target dialect ${JSON.stringify(name)}; expected ${DIALECT_NAMES.map((n) => `"${n}"`).join(", ")}`,
        );
    }
    return dialect;
}

/** The dialect a URL's scheme implies, or undefined for an unsupported or unparseable URL. */
export function dialectOfScheme(url: string): TargetDialect | undefined {
    const match = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim());
    const scheme = match?.[1]?.toLowerCase();
    return scheme ? TARGET_DIALECTS.find((d) => d.schemes.includes(scheme)) : undefined;
}

/** `postgres://, postgresql://, mysql:// or oracle://` */
export function schemeList(schemes: readonly string[]): string {
    const list = schemes.map((s) => `${s}//`);
    return list.length > 1
        ? `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`
        : list.join("");
}
