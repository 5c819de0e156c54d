/**
 * ClusterSettings error advice keyed on what a real CockroachDB cluster answers (see
 * docs/cockroachdb-behaviour.md, "Cluster settings"): SET/RESET of an unknown setting is 42P02
 * (XXUUU before v24.1), SHOW of one is XXUUU `unknown setting: "<n>"`, and a virtual cluster
 * refuses system settings with 42501 in two wordings.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { settingError } from "../../../src/providers/clusterSettings/errors";

function serverError(code: string, message: string): Error & { code: string } {
    return Object.assign(new Error(message), { code });
}

const SYSTEM_ONLY = "kv.rangefeed.concurrent_catchup_iterators";

describe("settingError advice on the real SQLSTATEs", () => {
    const unknownAnswers = [
        ["SET (v24.1+)", serverError("42P02", "unknown cluster setting 'x.y'")],
        ["SET (before v24.1)", serverError("XXUUU", "unknown cluster setting 'x.y'")],
        ["SHOW", serverError("XXUUU", 'unknown setting: "x.y"')],
    ] as const;

    for (const [what, err] of unknownAnswers) {
        it(`an unknown setting (${what}) names the argument to check`, () => {
            const message = settingError("x.y", "set", err, "root").message;
            assert.match(message, /the cluster does not know it/);
            assert.match(message, /Check the name in settings\["x\.y"\]/);
            assert.match(message, new RegExp(`SQLSTATE ${err.code}`));
        });
    }

    for (const [what, err] of unknownAnswers) {
        it(`a system-only setting hidden by a virtual cluster (${what}) gets the Cloud advice`, () => {
            const message = settingError(SYSTEM_ONLY, "set", err, "root").message;
            assert.match(message, /system-only setting that cannot be seen/);
            assert.match(
                message,
                /remove concurrentCatchupIterators from the ClusterSettings args/,
            );
        });
    }

    for (const text of [
        "setting kv.rangefeed.enabled is only settable by the operator",
        "cannot modify storage-level setting from virtual cluster",
    ]) {
        it(`42501 "${text}" is the operator-only advice, not a privilege problem`, () => {
            const message = settingError(
                "kv.rangefeed.enabled",
                "set",
                serverError("42501", text),
                "root",
            ).message;
            assert.match(message, /only settable by the operator/);
            assert.match(message, /remove rangefeedEnabled/);
            assert.doesNotMatch(message, /MODIFYCLUSTERSETTING/);
        });
    }

    it("a plain XXUUU error is passed on as it is, without unknown-setting advice", () => {
        const message = settingError(
            "x.y",
            "set",
            serverError("XXUUU", "cluster setting 'x.y' is currently overridden by the operator"),
            "root",
        ).message;
        assert.doesNotMatch(message, /does not know it/);
        assert.match(message, /currently overridden by the operator/);
    });
});
