/**
 * How `Failback`'s messages name each target dialect, as data: the short name the component's
 * errors have always used (the registry's label says "MySQL/MariaDB"), the phrase "a … target"
 * and the shape of the webhook path. Everything else comes from the dialect registry.
 */
import type { Dialect } from "../../providers/targets";

/** A dialect as Failback's messages name it. */
export interface FailbackDialectFacts {
    /** The short name: `PostgreSQL`, `MySQL`, `Oracle`. */
    name: string;
    /** `a PostgreSQL target`, `an Oracle target`. */
    aTarget: string;
    /** The webhook path's shape: `/<database>/<schema>`, `/<database>`, `/<SCHEMA>`. */
    webhookPath: string;
}

export const FAILBACK_DIALECT_FACTS: Readonly<Record<Dialect, FailbackDialectFacts>> = {
    postgres: {
        name: "PostgreSQL",
        aTarget: "a PostgreSQL target",
        webhookPath: "/<database>/<schema>",
    },
    mysql: { name: "MySQL", aTarget: "a MySQL target", webhookPath: "/<database>" },
    oracle: { name: "Oracle", aTarget: "an Oracle target", webhookPath: "/<SCHEMA>" },
};
