/** Rules on the ClusterSettings dynamic resource. */
import type { Rule } from "./rule";

export const CLUSTER_SETTINGS_TYPE = "pulumi-nodejs:dynamic/crdb-failback:ClusterSettings";

export const clusterSettingsRetained: Rule = {
    name: "cluster-settings-retained-on-delete",
    description:
        'ClusterSettings must put the cluster back on destroy (onDelete "restore" or "reset", not "retain").',
    remediation:
        'Remove onDelete (the default "restore" puts back the values found before this stack changed ' +
        'them) or set onDelete: "reset" to return to CockroachDB\'s defaults.',
    severity: "medium",
    types: [CLUSTER_SETTINGS_TYPE],
    check(props) {
        if (props.onDelete !== "retain") return [];
        return [
            'ClusterSettings sets onDelete: "retain": pulumi destroy would leave the failback cluster ' +
                "settings (kv.rangefeed.enabled, the closed-timestamp tuning, any others it manages) as this " +
                "stack set them instead of putting back the values it found. Fix: remove onDelete (default " +
                '"restore") or set onDelete: "reset" to return to CockroachDB\'s defaults.',
        ];
    },
};
