/**
 * Counts statements and round trips for create, read and delete on a 1,000-table schema, on the
 * real PostgreSQL and MariaDB servers, and asserts they stay constant (not per table). Prints the
 * numbers.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTargetGrantsProvider } from "../../../src/providers/targetGrants/provider";
import { DEFAULT_SESSION_OPTIONS, type RoundTrip } from "../../../src/providers/targets/session";
import type { TargetGrantsInputs } from "../../../src/providers/targetGrants/types";
import { MARIADB_ADMIN_URL } from "../../support/services";
import { lifecycle, manyTablesFixture } from "../../support/grants/fixtures";

const TABLES = 1000;
const trips: RoundTrip[] = [];
const provider = lifecycle(
    makeTargetGrantsProvider({
        sessionOptions: { ...DEFAULT_SESSION_OPTIONS, onRoundTrip: (t) => trips.push(t) },
    }),
);

interface Count {
    roundTrips: number;
    statements: number;
    kinds: string;
}

async function measure(work: () => Promise<unknown>): Promise<Count> {
    trips.length = 0;
    await work();
    return {
        roundTrips: trips.length,
        statements: trips.reduce((n, t) => n + t.statements, 0),
        kinds: trips
            .map((t) => `${t.kind}${t.statements > 1 ? `(${t.statements})` : ""}`)
            .join(" "),
    };
}

async function lifecycleCounts(label: string, inputs: TargetGrantsInputs) {
    let created: Awaited<ReturnType<typeof provider.create>> | undefined;
    const create = await measure(async () => {
        created = await provider.create(inputs);
    });
    const { id, outs } = created!;
    let refreshed: Awaited<ReturnType<typeof provider.read>> | undefined;
    const read = await measure(async () => {
        refreshed = await provider.read(id, outs);
    });
    const del = await measure(() => provider.delete(id, outs));
    console.log(
        `# ${label}: covered ${outs.coveredTables.length} tables, granted ${outs.granted.length} pairs`,
    );
    for (const [step, c] of Object.entries({ create, read, delete: del })) {
        console.log(
            `#   ${step}: ${c.roundTrips} round trips (${c.kinds}), ${c.statements} statements`,
        );
    }
    return { create, read, delete: del, outs, refreshed: refreshed! };
}

describe(`round trips on a ${TABLES}-table schema`, () => {
    const fx = manyTablesFixture("tg_rt", TABLES);
    const { pgUrl, myDatabase, grantee } = fx;

    before(() => fx.create());
    after(() => fx.drop());

    it("PostgreSQL, every table of the schema (tables omitted)", async () => {
        const c = await lifecycleCounts("PostgreSQL, tables omitted", {
            connection: pgUrl,
            grantee,
            schema: "s",
        });
        assert.equal(c.outs.coveredTables.length, TABLES);
        assert.deepEqual([c.create.roundTrips, c.read.roundTrips, c.delete.roundTrips], [3, 2, 3]);
        assert.ok(c.create.statements <= 6, `create statements: ${c.create.statements}`);
        assert.ok(c.delete.statements <= 6, `delete statements: ${c.delete.statements}`);
    });

    it("PostgreSQL, 1,000 listed tables", async () => {
        const tables = Array.from({ length: TABLES }, (_, i) => `t${i + 1}`);
        const c = await lifecycleCounts("PostgreSQL, 1,000 listed tables", {
            connection: pgUrl,
            grantee,
            schema: "s",
            tables,
        });
        assert.deepEqual([c.create.roundTrips, c.read.roundTrips, c.delete.roundTrips], [3, 2, 3]);
        // USAGE, two 500-table GRANTs, and the catalog read that ends the same transaction (it
        // records each grant's grantor and verifies REVOKEs) — still one round trip.
        assert.ok(c.create.statements <= 5, `create statements: ${c.create.statements}`);
    });

    it("MariaDB, every table of the database (db.*)", async () => {
        const c = await lifecycleCounts("MariaDB, db.*", {
            connection: MARIADB_ADMIN_URL,
            grantee,
            schema: myDatabase,
        });
        // create does not list the tables for a db.* grant; read does.
        assert.equal(c.outs.coveredTables.length, 0);
        assert.equal(c.refreshed.coveredTables.length, TABLES);
        assert.deepEqual([c.create.roundTrips, c.read.roundTrips, c.delete.roundTrips], [4, 3, 4]);
        assert.ok(c.create.statements <= 5);
    });

    it("MariaDB, 1,000 listed tables (one GRANT per table, one batch)", async () => {
        const tables = Array.from({ length: TABLES }, (_, i) => `t${i}`);
        const c = await lifecycleCounts("MariaDB, 1,000 listed tables", {
            connection: MARIADB_ADMIN_URL,
            grantee,
            schema: myDatabase,
            tables,
        });
        assert.equal(c.outs.coveredTables.length, TABLES);
        assert.deepEqual([c.create.roundTrips, c.read.roundTrips, c.delete.roundTrips], [4, 3, 4]);
        // Session setup (2), the catalog round trip (privileges + table list), one GRANT per table.
        assert.equal(c.create.statements, 4 + TABLES);
    });
});
