/**
 * The benchmarks in short mode (bench/run.ts --short): 100-table schemas, few repetitions. Only
 * structural facts are asserted — refresh round trips do not grow with the table count, provider
 * closures stay under 16 KB, every ratio is computed and finite. Timings are printed, never
 * asserted (the machine is shared and noisy; performance claims come from `npm run bench`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runGrantsBench } from "../../bench/grants/grantsBench";
import { runPreviewBench } from "../../bench/engine/previewBench";
import { renderReport } from "../../bench/lib/report";
import { PROVIDER_SIZE_TARGET_BYTES, measureProviderSizes } from "../../bench/sizes/providerSizes";

const host = { cpus: 0, node: process.version };
const log = (line: string) => console.log(`# ${line}`);

describe("benchmarks, short mode", () => {
    it("serialized providers stay under 16 KB each", async () => {
        const sizes = await measureProviderSizes();
        console.log(renderReport({ command: "short test", startedAt: "", host, sizes }));
        assert.ok(
            sizes.some((s) => s.exportName === "targetGrantsProvider"),
            "targetGrantsProvider is measured",
        );
        for (const s of sizes) {
            assert.ok(
                s.bytes > 0 && s.bytes <= PROVIDER_SIZE_TARGET_BYTES,
                `${s.exportName}: ${s.bytes} B`,
            );
        }
    });

    it("TargetGrants vs the DBA's SQL at 100 tables: ratios finite, refresh round trips constant", async () => {
        const grants = await runGrantsBench({
            tableCounts: [10, 100],
            repetitions: (tables) => (tables === 100 ? 2 : 0),
            log,
        });
        console.log(renderReport({ command: "short test", startedAt: "", host, grants }));
        const timed = grants.cases.filter((c) => c.tables === 100);
        assert.equal(timed.length, 3, "PostgreSQL, MariaDB db.* and MariaDB per-table");
        for (const c of timed) {
            assert.deepEqual(
                c.steps.map((s) => s.step),
                ["create", "refresh", "destroy"],
            );
            for (const s of c.steps) {
                for (const value of [
                    s.providerMs,
                    s.cliMs,
                    s.sqlMs,
                    s.vsCli,
                    s.vsSql,
                    s.ownSqlMs,
                    s.ownVsCli,
                    s.vsOwnSql,
                ]) {
                    assert.ok(Number.isFinite(value) && value > 0, `${c.case} ${s.step}: ${value}`);
                }
            }
            assert.ok(c.heldAfterCreate > 0);
        }
        for (const [name, bySize] of Object.entries(grants.refreshRoundTrips)) {
            assert.equal(bySize[10], bySize[100], `${name}: refresh round trips grow with tables`);
            assert.ok((bySize[100] ?? 0) <= 3, `${name}: ${bySize[100]} refresh round trips`);
        }
    });

    it("pulumi preview vs an empty stack: ratios finite", async () => {
        const preview = await runPreviewBench({
            repetitions: 1,
            warmup: 0,
            mode: "minimal",
            log,
        });
        console.log(renderReport({ command: "short test", startedAt: "", host, preview }));
        assert.ok(preview.figures.length >= 2);
        for (const f of preview.figures) {
            assert.ok(Number.isFinite(f.vsEmpty) && f.vsEmpty > 0, `${f.stack}: ${f.vsEmpty}`);
            assert.ok(f.resources >= 1, `${f.stack} plans at least the stack`);
        }
    });
});
