/**
 * TargetGrants on the real PostgreSQL server leaves the database exactly as found (full snapshot:
 * relation, column, schema, default and database ACLs, memberships) on the paths of issue 11:
 * column-level privileges, a lost acknowledgement after a committed batch (create and update), a
 * grantor switch, database-wide default privileges, a listed table dropped out of band, a GRANT
 * racing another session, and two stacks granting overlapping privileges.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PartialStateError } from "../../../src/providers/kernel/partialState";
import {
    type TargetGrantsOutputs,
    makeTargetGrantsProvider,
} from "../../../src/providers/targetGrants/provider";
import type { TargetGrantsInputs } from "../../../src/providers/targetGrants/types";
import { type SessionOpener } from "../../../src/providers/targets/session";
import { openPostgresSession } from "../../../src/providers/targets/postgresSession";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { snapshotPostgres } from "../../support/snapshot/postgres";
import { lifecycle, pairs, pgq, urlWith, withPg } from "../../support/grants/fixtures";

const database = uniqueName("tg_exact");
const grantee = uniqueName("tg_g");
const adminA = uniqueName("tg_a");
const adminB = uniqueName("tg_b");
const url = urlWith(POSTGRES_ADMIN_URL, database);
const urlAs = (user: string) => urlWith(POSTGRES_ADMIN_URL, database, user, "pw");
const ROLES = [grantee, adminA, adminB];
const provider = lifecycle(makeTargetGrantsProvider());
const snapshot = () => snapshotPostgres(url, { roles: ROLES });
const unused: SessionOpener = () => Promise.reject(new Error("unused"));

async function sql(text: string, as = url): Promise<void> {
    await withPg(as, (c) => c.query(text));
}

async function table(schema: string, ...tables: string[]): Promise<void> {
    await sql(
        `CREATE SCHEMA IF NOT EXISTS ${pgq(schema)};` +
            tables
                .map(
                    (t) =>
                        `CREATE TABLE ${pgq(schema)}.${pgq(t)} (id INT PRIMARY KEY, pub TEXT, sec TEXT)`,
                )
                .join(";"),
    );
}

/** A provider whose first change batch runs on the server but whose answer is lost. */
function ackLostProvider() {
    let lost = false;
    const opener: SessionOpener = async (connection, options) => {
        const real = await openPostgresSession(connection, options);
        return {
            ...real,
            connection: real.connection,
            partialRevokes: real.partialRevokes,
            serverSessionId: real.serverSessionId,
            endServerSession: real.endServerSession?.bind(real),
            readCatalog: real.readCatalog.bind(real),
            close: real.close.bind(real),
            async applyChange(revokes, grants) {
                const result = await real.applyChange(revokes, grants);
                if (lost || revokes.length + grants.length === 0) return result;
                lost = true;
                throw new Error("Connection terminated unexpectedly");
            },
        };
    };
    return makeTargetGrantsProvider({
        openers: { postgres: opener, mysql: unused, oracle: unused },
    });
}

/** What Pulumi keeps after a failed create/update: the partial state, or `fallback`. */
function keptState(err: unknown, fallback: TargetGrantsOutputs | undefined) {
    if (err instanceof PartialStateError) {
        return { id: err.id, outs: err.properties as unknown as TargetGrantsOutputs };
    }
    return fallback ? { id: "kept", outs: fallback } : undefined;
}

describe("TargetGrants on PostgreSQL: exact restoration (issue 11)", () => {
    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${pgq(database)}`);
            for (const role of ROLES) await c.query(`CREATE ROLE ${pgq(role)} LOGIN PASSWORD 'pw'`);
        });
    });

    after(async () => {
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
            for (const role of ROLES) await c.query(`DROP ROLE IF EXISTS ${pgq(role)}`);
        });
    });

    for (const listed of [true, false]) {
        it(`keeps column-level privileges (${listed ? "tables listed" : "whole schema"})`, async () => {
            const schema = listed ? "cols_listed" : "cols_all";
            await table(schema, "t", "u");
            await sql(
                `GRANT SELECT (id, pub), UPDATE (pub) ON ${pgq(schema)}.t TO ${pgq(grantee)};` +
                    `GRANT INSERT (sec) ON ${pgq(schema)}.u TO ${pgq(grantee)} WITH GRANT OPTION`,
            );
            const before = await snapshot();
            const inputs: TargetGrantsInputs = {
                connection: url,
                grantee,
                schema,
                ...(listed ? { tables: ["t", "u"] } : {}),
            };
            const { id, outs } = await provider.create(inputs);
            const narrowed = await provider.update(id, outs, { ...inputs, privileges: ["DELETE"] });
            const widened = await provider.update(id, narrowed, inputs);
            await provider.delete(id, widened);
            assert.deepEqual(await snapshot(), before);
        });
    }

    it("a lost acknowledgement after a committed GRANT batch is reconciled, never 'rolled back' (create)", async () => {
        const schema = "ack_create";
        await table(schema, "t0", "t1");
        const before = await snapshot();
        const inputs = { connection: url, grantee, schema };
        const error = await ackLostProvider()
            .create(inputs)
            .then(
                (r) => ({ ok: r }),
                (e: unknown) => ({ err: e }),
            );
        let state =
            "ok" in error
                ? { id: error.ok.id, outs: error.ok.outs as TargetGrantsOutputs }
                : keptState(error.err, undefined);
        if ("err" in error) {
            assert.doesNotMatch(String(error.err), /rolled back/, "the outcome was unknown");
        }
        // Pulumi's next step: update from the partial state, or create again when none was kept.
        state = state
            ? { id: state.id, outs: await provider.update(state.id, state.outs, inputs) }
            : await provider.create(inputs);
        await provider.delete(state.id, state.outs);
        assert.deepEqual(await snapshot(), before);
    });

    it("a lost acknowledgement after a committed GRANT batch is reconciled (update)", async () => {
        const schema = "ack_update";
        await table(schema, "t0", "t1");
        const before = await snapshot();
        const inputs = { connection: url, grantee, schema, privileges: ["SELECT"] };
        const { id, outs } = await provider.create(inputs);
        const wider = { ...inputs, privileges: ["SELECT", "INSERT"] };
        const result = await ackLostProvider()
            .update(id, outs, wider)
            .then(
                (o) => ({ ok: o.outs as TargetGrantsOutputs }),
                (e: unknown) => ({ err: e }),
            );
        const kept = "ok" in result ? result.ok : keptState(result.err, outs)!.outs;
        const converged = await provider.update(id, kept, wider);
        await provider.delete(id, converged);
        assert.deepEqual(await snapshot(), before);
    });

    it("revokes as the recorded grantor after the connection switches to a superuser", async () => {
        const schema = "grantor_super";
        await table(schema, "t");
        await sql(
            `GRANT USAGE ON SCHEMA ${pgq(schema)} TO ${pgq(adminA)} WITH GRANT OPTION;` +
                `GRANT ALL ON ${pgq(schema)}.t TO ${pgq(adminA)} WITH GRANT OPTION`,
        );
        const before = await snapshot();
        const inputs = { connection: urlAs(adminA), grantee, schema, tables: ["t"] };
        const { id, outs } = await provider.create(inputs);
        assert.ok(outs.granted.length > 0);
        const moved = { ...inputs, connection: url };
        assert.deepEqual((await provider.diff(id, outs, moved)).replaces, []);
        const updated = await provider.update(id, outs, moved);
        await provider.delete(id, updated);
        assert.deepEqual(await snapshot(), before);
    });

    it("refuses to delete when it cannot revoke as the grantor, naming the grantor and the fix", async () => {
        const schema = "grantor_other";
        await table(schema, "t");
        await sql(
            `GRANT USAGE ON SCHEMA ${pgq(schema)} TO ${pgq(adminA)} WITH GRANT OPTION;` +
                `GRANT ALL ON ${pgq(schema)}.t TO ${pgq(adminA)} WITH GRANT OPTION;` +
                `GRANT USAGE ON SCHEMA ${pgq(schema)} TO ${pgq(adminB)};` +
                `GRANT SELECT ON ${pgq(schema)}.t TO ${pgq(adminB)}`,
        );
        const before = await snapshot();
        const inputs = { connection: urlAs(adminA), grantee, schema, tables: ["t"] };
        const { id, outs } = await provider.create(inputs);
        const asB = { ...outs, connection: urlAs(adminB) };
        await assert.rejects(provider.delete(id, asB), (err: Error) => {
            assert.match(err.message, new RegExp(adminA));
            assert.match(err.message, /connection/);
            return true;
        });
        await provider.delete(id, outs);
        assert.deepEqual(await snapshot(), before);
    });

    it("recognises database-wide default privileges as pre-existing", async () => {
        const schema = "global_defaults";
        await table(schema, "t");
        await sql(
            `ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO ${pgq(grantee)}`,
        );
        try {
            const inputs = { connection: url, grantee, schema, defaultPrivilegesFor: ["postgres"] };
            const { id, outs } = await provider.create(inputs);
            assert.ok(
                pairs(outs.preexisting).includes("defaultTables:postgres:SELECT"),
                pairs(outs.preexisting).join(","),
            );
            await table(schema, "later");
            const before = await snapshot();
            const refreshed = await provider.read(id, outs);
            await provider.delete(id, refreshed);
            const left = await snapshot();
            const mine = (lines: string[]) =>
                lines.filter(
                    (l) =>
                        l.includes(`grantee=${grantee}`) &&
                        (l.includes(` ${schema}.`) || l.includes("database-wide")),
                );
            // What remains for the grantee is exactly what the DBA's database-wide policy gives.
            assert.deepEqual(
                mine(left),
                mine(before).filter(
                    (l) =>
                        l.includes("privilege=SELECT") &&
                        (l.includes(`${schema}.later `) || l.includes("database-wide")),
                ),
            );
        } finally {
            await sql(
                `ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE SELECT ON TABLES FROM ${pgq(grantee)}`,
            );
        }
    });

    it("a listed table dropped out of band shows as drift and does not wedge later updates", async () => {
        const schema = "dropped";
        await table(schema, "t1", "t2");
        const inputs = { connection: url, grantee, schema, tables: ["t1", "t2"] };
        const { id, outs } = await provider.create(inputs);
        await sql(`DROP TABLE ${pgq(schema)}.t2`);
        const before = await snapshot();
        const refreshed = await provider.read(id, outs);
        assert.deepEqual(refreshed.missingTables, ["t2"]);
        assert.equal((await provider.diff(id, refreshed, inputs)).changes, true, "drift is shown");
        await assert.rejects(
            provider.update(id, refreshed, inputs),
            /"t2".*remove them from `tables`/s,
        );
        const fixed = await provider.update(id, refreshed, {
            ...inputs,
            tables: ["t1"],
            privileges: ["SELECT"],
        });
        assert.deepEqual(fixed.missingTables, []);
        await provider.delete(id, fixed);
        const left = await snapshot();
        assert.ok(!left.some((l) => l.includes(`grantee=${grantee}`) && l.includes(`${schema}.`)));
        assert.deepEqual(
            left.filter((l) => !l.includes(`grantee=${grantee}`)),
            before.filter((l) => !l.includes(`grantee=${grantee}`)),
        );
    });

    it("retries a GRANT that raced another session ('tuple concurrently updated')", async () => {
        const schema = "race";
        await table(schema, "t");
        const before = await snapshot();
        const inputs = { connection: url, grantee, schema, tables: ["t"] };
        const result = await withPg(url, async (other) => {
            await other.query("BEGIN");
            await other.query(`GRANT SELECT ON ${pgq(schema)}.t TO ${pgq(adminB)}`);
            const creating = provider.create(inputs);
            await new Promise((resolve) => setTimeout(resolve, 500));
            await other.query("COMMIT");
            return creating;
        });
        await provider.delete(result.id, result.outs);
        await sql(`REVOKE SELECT ON ${pgq(schema)}.t FROM ${pgq(adminB)}`);
        assert.deepEqual(await snapshot(), before);
    });

    it("two stacks with overlapping grants: destroying one shows as drift in the other, which converges", async () => {
        const schema = "overlap";
        await table(schema, "t");
        const before = await snapshot();
        const inputs = { connection: url, grantee, schema, tables: ["t"] };
        const first = await provider.create(inputs);
        const second = await provider.create(inputs);
        assert.deepEqual(second.outs.granted, []);
        await provider.delete(first.id, first.outs);
        const refreshed = await provider.read(second.id, second.outs);
        assert.ok(refreshed.missing.length > 0, "the other stack's refresh shows what it lost");
        assert.equal((await provider.diff(second.id, refreshed, inputs)).changes, true);
        const converged = await provider.update(second.id, refreshed, inputs);
        assert.deepEqual(converged.missing, []);
        await provider.delete(second.id, converged);
        assert.deepEqual(await snapshot(), before);
    });
});
