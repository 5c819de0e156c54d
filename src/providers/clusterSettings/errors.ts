/**
 * Turns CockroachDB's refusals of SHOW/SET/RESET CLUSTER SETTING into errors that say what to
 * do. Classified by SQLSTATE as a real cluster answers (docs/cockroachdb-behaviour.md, "Cluster
 * settings"); text is looked at only where the code alone is ambiguous: 42501 (operator-only vs
 * a missing privilege) and XXUUU (any error without a code).
 */
import {
    errorMessage,
    isOperatorOnlySetting,
    isUnknownSetting,
    quoteIdent,
    sqlState,
    SQLSTATE,
} from "../cockroach";
import { argumentFor, SYSTEM_ONLY_SETTINGS } from "./values";

/** What the provider was doing with the setting. */
export type SettingAction = "read" | "set" | "reset";

const CLOUD_ADVICE =
    "Rangefeeds are already enabled on CockroachDB Cloud Basic/Standard, so failback does not need this setting there";

/** A clear error for a failed statement on setting `name`; `user` is the connecting user. */
export function settingError(
    name: string,
    action: SettingAction,
    err: unknown,
    user: string,
): Error {
    const arg = argumentFor(name);
    const code = sqlState(err);
    let message: string;
    if (isOperatorOnlySetting(err)) {
        message =
            `cannot ${action} cluster setting ${name}: this is a CockroachDB Cloud Basic/Standard virtual cluster, ` +
            `where ${name} is only settable by the operator (SQLSTATE 42501). ${CLOUD_ADVICE}: remove ${arg} from the ` +
            "ClusterSettings args (for rangefeedEnabled, leave ClusterSettings out of the stack), or have the value " +
            "changed through the CockroachDB Cloud console or support.";
    } else if (isUnknownSetting(err)) {
        message = SYSTEM_ONLY_SETTINGS.has(name)
            ? `cannot ${action} cluster setting ${name}: the cluster does not know it (SQLSTATE ${code}). This is a ` +
              "CockroachDB Cloud Basic/Standard virtual cluster, where it is a system-only setting that cannot be seen " +
              `or changed. ${CLOUD_ADVICE}: remove ${arg} from the ClusterSettings args (or have it set through the ` +
              "CockroachDB Cloud console or support)."
            : `cannot ${action} cluster setting ${name}: the cluster does not know it (SQLSTATE ${code}). Check the name ` +
              `in ${arg}. On a CockroachDB Cloud Basic/Standard virtual cluster system-only settings are not visible ` +
              `either: remove ${arg} from the ClusterSettings args there (rangefeeds are already enabled).`;
    } else if (code === SQLSTATE.insufficientPrivilege) {
        message =
            `cannot ${action} cluster setting ${name}: user ${user} lacks the MODIFYCLUSTERSETTING privilege ` +
            `(SQLSTATE 42501). As an admin run: GRANT SYSTEM MODIFYCLUSTERSETTING TO ${quoteIdent(user)};`;
    } else {
        message = `cannot ${action} cluster setting ${name}: ${errorMessage(err)}`;
    }
    const wrapped = new Error(message);
    if (code) (wrapped as Error & { code?: string }).code = code;
    return wrapped;
}
