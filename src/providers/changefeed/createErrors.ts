/**
 * CockroachDB's answers to CREATE / ALTER CHANGEFEED turned into errors that say what to fix
 * (docs/cockroachdb-behaviour.md, "Rangefeeds off").
 */

/** validateSettings' text when `kv.rangefeed.enabled` is false. */
const RANGEFEEDS_OFF = "rangefeeds require the kv.rangefeed.enabled setting";

/**
 * The error to report for a refused CREATE/ALTER CHANGEFEED: rangefeeds off becomes guidance
 * towards ClusterSettings; anything else is returned unchanged. The SQLSTATE is kept.
 */
export function explainChangefeedStatementError(
    err: unknown,
    statement: "CREATE" | "ALTER",
): unknown {
    if (!(err instanceof Error) || !err.message.includes(RANGEFEEDS_OFF)) return err;
    const explained = new Error(
        `${statement} CHANGEFEED was refused because rangefeeds are disabled on this cluster ` +
            `(kv.rangefeed.enabled = false)${statement === "CREATE" ? ", so no job was created" : "; the job was not changed"}. ` +
            "Enable them with a ClusterSettings resource (rangefeedEnabled: true, its default) and let this Changefeed " +
            "depend on it (dependsOn), or run SET CLUSTER SETTING kv.rangefeed.enabled = true. " +
            `CockroachDB said: ${err.message}`,
    );
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") Object.assign(explained, { code });
    return explained;
}
