import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { preflightProblems } from "../../../src/providers/preflight/check";
import { previewStatements } from "../../../src/providers/preflight/preview";
import { planPreflight } from "../../../src/providers/preflight/plan";
import { parsePreflight } from "../../../src/providers/preflight/check";
import { inputsFromStackConfig } from "../../../src/cli/preflight";
import type { PreflightInputs } from "../../../src/providers/preflight/types";

const base: PreflightInputs = {
    cockroachConnection: "postgresql://root:crdb-pw@crdb:26257/defaultdb?sslmode=verify-full",
    targetConnection: "postgres://admin:target-pw@pg:5432/molt",
    targetSchema: "public",
    tables: ["orders", "sales.payments", "other.public.items"],
    grantee: "replicator",
    stagingSchema: "defaultdb._replicator",
};

describe("Preflight check, plan and preview (offline)", () => {
    it("reports every input problem at once, naming the property, never the URL", () => {
        const problems = preflightProblems({
            ...base,
            targetConnection: "ftp://x:target-pw@h/",
            tables: [],
            stagingSchema: "a.b.c",
            cursor: "yesterday",
            ignoreColumns: { nosuch: ["c"] },
        });
        assert.equal(problems.length, 5, problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("targetConnection:")));
        assert.ok(problems.some((p) => p.startsWith("tables ")));
        assert.ok(problems.some((p) => p.startsWith("stagingSchema ")));
        assert.ok(problems.some((p) => p.startsWith("cursor ")));
        assert.ok(problems.some((p) => p.startsWith("ignoreColumns.nosuch ")));
        assert.ok(problems.every((p) => !p.includes("target-pw")));
        assert.deepEqual(preflightProblems(base), []);
    });

    it("plans one column and key read per CockroachDB database and schema, with names bound", () => {
        const parsed = parsePreflight(base);
        assert.ok(parsed.ok);
        const steps = planPreflight(parsed.config);
        const ids = steps.map((s) => s.id);
        for (const id of [
            "columns:defaultdb.public",
            "columns:defaultdb.sales",
            "columns:other.public",
            "keys:other.public",
            "staging",
            "target:0",
            "target:3",
        ]) {
            assert.ok(ids.includes(id), id);
        }
        assert.ok(!ids.some((id) => id.startsWith("zone:")), "no cursor: no GC TTL read");
        const columns = steps.find((s) => s.id === "columns:defaultdb.sales")!;
        assert.deepEqual(columns.params, ["sales", ["payments"]]);
        assert.ok(
            steps.every((s) => /^\s*(SELECT|SHOW)\b/i.test(s.sql)),
            "read-only",
        );
    });

    it("previews the same reads without any secret", () => {
        const text = JSON.stringify(previewStatements(base));
        assert.ok(text.includes("information_schema.columns"));
        assert.ok(!text.includes("crdb-pw") && !text.includes("target-pw"));
    });

    it("reads the config-driven stack's keys as Failback would", () => {
        const inputs = inputsFromStackConfig({
            "crdb-failback:dialect": { value: "oracle" },
            "crdb-failback:cockroachConnection": { value: base.cockroachConnection },
            "crdb-failback:targetAdminConnection": { value: "oracle://SYSTEM:pw@o:1521/FREEPDB1" },
            "crdb-failback:schema": { value: "APP" },
            "crdb-failback:tables": { value: "ORDERS,PAYMENTS" },
            "crdb-failback:grantee": { value: "REPL" },
            "crdb-failback:stagingSchema": { value: "defaultdb._replicator" },
            "crdb-failback:manageClusterSettings": { value: "false" },
            "crdb-failback:ignoreColumns": { value: '{"orders":["note"]}' },
            "crdb-failback:cursor": { value: "" },
        });
        assert.deepEqual(inputs.tables, ["orders", "payments"]);
        assert.equal(inputs.rangefeedManaged, false);
        assert.equal(inputs.grantsManaged, true);
        assert.deepEqual(inputs.ignoreColumns, { orders: ["note"] });
        assert.equal(inputs.cursor, undefined);
    });
});
