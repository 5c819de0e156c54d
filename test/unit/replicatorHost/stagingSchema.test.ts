import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseStagingSchema, publicKeyStatements } from "../../../src/providers/cockroach";

describe("staging schema", () => {
    it("parses db.schema and a one-part db as db.public", () => {
        assert.deepEqual(parseStagingSchema("defaultdb._replicator"), {
            database: "defaultdb",
            schema: "_replicator",
        });
        assert.deepEqual(parseStagingSchema("_replicator"), {
            database: "_replicator",
            schema: "public",
        });
        for (const bad of ["", "a.b.c", "a.", ".b", 'a"b', "a b"])
            assert.equal(parseStagingSchema(bad), undefined);
    });

    it("quotes every part and binds the key as $1", () => {
        const statements = publicKeyStatements({ database: "Def-DB", schema: "_repl" });
        assert.deepEqual(statements, {
            find: 'SELECT count(*) AS n FROM "Def-DB"."_repl"."jwt_public_keys" WHERE public_key = $1',
            insertIfAbsent:
                'INSERT INTO "Def-DB"."_repl"."jwt_public_keys" (public_key) SELECT $1::TEXT ' +
                'WHERE NOT EXISTS (SELECT 1 FROM "Def-DB"."_repl"."jwt_public_keys" WHERE public_key = $1::TEXT)',
            remove: 'DELETE FROM "Def-DB"."_repl"."jwt_public_keys" WHERE public_key = $1',
        });
    });
});
