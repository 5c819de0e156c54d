/**
 * How `Failback`'s messages name each target dialect — the short name, the phrase "a … target"
 * and the shape of the webhook path — derived from the dialect registry.
 */
import { TARGET_DIALECTS, type Dialect } from "../../providers/targets";

/** A dialect as Failback's messages name it. */
export interface FailbackDialectFacts {
    /** The short name: `PostgreSQL`, `MySQL`, `Oracle`. */
    name: string;
    /** `a PostgreSQL target`, `an Oracle target`. */
    aTarget: string;
    /** The webhook path's shape: `/<database>/<schema>`, `/<database>`, `/<SCHEMA>`. */
    webhookPath: string;
}

export const FAILBACK_DIALECT_FACTS: Readonly<Record<Dialect, FailbackDialectFacts>> =
    Object.fromEntries(
        TARGET_DIALECTS.map(({ name, failback }) => [
            name,
            {
                name: failback.shortName,
                aTarget: `${failback.article} ${failback.shortName} target`,
                webhookPath: `/${failback.schemaPlaceholders.join("/")}`,
            },
        ]),
    ) as Record<Dialect, FailbackDialectFacts>;
