/**
 * The scale suite in short mode (100 tables): every case is measured, the printed preview stays
 * within 200 lines and 20 KB, and the stored state is never larger than the plain lists. Sizes
 * are printed; the 10,000-table figures come from `bench/run.ts --only scale`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderReport } from "../../bench/lib/report";
import { PREVIEW_TARGET, SCALE_CASES, runScaleBench } from "../../bench/scale/scaleBench";

describe("scale suite, short mode", () => {
    it("state and preview per TargetGrants at 100 tables", async () => {
        const scale = await runScaleBench({
            tableCounts: [100],
            log: (line) => console.log(`# ${line}`),
        });
        console.log(
            renderReport({
                command: "short test",
                startedAt: "",
                host: { cpus: 0, node: process.version },
                scale,
            }),
        );
        assert.deepEqual(
            scale.figures.map((f) => f.case),
            [...SCALE_CASES],
        );
        for (const f of scale.figures) {
            assert.ok(f.pairs > 0, `${f.case}: something was granted`);
            assert.ok(f.stateBytes > 0 && f.stateBytes <= f.statePlainBytes, f.case);
            for (const printed of [f.createSummary, f.updateSummary]) {
                assert.ok(
                    printed.lines <= PREVIEW_TARGET.lines,
                    `${f.case}: ${printed.lines} lines`,
                );
                assert.ok(printed.bytes <= PREVIEW_TARGET.bytes, `${f.case}: ${printed.bytes} B`);
            }
        }
    });
});
