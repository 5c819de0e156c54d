import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    readVersionedState,
    storedStateVersion,
    type StateVersioning,
} from "../../../src/providers/kernel/stateVersion";

const versioning: StateVersioning = {
    resource: "Example",
    current: 3,
    migrations: {
        1: (state) => ({ ...state, renamed: state["old"], old: undefined }),
        2: (state) => ({ ...state, added: true }),
    },
};

describe("readVersionedState", () => {
    it("reads state without stateVersion as version 1 and migrates it step by step", () => {
        assert.equal(storedStateVersion({}), 1);
        assert.equal(storedStateVersion({ stateVersion: "2" }), 1);
        const state = readVersionedState<Record<string, unknown>>({ old: "x" }, versioning);
        assert.deepEqual(state, { renamed: "x", old: undefined, added: true, stateVersion: 3 });
    });

    it("returns current state as it is, and does not change its argument", () => {
        const stored = { stateVersion: 3, a: 1 };
        const state = readVersionedState<Record<string, unknown>>(stored, versioning);
        assert.deepEqual(state, { stateVersion: 3, a: 1 });
        assert.notEqual(state, stored);
        const older = { stateVersion: 2, a: 1 };
        readVersionedState(older, versioning);
        assert.deepEqual(older, { stateVersion: 2, a: 1 });
    });

    it("refuses state written by a newer package version, naming the resource and the fix", () => {
        assert.throws(
            () => readVersionedState({ stateVersion: 4 }, versioning),
            /Example state version 4 was written by a newer version.*install the newer package version/,
        );
    });

    it("refuses an older version without a migration path", () => {
        assert.throws(
            () => readVersionedState({ stateVersion: 1 }, { resource: "Other", current: 2 }),
            /Other state version 1 cannot be read.*no migration to version 2/,
        );
    });
});
