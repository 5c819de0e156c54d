import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsePreflight } from "../../../src/providers/preflight/check";
import { judgePreflight, type StepResults } from "../../../src/providers/preflight/findings";
import { planPreflight } from "../../../src/providers/preflight/plan";

const HOUR_NS = 3_600_000_000_000n;
const NOW = 1_760_000_000_000_000_000n;

function judge(zoneAnswer: Record<string, unknown>[] | Error) {
    const parsed = parsePreflight({
        cockroachConnection: "postgresql://root@crdb:26257/defaultdb",
        targetConnection: "postgres://admin@pg:5432/molt",
        targetSchema: "public",
        tables: ["orders"],
        grantee: "replicator",
        stagingSchema: "defaultdb._replicator",
        cursor: `${NOW - 5n * HOUR_NS}.0000000000`,
        gcMarginSeconds: 3600,
    });
    assert.ok(parsed.ok);
    const steps = planPreflight(parsed.config);
    const results: StepResults = new Map([
        ["now", [{ now: `${NOW}.0000000000` }]],
        ["zone:defaultdb.public.orders", zoneAnswer],
    ]);
    return judgePreflight(parsed.config, steps, results).filter((f) => f.check === "gcTtl");
}

describe("GC TTL against the cursor's age", () => {
    it("fails a TTL shorter than the cursor's age plus the margin, with the statement that fixes it", () => {
        const [finding] = judge([
            {
                target: "TABLE orders",
                raw_config_sql: "ALTER TABLE orders CONFIGURE ZONE USING\n\tgc.ttlseconds = 14400",
            },
        ]);
        assert.equal(finding?.severity, "error");
        assert.match(finding!.problem, /gc\.ttlseconds is 14400, but the cursor is 18000 s old/);
        assert.match(finding!.fix, /CONFIGURE ZONE USING gc\.ttlseconds = 21600/);
    });

    it("passes a TTL that covers it", () => {
        assert.deepEqual(judge([{ raw_config_sql: "gc.ttlseconds = 90000" }]), []);
    });

    it("says 'not checked' when the zone configuration cannot be read, never assumes", () => {
        const [finding] = judge(new Error('at or near "configuration": syntax error'));
        assert.equal(finding?.severity, "notChecked");
        assert.match(finding!.problem, /GC TTL not checked/);
    });
});
