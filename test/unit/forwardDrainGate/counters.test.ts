import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    aggregateCounters,
    normalizeSchemaName,
    schemaOfLabels,
} from "../../../src/providers/forwardDrainGate/counters";
import { parsePrometheusText } from "../../../src/providers/forwardDrainGate/prometheusText";

const BODY = [
    "# HELP apply_upserts_total the number of rows upserted",
    "# TYPE apply_upserts_total counter",
    'apply_upserts_total{schema="defaultdb.public",table="orders"} 100',
    'apply_upserts_total{table="items",schema="defaultdb.public"} 1e+02',
    'apply_upserts_total{schema="other.public",table="x"} 5',
    "# TYPE apply_deletes_total counter",
    'apply_deletes_total{schema="defaultdb.public",table="orders"} 7',
    'apply_errors_total{schema="defaultdb.public",table="orders"} 99',
    'apply_upserts_created{schema="defaultdb.public",table="orders"} 1.7e9',
    "go_goroutines 12",
].join("\n");

describe("apply counter aggregation", () => {
    it("sums apply_upserts_total and apply_deletes_total over every schema by default", () => {
        const snapshot = aggregateCounters(parsePrometheusText(BODY));
        assert.deepEqual(snapshot.totals, { upserts: 205, deletes: 7 });
        assert.equal(snapshot.matched, true);
        assert.deepEqual(Object.fromEntries(snapshot.bySchema), {
            "defaultdb.public": { upserts: 200, deletes: 7 },
            "other.public": { upserts: 5, deletes: 0 },
        });
    });

    it("filters by schema, case-insensitively and ignoring identifier quotes", () => {
        const samples = parsePrometheusText(BODY);
        for (const schema of ["defaultdb.public", '"DefaultDB"."PUBLIC"', " defaultdb . public"]) {
            assert.deepEqual(aggregateCounters(samples, schema).totals, {
                upserts: 200,
                deletes: 7,
            });
        }
        const none = aggregateCounters(samples, "missing.public");
        assert.deepEqual(none.totals, { upserts: 0, deletes: 0 });
        assert.equal(none.matched, false);
    });

    it("reads the pre-2024 label set (database, schema, table) as database.schema", () => {
        assert.equal(
            schemaOfLabels({ database: "molt", schema: "public", table: "t" }),
            "molt.public",
        );
        assert.equal(schemaOfLabels({ schema: "molt.public", table: "t" }), "molt.public");
        assert.equal(schemaOfLabels({ table: "t" }), undefined);
        const samples = parsePrometheusText(
            'apply_upserts_total{database="molt",schema="public",table="t"} 3',
        );
        assert.deepEqual(aggregateCounters(samples, "molt.public").totals, {
            upserts: 3,
            deletes: 0,
        });
    });

    it("normalizes schema names: quotes, doubled quotes, dots inside quotes", () => {
        assert.equal(normalizeSchemaName('"a.b".C'), "a.b.c");
        assert.equal(normalizeSchemaName('"say ""hi"""'), 'say "hi"');
        assert.equal(normalizeSchemaName("MOLT"), "molt");
    });

    it("rejects a counter value no counter can have", () => {
        for (const value of ["NaN", "-1", "+Inf"]) {
            assert.throws(
                () =>
                    aggregateCounters(
                        parsePrometheusText(`apply_deletes_total{schema="s",table="t"} ${value}`),
                    ),
                RangeError,
            );
        }
    });
});
