/** The dialect registry, parse-once checking, and plan steps with names resolved at apply. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    DIALECT_NAMES,
    TARGET_DIALECTS,
    dialectOfScheme,
    requireDialect,
    targetDialect,
} from "../../../src/providers/targets";
import { parseConnection, targetIdentity } from "../../../src/providers/targets/connection";
import {
    checkTargetGrants,
    parseTargetGrants,
    targetGrantsProblems,
} from "../../../src/providers/targetGrants/check";
import { EVERY_TABLE, changeSteps, plannedGrants } from "../../../src/providers/targetGrants/plan";
import { plannedCreateSql } from "../../../src/providers/targetGrants/preview";

describe("target dialect registry", () => {
    it("lists each dialect once, finds it by name and by URL scheme", () => {
        assert.deepEqual(DIALECT_NAMES, ["postgres", "mysql", "oracle"]);
        for (const dialect of TARGET_DIALECTS) {
            assert.equal(targetDialect(dialect.name), dialect);
            for (const scheme of dialect.schemes) {
                assert.equal(dialectOfScheme(`${scheme}//u:p@h/x`), dialect);
            }
        }
        assert.equal(dialectOfScheme("POSTGRESQL://h/db")?.name, "postgres");
        assert.equal(dialectOfScheme("sqlserver://h"), undefined);
        assert.equal(targetDialect("sqlite"), undefined);
        assert.throws(() => requireDialect("sqlite"), /unknown target dialect "sqlite"/);
    });

    it("states what differs: transactional DCL, default ports, failback rules", () => {
        const [pg, my, ora] = ["postgres", "mysql", "oracle"].map(requireDialect);
        assert.deepEqual(
            [pg!.dclIsTransactional, my!.dclIsTransactional, ora!.dclIsTransactional],
            [true, false, false],
        );
        assert.deepEqual([pg!.defaultPort, my!.defaultPort, ora!.defaultPort], [5432, 3306, 1521]);
        assert.deepEqual(pg!.failback.targetSchemaParts("db", "app"), ["db", "app"]);
        assert.deepEqual(my!.failback.targetSchemaParts(undefined, "app"), ["app"]);
        assert.equal(ora!.nameCase, "upper");
        assert.ok(ora!.failback.replicatorSchemes.includes("ora:"));
    });

    it("parses a connection with its dialect object and the dialect's default port", () => {
        const parsed = parseConnection("mysql://root:pw@Db.Example/");
        assert.ok(parsed.ok);
        assert.equal(parsed.value.dialect, requireDialect("mysql"));
        assert.equal(targetIdentity(parsed.value), "mysql://db.example:3306");
    });
});

describe("parse once", () => {
    it("check keeps its result per inputs object; parse returns the parsed connection", () => {
        const inputs = { connection: "postgres://a:secret@h:5433/db", grantee: "r", schema: "s" };
        assert.equal(checkTargetGrants(inputs), checkTargetGrants(inputs));
        const config = parseTargetGrants(inputs);
        assert.equal(config.connection.port, 5433);
        assert.equal(config.dialect.name, "postgres");
        assert.deepEqual(config.privileges, ["SELECT", "INSERT", "UPDATE", "DELETE"]);
    });

    it("the component validator returns problems without throwing", () => {
        const problems = targetGrantsProblems({ connection: "oracle://h/", schema: "S" });
        const properties = problems.map((p) => p.property);
        assert.ok(properties.includes("grantee"));
        assert.ok(properties.includes("tables"));
        assert.ok(problems.some((p) => /connection: needs the Oracle service name/.test(p.reason)));
    });
});

describe("plan steps", () => {
    it("a name known only at apply is a step's atApply and a placeholder, never a sentinel", () => {
        const config = parseTargetGrants({
            connection: "postgres://a@h/db",
            grantee: "repl",
            schema: "app",
        });
        const pairs = plannedGrants(config, [EVERY_TABLE('"app"')], null);
        const steps = changeSteps(config, { toGrant: pairs, toRevoke: [] });
        assert.deepEqual(
            steps.map((s) => s.atApply),
            [
                [],
                ['every table in "app"'],
                ["the connecting role and every owner of a table in the schema"],
            ],
        );
        for (const step of steps) {
            assert.equal(step.phase, "grant");
            assert.deepEqual(step.params, []);
        }
        const printed = plannedCreateSql({
            connection: "postgres://a@h/db",
            grantee: "repl",
            schema: "app",
        });
        for (const s of printed) assert.doesNotMatch(s.sql, /__preview|PLACEHOLDER/);
    });
});
