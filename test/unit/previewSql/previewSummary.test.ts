/** Preview summary: ≤ 200 lines and ≤ 20 KB per resource whatever the table count. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    formatPlannedSql,
    logPlannedSql,
    type PlannedStatement,
} from "../../../src/providers/kernel/previewSql";
import {
    PREVIEW_FILE_ENV,
    PREVIEW_FULL_ENV,
    PREVIEW_LIMITS,
    fullPreviewRequest,
    previewTextFor,
    summarizePreview,
} from "../../../src/providers/kernel/previewSummary";

const NOTE = "privileges the grantee already holds are skipped (resolved at apply)";

function names(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `t${i + 1}`).sort();
}

/** PostgreSQL shapes: batched per-table lists, a REVOKE as another grantor, default privileges. */
function postgresPlan(count: number): PlannedStatement[] {
    const steps: PlannedStatement[] = [{ sql: "-- one catalog query: the schema, the grantee …" }];
    const all = names(count);
    const revoked = all.slice(0, Math.floor(count / 10));
    for (let i = 0; i < revoked.length; i += 500) {
        const list = revoked.slice(i, i + 500).map((t) => `"s"."${t}"`);
        steps.push({
            sql: `SET ROLE "app_owner"; REVOKE TRUNCATE ON TABLE ${list.join(", ")} FROM "r"; RESET ROLE`,
            note: "granted by this stack and no longer wanted",
        });
    }
    steps.push({ sql: 'GRANT USAGE ON SCHEMA "s" TO "r"', note: NOTE });
    for (let i = 0; i < all.length; i += 500) {
        const list = all.slice(i, i + 500).map((t) => `"s"."${t}"`);
        steps.push({
            sql: `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${list.join(", ")} TO "r"`,
            note: NOTE,
        });
    }
    steps.push({
        sql: 'ALTER DEFAULT PRIVILEGES FOR ROLE "app_owner" IN SCHEMA "s" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "r"',
        note: NOTE,
    });
    return steps;
}

/** MySQL shapes: one GRANT per table, a REVOKE per dropped table, a column grant restored. */
function mysqlPlan(count: number): PlannedStatement[] {
    const steps: PlannedStatement[] = [{ sql: "-- session set-up, then one catalog query …" }];
    for (const t of names(count).slice(0, Math.floor(count / 10))) {
        steps.push({
            sql: `REVOKE DELETE ON \`shop\`.\`${t}\` FROM 'r'@'%'`,
            note: "no longer wanted",
        });
    }
    steps.push({ sql: "GRANT UPDATE (`price`) ON `shop`.`t1` TO 'r'@'%'" });
    for (const t of names(count)) {
        steps.push({
            sql: `GRANT SELECT, INSERT, UPDATE ON \`shop\`.\`${t}\` TO 'r'@'%'`,
            note: NOTE,
        });
    }
    return steps;
}

function within(text: string): void {
    assert.ok(text.split("\n").length <= PREVIEW_LIMITS.lines, `${text.split("\n").length} lines`);
    assert.ok(Buffer.byteLength(text) <= PREVIEW_LIMITS.bytes, `${Buffer.byteLength(text)} bytes`);
}

describe("summarizePreview", () => {
    for (const [dialect, plan] of [
        ["PostgreSQL", postgresPlan],
        ["MySQL", mysqlPlan],
    ] as const) {
        for (const count of [10, 1000, 10000]) {
            it(`${dialect}, ${count} tables: within the limits, every shape and count shown`, () => {
                const full = formatPlannedSql("TargetGrants postgres://h:5432/db", plan(count));
                const text = summarizePreview(full);
                within(text);
                const small =
                    full.split("\n").length <= PREVIEW_LIMITS.lines &&
                    Buffer.byteLength(full) <= PREVIEW_LIMITS.bytes;
                assert.equal(small, count === 10 || (dialect === "PostgreSQL" && count === 1000));
                if (small) {
                    assert.equal(text, full, "a plan within the limits is printed in full");
                    return;
                }
                assert.notEqual(text, full);
                assert.match(
                    text,
                    /^planned SQL \(TargetGrants postgres:\/\/h:5432\/db\): summary of/,
                );
                assert.match(text, new RegExp(`${count.toLocaleString("en-US")} tables: `));
                assert.match(text, /… [\d,]+ more/);
                assert.match(text, /CRDB_FAILBACK_PREVIEW_FULL=1/);
                const revoked = Math.floor(count / 10).toLocaleString("en-US");
                assert.match(text, new RegExp(`${revoked} tables?: `), "the REVOKE group");
                if (dialect === "PostgreSQL") {
                    assert.match(text, /ALTER DEFAULT PRIVILEGES FOR ROLE "app_owner"/);
                    assert.match(text, /SET ROLE "app_owner"; REVOKE TRUNCATE ON TABLE "s"\.\{/);
                } else {
                    assert.match(text, /GRANT UPDATE \(`price`\) ON `shop`\.`t1` TO 'r'@'%'/);
                    assert.match(text, /\[× 1,000 statements\]|\[× 10,000 statements\]/);
                }
            });
        }
    }

    it("many different shapes are cut with a count, still within the limits", () => {
        const steps: PlannedStatement[] = [];
        for (let i = 0; i < 2000; i++) {
            steps.push({ sql: `GRANT P${i} ON TABLE "s"."t${i}" TO "r"`, note: "x".repeat(200) });
        }
        const text = summarizePreview(formatPlannedSql("X", steps));
        within(text);
        assert.match(text, /… [\d,]+ more lines not summarized here/);
    });

    it("a very long single line is cut", () => {
        const long = `-- ${"y".repeat(50_000)}`;
        const text = summarizePreview(formatPlannedSql("X", [{ sql: long }]));
        within(text);
        assert.match(text, /more characters\)/);
    });
});

describe("full list on request", () => {
    it("reads the environment", () => {
        assert.deepEqual(fullPreviewRequest({}), { full: false });
        assert.deepEqual(fullPreviewRequest({ [PREVIEW_FULL_ENV]: "1" }), { full: true });
        assert.deepEqual(fullPreviewRequest({ [PREVIEW_FILE_ENV]: " /tmp/plan.sql " }), {
            full: false,
            file: "/tmp/plan.sql",
        });
    });

    it("prints the full block when asked, and appends it to the file", () => {
        const full = formatPlannedSql("X", mysqlPlan(1000));
        assert.equal(
            previewTextFor(full, { full: true }, () => assert.fail("no file")),
            full,
        );
        const written: [string, string][] = [];
        const text = previewTextFor(full, { full: false, file: "/tmp/p.sql" }, (p, t) =>
            written.push([p, t]),
        );
        within(text);
        assert.deepEqual(written, [["/tmp/p.sql", `${full}\n\n`]]);
    });

    it("a file that cannot be written is reported, not thrown", () => {
        const text = previewTextFor(
            "planned SQL (X):\n  GRANT 1;",
            { full: false, file: "/nope/x" },
            () => {
                throw new Error("EACCES");
            },
        );
        assert.match(text, /could not append the full list to \/nope\/x: EACCES/);
    });
});

describe("logPlannedSql", () => {
    it("logs a large plan as its summary and a small one in full", () => {
        const logged: string[] = [];
        logPlannedSql("TargetGrants mysql://h:3306/shop", mysqlPlan(10000), [], (t) =>
            logged.push(t),
        );
        logPlannedSql("TargetGrants mysql://h:3306/shop", mysqlPlan(10), [], (t) => logged.push(t));
        assert.equal(logged.length, 2);
        within(logged[0]!);
        assert.match(logged[0]!, /summary of 11,002 lines/);
        assert.equal(
            logged[1],
            formatPlannedSql("TargetGrants mysql://h:3306/shop", mysqlPlan(10)),
        );
    });
});
