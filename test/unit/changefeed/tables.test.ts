import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseFullTableNames, resolveTable } from "../../../src/providers/changefeed/tables";

describe("Changefeed tables compared as CockroachDB reports them", () => {
    it("resolves mixed-case and reserved-word names to the raw db.schema.table of full_table_names", () => {
        assert.equal(resolveTable('"Orders"', "defaultdb")?.key, "defaultdb.public.Orders");
        assert.equal(resolveTable('"select"', "defaultdb")?.key, "defaultdb.public.select");
        assert.equal(resolveTable('app."My, Table"', "defaultdb")?.key, "defaultdb.app.My, Table");
    });

    it("parses the array text form, quoted elements and backslash escapes included", () => {
        assert.deepEqual(
            parseFullTableNames(
                '{defaultdb.public.Orders,defaultdb.public.select,"defaultdb.app.My, Table","d.s.a\\\\\\"b"}',
            ),
            [
                "defaultdb.public.Orders",
                "defaultdb.public.select",
                "defaultdb.app.My, Table",
                'd.s.a\\"b',
            ],
        );
        assert.deepEqual(parseFullTableNames("{}"), []);
        assert.deepEqual(parseFullTableNames(["a.b.c"]), ["a.b.c"]);
    });
});
