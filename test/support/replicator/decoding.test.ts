import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mysqlDelete, mysqlUpsert, pgDelete, pgUpsert, TargetTable } from "./applyStatements";
import { planApply } from "./applyPlan";
import { compareHlc, formatHlc, hlcFromDecimal, parseHlc } from "./hlc";
import { JsonNumber, parseFirstJsonValue, stringifyJson } from "./json";
import { readWebhookBody } from "./payload";
import { parseWebhookPath } from "./webhookPath";

describe("replicator stand-in: HLC timestamps", () => {
    it("parses <nanos>.<10-digit logical> and zero logical parts", () => {
        assert.deepEqual(parseHlc("1629813621680097993.0000000001"), {
            nanos: 1629813621680097993n,
            logical: 1,
        });
        assert.deepEqual(parseHlc("5.0"), { nanos: 5n, logical: 0 });
        assert.equal(formatHlc(parseHlc("5.0")), "5.0000000000");
    });

    it("rejects what the replicator rejects", () => {
        assert.throws(() => parseHlc("123"), /can't parse timestamp 123/);
        assert.throws(() => parseHlc("1.2.3"), /can't parse timestamp/);
        assert.throws(() => parseHlc("1.12"), /logical part "12" must be 10 digits or zero-valued/);
        assert.throws(() => parseHlc("-1.0"), /nanos must be greater than 0/);
        assert.throws(() => parseHlc("x.0"), /invalid syntax/);
    });

    it("orders and round-trips through DECIMAL text", () => {
        const a = parseHlc("10.0000000002");
        const b = parseHlc("10.0000000010");
        assert.ok(compareHlc(a, b) < 0);
        assert.equal(compareHlc(hlcFromDecimal("10.0000000002"), a), 0);
        assert.equal(compareHlc(hlcFromDecimal("10"), parseHlc("10.0")), 0);
    });
});

describe("replicator stand-in: JSON", () => {
    it("keeps number text exactly (INT8 beyond 2^53)", () => {
        const value = parseFirstJsonValue('{"id": 9007199254740993, "x": [1.50, -2e3]}');
        assert.ok(value instanceof Map);
        assert.deepEqual(value.get("id"), new JsonNumber("9007199254740993"));
        assert.equal(stringifyJson(value), '{"id":9007199254740993,"x":[1.50,-2e3]}');
    });

    it("treats whitespace as empty and reports syntax errors", () => {
        assert.equal(parseFirstJsonValue("  \n"), undefined);
        assert.throws(() => parseFirstJsonValue('{"a":'), /unexpected EOF/);
        assert.throws(() => parseFirstJsonValue("{x}"), /invalid character 'x'/);
    });
});

describe("replicator stand-in: webhook body", () => {
    const row = '{"after":{"id":1},"key":[1],"topic":"t","updated":"1.0000000001"}';

    it("accepts data batches, resolved messages and an empty body", () => {
        assert.deepEqual(readWebhookBody(""), { kind: "empty" });
        const rows = readWebhookBody(`{"payload":[${row}],"length":1}`);
        assert.equal(rows.kind, "rows");
        const resolved = readWebhookBody('{"resolved":"2.0000000000"}');
        assert.deepEqual(resolved, { kind: "resolved", resolved: { nanos: 2n, logical: 0 } });
    });

    it("rejects unknown fields at the top and in rows (mvcc_timestamp, __crdb__)", () => {
        assert.throws(
            () => readWebhookBody(`{"payload":[${row}],"length":1,"extra":true}`),
            /^Error: could not decode payload: json: unknown field "extra"$/,
        );
        const withMvcc = row.replace("{", '{"mvcc_timestamp":"1.0000000001",');
        assert.throws(
            () => readWebhookBody(`{"payload":[${withMvcc}],"length":1}`),
            /could not decode payload: json: unknown field "mvcc_timestamp"/,
        );
        assert.throws(
            () => readWebhookBody('{"__crdb__":{"resolved":"1.0"}}'),
            /unknown field "__crdb__"/,
        );
    });

    it("matches field names case-insensitively like Go and checks field types", () => {
        assert.equal(readWebhookBody(`{"Payload":[${row}],"LENGTH":1}`).kind, "rows");
        assert.throws(() => readWebhookBody('{"length":"1"}'), /cannot unmarshal string/);
        assert.throws(() => readWebhookBody('{"payload":{}}'), /cannot unmarshal object/);
    });

    it("requires `updated` (WITH updated) and well-formed timestamps", () => {
        const noUpdated = '{"payload":[{"after":{"id":1},"key":[1],"topic":"t"}],"length":1}';
        assert.throws(() => readWebhookBody(noUpdated), /must specify the 'WITH updated' option/);
        assert.throws(
            () => readWebhookBody('{"resolved":"1.12"}'),
            /must be 10 digits or zero-valued/,
        );
        assert.throws(() => readWebhookBody("{"), /could not decode payload: unexpected EOF/);
    });
});

describe("replicator stand-in: webhook path", () => {
    it("PostgreSQL takes /db/schema and an optional table segment", () => {
        assert.deepEqual(parseWebhookPath("/molt/public", "postgresql"), {
            schema: ["molt", "public"],
        });
        assert.deepEqual(parseWebhookPath("/molt/public/", "postgresql"), {
            schema: ["molt", "public"],
        });
        assert.deepEqual(parseWebhookPath("/molt/public/orders", "postgresql"), {
            schema: ["molt", "public"],
            table: "orders",
        });
        assert.equal(parseWebhookPath("/molt", "postgresql"), undefined);
        assert.equal(parseWebhookPath("/a/b/c/d", "postgresql"), undefined);
    });

    it("MySQL/MariaDB and Oracle take one schema segment", () => {
        assert.deepEqual(parseWebhookPath("/molt", "mariadb"), { schema: ["molt"] });
        assert.deepEqual(parseWebhookPath("/MIGRATION_SCHEMA", "oracle"), {
            schema: ["MIGRATION_SCHEMA"],
        });
        assert.deepEqual(parseWebhookPath("/molt/t", "mysql"), { schema: ["molt"], table: "t" });
        assert.equal(parseWebhookPath("/", "mysql"), undefined);
        assert.equal(parseWebhookPath("/a/b/c", "mysql"), undefined);
    });

    it("unescapes segments like Go's url.QueryUnescape and caps them at 8", () => {
        assert.deepEqual(parseWebhookPath("/my%20db/a+b", "postgresql"), {
            schema: ["my db", "a b"],
        });
        assert.equal(parseWebhookPath("/bad%zz/x", "postgresql"), undefined);
        assert.equal(parseWebhookPath("/1/2/3/4/5/6/7/8/9", "postgresql"), undefined);
    });
});

describe("replicator stand-in: apply statements", () => {
    const pgTable: TargetTable = {
        parts: ["db", "public", "t"],
        columns: [
            { name: "pk0", primary: true, type: "INT8", ignored: false },
            { name: "pk1", primary: true, type: "TEXT", ignored: false },
            { name: "val", primary: false, type: "TEXT", ignored: false },
            { name: "gen", primary: false, type: "INT8", ignored: true },
        ],
    };
    const myTable: TargetTable = { ...pgTable, parts: ["db", "t"] };

    it("builds the PostgreSQL upsert and delete shapes", () => {
        const upsert = pgUpsert(pgTable, [[1, "a", "x"]]);
        assert.equal(
            upsert.sql,
            'INSERT INTO "db"."public"."t" (\n"pk0","pk1","val"\n) VALUES\n($1::INT8,$2::TEXT,$3::TEXT)\n' +
                'ON CONFLICT ( "pk0","pk1" )\nDO UPDATE SET ("val") = ROW(excluded."val")',
        );
        assert.deepEqual(upsert.params, [1, "a", "x"]);
        const del = pgDelete(pgTable, [
            [1, "a"],
            [2, "b"],
        ]);
        assert.equal(
            del.sql,
            'DELETE FROM "db"."public"."t" WHERE ("pk0","pk1")IN(($1::INT8,$2::TEXT),($3::INT8,$4::TEXT))',
        );
    });

    it("builds the MySQL/MariaDB (sql_mode=ansi) upsert and delete shapes", () => {
        const upsert = mysqlUpsert(myTable, [
            [1, "a", "x"],
            [2, "b", "y"],
        ]);
        assert.equal(
            upsert.sql,
            'INSERT INTO "db"."t"\n("pk0","pk1","val")\nVALUES\n(?,?,?),\n(?,?,?)\n' +
                'ON DUPLICATE KEY UPDATE \n"val"=VALUES("val")',
        );
        assert.equal(
            mysqlDelete(myTable, [[1, "a"]]).sql,
            'DELETE FROM "db"."t" WHERE ("pk0","pk1")IN((?,?))',
        );
    });

    it("plans latest-per-key in time order and reports schema drift", () => {
        const m = (nanos: bigint, key: string, mut: string) => ({ nanos, logical: 0, key, mut });
        const plan = planApply(
            "postgresql",
            [pgTable],
            [
                [
                    m(1n, '[1,"a"]', '{"pk0":1,"pk1":"a","val":"old"}'),
                    m(2n, '[2,"b"]', '{"pk0":2,"pk1":"b","val":"x"}'),
                    m(3n, '[1,"a"]', '{"pk0":1,"pk1":"a","val":"new"}'),
                    m(4n, '[2,"b"]', "null"),
                ],
            ],
        );
        assert.deepEqual(
            plan.map((s) => [s.kind, s.params]),
            [
                ["upsert", ["1", "a", "new"]],
                ["delete", ["2", "b"]],
            ],
        );
        assert.throws(
            () => planApply("postgresql", [pgTable], [[m(1n, "[1]", '{"pk0":1,"val":"x"}')]]),
            /schema drift detected in "db"."public"."t" at payload object offset 0: missing PK columns: pk1$/,
        );
        assert.throws(
            () =>
                planApply(
                    "mysql",
                    [myTable],
                    [[m(1n, "[1]", '{"pk0":1,"pk1":"a","zz":1,"aa":2}')]],
                ),
            /at payload object offset 0: unexpected columns: zz, aa$/,
        );
    });
});
