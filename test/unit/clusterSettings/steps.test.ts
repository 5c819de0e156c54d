import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    changesSomething,
    planCreate,
    planDelete,
    planUpdate,
} from "../../../src/providers/clusterSettings/plan";
import type { ClusterSettingsOutputs } from "../../../src/providers/clusterSettings/types";

const REFRESH = "kv.rangefeed.closed_timestamp_refresh_interval";

function state(overrides: Partial<ClusterSettingsOutputs> = {}): ClusterSettingsOutputs {
    return {
        connection: "postgresql://root@db:26257/defaultdb",
        stateVersion: 1,
        desired: { "kv.rangefeed.enabled": true, [REFRESH]: "250ms" },
        values: { "kv.rangefeed.enabled": true, [REFRESH]: "00:00:00.25" },
        previous: {
            "kv.rangefeed.enabled": { value: "true", origin: "default", type: "b" },
            [REFRESH]: { value: "3s", origin: "default", type: "d" },
        },
        types: { "kv.rangefeed.enabled": "b", [REFRESH]: "d" },
        clusterId: "c1",
        onDelete: "restore",
        ...overrides,
    };
}

describe("ClusterSettings steps", () => {
    it("create identifies the cluster, records every prior value, then sets each desired setting", () => {
        const steps = planCreate({ "kv.rangefeed.enabled": true });
        assert.deepEqual(
            steps.map((s) => s.kind),
            ["identify", "readCatalog", "set"],
        );
        assert.deepEqual(steps[1], {
            kind: "readCatalog",
            record: true,
            names: ["kv.rangefeed.enabled"],
        });
    });

    it("update puts back what is no longer managed before setting, and knows what the state holds", () => {
        const steps = planUpdate(state(), { "kv.rangefeed.enabled": true });
        assert.deepEqual(
            steps.map((s) => s.kind),
            ["identify", "readCatalog", "putBack", "set"],
        );
        const set = steps[3];
        assert.ok(set?.kind === "set" && set.heldInState && !set.newlyManaged);
        assert.ok(changesSomething(steps));
        assert.ok(!changesSomething(planUpdate(state(), state().desired)));
    });

    it("delete puts back every managed setting per onDelete, and does nothing for retain", () => {
        const steps = planDelete(state({ onDelete: "reset" }));
        assert.deepEqual(
            steps.filter((s) => s.kind === "putBack").map((s) => s.kind === "putBack" && s.mode),
            ["reset", "reset"],
        );
        assert.deepEqual(planDelete(state({ onDelete: "retain" })), []);
        assert.deepEqual(planDelete(state({ previous: {} })), []);
    });
});
