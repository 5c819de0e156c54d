import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
    connectionTarget,
    formatHlc,
    isOperatorOnlySetting,
    laterHlc,
    parseHlc,
    parseQualifiedName,
    quoteIdent,
    sqlState,
    stringLiteral,
} from "../../../src/providers/cockroach";
import { parseFullTableNames, resolveTable } from "../../../src/providers/changefeed/tables";

describe("CockroachDB dialect helpers", () => {
    it("quotes identifiers and string literals", () => {
        assert.equal(quoteIdent('a"b'), '"a""b"');
        assert.equal(stringLiteral("it's"), "'it''s'");
    });

    it("parses qualified names: unquoted parts lower-cased, quoted parts verbatim", () => {
        assert.deepEqual(parseQualifiedName("DefaultDB.Public.Employees"), [
            "defaultdb",
            "public",
            "employees",
        ]);
        assert.deepEqual(parseQualifiedName('"My Schema"."T.1"'), ["My Schema", "T.1"]);
        assert.equal(parseQualifiedName("a.b.c.d"), undefined);
        assert.equal(parseQualifiedName("a b"), undefined);
        assert.equal(parseQualifiedName('"unterminated'), undefined);
        assert.equal(parseQualifiedName("a..b"), undefined);
    });

    it("resolves tables against the connection database and public", () => {
        assert.equal(resolveTable("t", "molt")!.key, "molt.public.t");
        assert.equal(resolveTable("s.t", "molt")!.key, "molt.s.t");
        assert.equal(resolveTable("db.s.t", "molt")!.key, "db.s.t");
        assert.deepEqual(parseFullTableNames("{defaultdb.public.a,defaultdb.public.b}"), [
            "defaultdb.public.a",
            "defaultdb.public.b",
        ]);
        assert.deepEqual(parseFullTableNames(["x.y.z"]), ["x.y.z"]);
    });

    it("round-trips DECIMAL HLC timestamps exactly and orders them", () => {
        const text = "1759246920563173000.0000000003";
        assert.equal(formatHlc(parseHlc(text)!), text);
        assert.equal(formatHlc(parseHlc("1759246920563173000")!), "1759246920563173000.0000000000");
        assert.equal(parseHlc("2024-09-11T16:33:35Z"), undefined);
        assert.equal(
            laterHlc("1759246920563173000.0000000003", "1759246920563173000.0000000001"),
            text,
        );
        assert.equal(laterHlc(undefined, text), text);
        assert.equal(laterHlc(undefined, null), undefined);
    });

    it("reads host/port/database of a connection string with defaults", () => {
        assert.deepEqual(connectionTarget("postgresql://u:p@Host/"), {
            host: "host",
            port: "26257",
            database: "defaultdb",
        });
        assert.equal(connectionTarget("mysql://u@h/db"), undefined);
    });

    it("classifies by SQLSTATE; the operator-only text only counts with 42501", () => {
        const cloud = Object.assign(
            new Error("setting kv.rangefeed.enabled is only settable by the operator"),
            { code: "42501" },
        );
        assert.ok(isOperatorOnlySetting(cloud));
        assert.ok(
            !isOperatorOnlySetting(Object.assign(new Error(cloud.message), { code: "XX000" })),
        );
        assert.ok(
            !isOperatorOnlySetting(
                Object.assign(new Error("user lacks privilege"), { code: "42501" }),
            ),
        );
        assert.equal(sqlState(Object.assign(new Error("x"), { code: "ECONNREFUSED" })), undefined);
    });
});
