import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { Failback, type FailbackArgs } from "../../../src/resources/failback";
import {
    construct,
    type Construction,
    installMocks,
    plain,
    type Registration,
    TYPES,
} from "./harness";

const PREFLIGHT = "pulumi-nodejs:dynamic/crdb-failback:Preflight";
const GC_TTL = "pulumi-nodejs:dynamic/crdb-failback:GcTtl";
const CRDB = "postgresql://root:crdb-pass-111@crdb.example:26257/app?sslmode=verify-full";

function args(overrides: Partial<FailbackArgs> = {}): FailbackArgs {
    return {
        cockroachConnection: CRDB,
        stagingSchema: "defaultdb._replicator",
        target: {
            dialect: "postgres",
            adminConnection: "postgres://admin:pg-admin-222@pg.example:5432/molt",
            replicatorConnection: "postgres://replicator:pg-repl-333@pg.example:5432/molt",
            grantee: "replicator",
            database: "molt",
            schema: "public",
            tables: ["orders"],
        },
        replicator: { namespace: "molt" },
        forwardReplication: { metricsUrl: "http://forward.molt:30005/_/varz" },
        ...overrides,
    };
}

function only<T extends Registration | Construction>(list: T[], type: string): T {
    const found = list.filter((r) => r.type === type);
    assert.equal(found.length, 1, `expected exactly one ${type}, got ${found.length}`);
    return found[0]!;
}

describe("Failback pre-flight and GC TTL children", () => {
    before(installMocks);

    it("creates the pre-flight first and makes every other child depend on it", async () => {
        const { component, children, registered } = await construct(
            (opts) =>
                new Failback(
                    "fb",
                    args({
                        ignoreColumns: { orders: ["internal_note"] },
                        preflight: { failOnWarnings: true },
                        changefeed: { cursor: "1759246920563173000.0000000000" },
                    }),
                    opts,
                ),
        );
        const direct = children.filter((c) => c.parent === component);
        assert.equal(direct[0]!.type, PREFLIGHT);
        assert.equal(direct[0]!.name, "fb-preflight");
        const preflight = component.preflight!;
        assert.equal(direct[0]!.resource, preflight);
        for (const type of [
            TYPES.settings,
            TYPES.grants,
            TYPES.host,
            TYPES.gate,
            TYPES.changefeed,
        ]) {
            assert.ok(only(children, type).dependsOn.includes(preflight), `${type} waits`);
        }
        const inputs = plain(only(registered, PREFLIGHT).inputs) as Record<string, unknown>;
        assert.equal(inputs.targetSchema, "public");
        assert.deepEqual(inputs.tables, ["orders"]);
        assert.equal(inputs.grantee, "replicator");
        assert.equal(inputs.grantsManaged, true);
        assert.equal(inputs.rangefeedManaged, true);
        assert.equal(inputs.stagingSchema, "defaultdb._replicator");
        assert.deepEqual(inputs.ignoreColumns, { orders: ["internal_note"] });
        assert.equal(inputs.failOnWarnings, true);
        assert.equal(inputs.cursor, "1759246920563173000.0000000000");
        assert.equal(component.gcTtl, undefined, "GC TTL is off by default");
        assert.equal(registered.filter((r) => r.type === GC_TTL).length, 0);
    });

    it("creates no pre-flight with preflight: false", async () => {
        const { component, registered } = await construct(
            (opts) => new Failback("nopf", args({ preflight: false }), opts),
        );
        assert.equal(component.preflight, undefined);
        assert.equal(registered.filter((r) => r.type === PREFLIGHT).length, 0);
    });

    it("holds the GC TTL of the changefeed tables' database before the changefeed", async () => {
        const { component, children, registered } = await construct(
            (opts) =>
                new Failback(
                    "ttl",
                    args({ gcTtl: { ttl: "25h" }, changefeedTables: ["shop.orders"] }),
                    opts,
                ),
        );
        const gcTtl = component.gcTtl!;
        assert.ok(gcTtl);
        const node = only(children, GC_TTL);
        assert.equal(node.name, "ttl-gc-ttl");
        assert.equal(node.parent, component);
        assert.deepEqual(node.dependsOn, [component.preflight]);
        assert.ok(only(children, TYPES.changefeed).dependsOn.includes(gcTtl));
        const inputs = plain(only(registered, GC_TTL).inputs) as Record<string, unknown>;
        assert.equal(inputs.database, "app");
        assert.equal(inputs.ttl, "25h");
        assert.equal(inputs.tables, undefined);
    });

    it("reports a bad TTL through GcTtl's own check, and tables in two databases", async () => {
        assert.throws(
            () => new Failback("bad", args({ gcTtl: { ttl: "soon" } })),
            (err: Error) => /- gcTtl\.ttl /.test(err.message),
        );
        assert.throws(
            () =>
                new Failback(
                    "two",
                    args({
                        gcTtl: { ttl: 90000 },
                        changefeedTables: ["a.public.orders", "orders"],
                    }),
                ),
            /gcTtl raises the GC TTL of one database, but changefeedTables are in "a", "app"/,
        );
    });
});

describe("Failback grant options through TargetGrants' check", () => {
    before(installMocks);

    it("reports a privilege the dialect does not have under target.privileges", () => {
        assert.throws(
            () =>
                new Failback(
                    "priv",
                    args({ target: { ...args().target, privileges: ["SELECT", "FLY"] } }),
                ),
            /- target\.privileges "FLY" is not a PostgreSQL table privilege/,
        );
    });
});
