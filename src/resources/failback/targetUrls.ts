/**
 * The target's connection URLs as the component checks them against `target.dialect` and
 * `target.database`: scheme per dialect (from the dialect registry), database and user. Pure;
 * never echoes a URL.
 */
import { safeDecode } from "../../providers/kernel/redact";
import type { TargetDialect } from "../../providers/targets";
import { FAILBACK_DIALECT_FACTS } from "./dialectFacts";

/** What the component reads from a target URL. */
export interface ParsedTargetUrl {
    database: string;
    user: string;
}

/** The URL's database and user, or a problem naming `label` when its scheme is not the dialect's. */
export function checkTargetUrl(
    label: string,
    url: string,
    schemes: readonly string[],
    dialect: TargetDialect,
    problems: string[],
): ParsedTargetUrl | undefined {
    let parsed: URL | undefined;
    try {
        parsed = new URL(url.trim());
    } catch {
        parsed = undefined;
    }
    if (!parsed || !schemes.includes(parsed.protocol.toLowerCase())) {
        problems.push(
            `${label} must start with ${listSchemes(schemes)}: target.dialect is "${dialect.name}" ` +
                `(${FAILBACK_DIALECT_FACTS[dialect.name].name})`,
        );
        return undefined;
    }
    return {
        database: safeDecode(parsed.pathname.replace(/^\//, "")),
        user: safeDecode(parsed.username),
    };
}

/** `a://`, `a:// or b://`, `a://, b:// or c://`. */
function listSchemes(schemes: readonly string[]): string {
    const forms = schemes.map((s) => `${s}//`);
    return forms.length === 1
        ? forms[0]!
        : `${forms.slice(0, -1).join(", ")} or ${forms[forms.length - 1]!}`;
}

/** Whether the URL's user is the grantee (a dialect that folds unquoted names compares folded). */
export function sameUser(dialect: TargetDialect, user: string, grantee: string): boolean {
    return dialect.nameCase === "upper"
        ? user.toUpperCase() === grantee.toUpperCase()
        : user === grantee;
}
