import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseGcTtl } from "../../../src/providers/gcTtl/check";
import { planCreate, planDelete, planUpdate } from "../../../src/providers/gcTtl/plan";
import { logCreatePreview, render } from "../../../src/providers/gcTtl/preview";
import type { GcTtlOutputs } from "../../../src/providers/gcTtl/types";
import { UNKNOWN } from "../../../src/providers/kernel/unknown";

const URL = "postgresql://root:s3cr3t-pw@crdb.example:26257/defaultdb";

const olds: GcTtlOutputs = {
    connection: URL,
    database: "app",
    tables: ["orders", "items"],
    ttl: "1h",
    onDelete: "restore",
    stateVersion: 1,
    ttlSeconds: 3600,
    clusterId: "c1",
    previous: {
        "TABLE app.public.orders": {
            target: { database: "app", schema: "public", table: "orders" },
            ttlSeconds: 600,
            origin: "set",
        },
        "TABLE app.public.items": {
            target: { database: "app", schema: "public", table: "items" },
            ttlSeconds: 14400,
            origin: "inherited",
        },
    },
    current: {
        "TABLE app.public.orders": {
            ttlSeconds: 3600,
            origin: "set",
            otherFields: ["num_replicas"],
        },
        "TABLE app.public.items": { ttlSeconds: 3600, origin: "set", otherFields: [] },
    },
};

describe("GcTtl plan and preview", () => {
    it("create: identity, reads with bound parameters, then the SET", () => {
        const steps = planCreate(parseGcTtl({ connection: URL, database: "app", ttl: "25h" }));
        assert.equal(steps[0]?.sql, "SELECT crdb_internal.cluster_id()");
        assert.deepEqual(steps[1]?.params, ["app"]);
        assert.equal(
            steps.at(-1)?.sql,
            'ALTER DATABASE "app" CONFIGURE ZONE USING gc.ttlseconds = 90000',
        );
        assert.match(
            render(steps.at(-1)!).note ?? "",
            /skipped if the zone already sets gc.ttlseconds = 90000 \(resolved at apply\)/,
        );
        assert.match(render(steps[1]!).note ?? "", /with \$1 = 'app'/);
    });

    it("update drops a table: restores it (DISCARD for an inherited value), sets the rest", () => {
        const sql = planUpdate(
            olds,
            parseGcTtl({ connection: URL, database: "app", tables: ["orders"], ttl: "3h" }),
        ).map((s) => s.sql);
        assert.ok(sql.includes('ALTER TABLE "app"."public"."items" CONFIGURE ZONE DISCARD'));
        assert.ok(
            sql.includes(
                'ALTER TABLE "app"."public"."orders" CONFIGURE ZONE USING gc.ttlseconds = 10800',
            ),
        );
    });

    it("delete: the prior value back, or inherit again; nothing with retain", () => {
        const sql = planDelete(olds).map((s) => s.sql);
        assert.ok(
            sql.includes(
                'ALTER TABLE "app"."public"."orders" CONFIGURE ZONE USING gc.ttlseconds = 600',
            ),
        );
        assert.ok(sql.includes('ALTER TABLE "app"."public"."items" CONFIGURE ZONE DISCARD'));
        assert.deepEqual(planDelete({ ...olds, onDelete: "retain" }), []);
        const pinned = {
            ...olds,
            current: {
                ...olds.current,
                "TABLE app.public.items": {
                    ttlSeconds: 3600,
                    origin: "set" as const,
                    otherFields: ["num_replicas"],
                },
            },
        };
        assert.ok(
            planDelete(pinned).some((s) => s.sql.endsWith("gc.ttlseconds = COPY FROM PARENT")),
        );
    });

    it("the logged preview never shows the connection string, and unknown inputs are marked", () => {
        const logged: string[] = [];
        logCreatePreview(undefined, { connection: URL, database: "app", ttl: "25h" }, (t) =>
            logged.push(t),
        );
        assert.equal(logged.length, 1);
        assert.match(logged[0] ?? "", /planned SQL \(GcTtl crdb\.example:26257\/defaultdb\):/);
        assert.ok(!logged[0]?.includes("s3cr3t-pw"));
        logCreatePreview(undefined, { connection: URL, database: UNKNOWN, ttl: "25h" }, (t) =>
            logged.push(t),
        );
        assert.match(logged[1] ?? "", /<unknown until apply>/);
        assert.ok(!logged[1]?.includes(UNKNOWN));
    });
});
