import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    parsePrometheusText,
    parseSampleValue,
    PrometheusParseError,
} from "../../../src/providers/forwardDrainGate/prometheusText";

describe("Prometheus text parser", () => {
    it("reads HELP/TYPE comments, labels in any order and plain samples", () => {
        const samples = parsePrometheusText(
            [
                "# HELP apply_upserts_total the number of rows upserted",
                "# TYPE apply_upserts_total counter",
                'apply_upserts_total{schema="defaultdb.public",table="t1"} 12',
                'apply_upserts_total{table="t2",schema="defaultdb.public"} 3',
                "go_goroutines 42",
                "",
            ].join("\n"),
        );
        assert.deepEqual(samples, [
            {
                name: "apply_upserts_total",
                labels: { schema: "defaultdb.public", table: "t1" },
                value: 12,
            },
            {
                name: "apply_upserts_total",
                labels: { schema: "defaultdb.public", table: "t2" },
                value: 3,
            },
            { name: "go_goroutines", labels: {}, value: 42 },
        ]);
    });

    it("unescapes label values (backslash, quote, newline) and keeps commas and braces", () => {
        const [sample] = parsePrometheusText(
            'apply_deletes_total{schema="we\\"ird\\\\db.pub,lic}",table="a\\nb"} 1\n',
        );
        assert.deepEqual(sample?.labels, { schema: 'we"ird\\db.pub,lic}', table: "a\nb" });
    });

    it("reads exponents, signs, Inf and NaN as Go's ParseFloat does", () => {
        assert.equal(parseSampleValue("1.2345e+06"), 1_234_500);
        assert.equal(parseSampleValue("5E3"), 5000);
        assert.equal(parseSampleValue("-0.5"), -0.5);
        assert.equal(parseSampleValue(".25"), 0.25);
        assert.equal(parseSampleValue("+Inf"), Infinity);
        assert.equal(parseSampleValue("-Inf"), -Infinity);
        assert.ok(Number.isNaN(parseSampleValue("NaN")));
        for (const bad of ["0x10", "", "1e", "abc", "constructor", "1_000"]) {
            assert.equal(parseSampleValue(bad), undefined, bad);
        }
        const [sample] = parsePrometheusText('apply_upserts_total{schema="s"} 7.5e+07');
        assert.equal(sample?.value, 75_000_000);
    });

    it("accepts timestamps, trailing commas, blanks, CRLF and tabs", () => {
        const samples = parsePrometheusText(
            'a_total{ x = "1" , } 2 1700000000000\r\n\tb_total\t3\r\nc_total{} 4 1.7e9\n',
        );
        assert.deepEqual(
            samples.map((s) => [s.name, s.labels, s.value]),
            [
                ["a_total", { x: "1" }, 2],
                ["b_total", {}, 3],
                ["c_total", {}, 4],
            ],
        );
    });

    it("reads the OpenMetrics variant: # EOF, # UNIT, _created samples and exemplars", () => {
        const samples = parsePrometheusText(
            [
                "# TYPE apply_upserts counter",
                "# UNIT apply_upserts rows",
                'apply_upserts_total{schema="s",table="t"} 9 # {trace_id="abc"} 1.0 1700000000.5',
                'apply_upserts_created{schema="s",table="t"} 1.7e9',
                "# EOF",
            ].join("\n"),
        );
        assert.deepEqual(
            samples.map((s) => [s.name, s.value]),
            [
                ["apply_upserts_total", 9],
                ["apply_upserts_created", 1.7e9],
            ],
        );
    });

    it("reads the quoted UTF-8 metric name syntax", () => {
        const [sample] = parsePrometheusText('{"apply.upserts_total", "odd.label"="x"} 5');
        assert.deepEqual(sample, {
            name: "apply.upserts_total",
            labels: { "odd.label": "x" },
            value: 5,
        });
    });

    it("rejects a body that is not exposition text, naming the line", () => {
        const cases: [string, RegExp][] = [
            ["OK", /line 1: expected a blank before the value of OK/],
            ["<html><body>hi</body></html>", /line 1: expected a metric name/],
            ["ok_total 1\nbad_total{a=1} 2", /line 2: expected "\\""/],
            ['x_total{a="unterminated} 1', /line 1: unterminated quoted string/],
            ["x_total one", /line 1: invalid value "one" for x_total/],
            ["x_total 1 2 3", /line 1: unexpected text after the value/],
            ['x_total{a="1",a="2"} 1', /label a given twice/],
        ];
        for (const [body, expected] of cases) {
            assert.throws(
                () => parsePrometheusText(body),
                (err: unknown) => err instanceof PrometheusParseError && expected.test(err.message),
                body,
            );
        }
    });

    it("parses the stand-in's rendering of its metrics", async () => {
        const { Metrics } = await import("../../support/replicator/metrics");
        const metrics = new Metrics();
        metrics.set("apply_upserts_total", { schema: 'd"b.public', table: "t" }, 1_234_567);
        metrics.add("http_status_codes_total", { code: "200" });
        const samples = parsePrometheusText(metrics.render());
        assert.deepEqual(
            samples.find((s) => s.name === "apply_upserts_total"),
            {
                name: "apply_upserts_total",
                labels: { schema: 'd"b.public', table: "t" },
                value: 1_234_567,
            },
        );
    });
});
