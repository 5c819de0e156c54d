import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    describedStep,
    formatPlannedSql,
    isNewResource,
    logPlannedSql,
    logPlanSafely,
    markUnknown,
    previewLoggers,
    resolvedAtApply,
    UNKNOWN_TEXT,
} from "../../../src/providers/kernel/previewSql";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

describe("formatPlannedSql", () => {
    it("prints one statement per line with its note, and described steps as is", () => {
        const text = formatPlannedSql("ClusterSettings crdb:26257/defaultdb", [
            describedStep("read the catalog"),
            { sql: "SET CLUSTER SETTING kv.rangefeed.enabled = true", note: "skipped if held" },
            { sql: "BEGIN\n  NULL;\nEND;" },
        ]);
        assert.equal(
            text,
            [
                "planned SQL (ClusterSettings crdb:26257/defaultdb):",
                "  -- read the catalog",
                "  SET CLUSTER SETTING kv.rangefeed.enabled = true;  -- skipped if held",
                "  BEGIN",
                "      NULL;",
                "    END;",
            ].join("\n"),
        );
    });

    it("shows the unknown sentinel, quoted or not, as unknown until apply", () => {
        const text = markUnknown(
            `GRANT x ON "${UNKNOWN}" TO \`${UNKNOWN}\`, '${UNKNOWN}', ${UNKNOWN}`,
        );
        assert.equal(
            text,
            `GRANT x ON ${UNKNOWN_TEXT} TO ${UNKNOWN_TEXT}, '${UNKNOWN_TEXT}', ${UNKNOWN_TEXT}`,
        );
    });

    it("scrubs every given secret, a URL down to its redacted form", () => {
        const url = "postgresql://root:Pa55word-xyz@crdb:26257/defaultdb";
        const text = formatPlannedSql(
            "X",
            [{ sql: `SELECT '${url}', 'Pa55word-xyz', 'tok-secret-1'` }],
            [url, "tok-secret-1", UNKNOWN],
        );
        assert.ok(!text.includes("Pa55word-xyz"));
        assert.ok(!text.includes("tok-secret-1"));
        assert.ok(text.includes("crdb:26257"));
    });

    it("marks catalog-dependent parts", () => {
        assert.equal(resolvedAtApply("owners"), "<owners, resolved at apply>");
    });
});

describe("logPlannedSql / logPlanSafely", () => {
    it("logs nothing for an empty plan and the formatted block otherwise", () => {
        const logged: string[] = [];
        logPlannedSql("X", [], [], (t) => logged.push(t));
        assert.equal(logged.length, 0);
        logPlannedSql("X", [{ sql: "SELECT 1" }], [], (t) => logged.push(t));
        assert.deepEqual(logged, ["planned SQL (X):\n  SELECT 1;"]);
    });

    it("never throws: a plan that cannot be rendered logs nothing", () => {
        const logged: string[] = [];
        logPlanSafely(
            () => {
                throw new Error("invalid inputs");
            },
            (t) => logged.push(t),
        );
        assert.deepEqual(logged, []);
    });

    it("tells a create (no prior inputs) from an update", () => {
        assert.ok(isNewResource({}));
        assert.ok(isNewResource(undefined));
        assert.ok(!isNewResource({ connection: "x" }));
    });
});

describe("refresh never prints SQL as if it would run it", () => {
    const planner = {
        label: () => "X",
        create: () => [{ sql: "CREATE CHANGEFEED FOR t INTO 'x'" }],
        update: () => [{ sql: "ALTER CHANGEFEED 1 ADD t2" }],
        replacement: () => [],
        secrets: () => [],
    };

    it("a diff after a read (pulumi refresh) logs nothing; a refresh preview is labelled as the next up", () => {
        const loggers = previewLoggers(planner);
        const logged: string[] = [];
        loggers.noteRead();
        loggers.logDiffPreview({ a: 1 }, { a: 2 }, { changes: true }, (t) => logged.push(t));
        assert.equal(logged.length, 0);
        loggers.logRefreshPreview({ a: 1 }, { a: 2 }, (t) => logged.push(t));
        assert.equal(logged.length, 1);
        assert.match(
            logged[0]!,
            /^the next `up` would run \(X\), unless the program changes:\n {2}ALTER CHANGEFEED 1 ADD t2;/,
        );
        assert.ok(!/planned SQL/.test(logged[0]!));
    });

    it("a check (an up or preview, also after --refresh) logs planned SQL again", () => {
        const loggers = previewLoggers(planner);
        const logged: string[] = [];
        loggers.noteRead();
        loggers.logCreatePreview({}, { a: 1 }, (t) => logged.push(t));
        loggers.logDiffPreview({ a: 1 }, { a: 2 }, { changes: true }, (t) => logged.push(t));
        assert.equal(logged.length, 2);
        assert.match(logged[1]!, /^planned SQL \(X\):/);
    });
});
