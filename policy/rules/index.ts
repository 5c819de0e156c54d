/** Every rule of the pack, in the order the policies are listed. */
import {
    changefeedNotExclusive,
    changefeedTlsVerifySkipped,
    changefeedWebhookNotHttps,
    changefeedWithoutAuthToken,
} from "./changefeed";
import { clusterSettingsRetained } from "./clusterSettings";
import { replicatorAuthDisabled, replicatorTlsSelfSigned } from "./replicator";
import type { Rule } from "./rule";

export type { Rule } from "./rule";

export const RULES: readonly Rule[] = [
    replicatorAuthDisabled,
    replicatorTlsSelfSigned,
    changefeedTlsVerifySkipped,
    changefeedWebhookNotHttps,
    changefeedNotExclusive,
    changefeedWithoutAuthToken,
    clusterSettingsRetained,
];
