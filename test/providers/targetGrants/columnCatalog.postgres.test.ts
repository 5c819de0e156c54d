/**
 * The PostgreSQL catalog read looks up column ACLs only on relations where the grantee can hold
 * one (a `pg_shdepend` ACL entry on a column, relations the grantee owns, every relation for a
 * role made by initdb). Proven on the real server against the full `pg_attribute` scan it
 * replaces: same snapshot for a plain grantee, a grantee that owns a table (PostgreSQL keeps no
 * dependency entry for the owner), a grantee that became the owner after its column grants, a
 * grant made by a non-owner grantor, views, a pinned role (the bootstrap superuser) and a role
 * with no column grants at all.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
    PG_CATALOG_QUERY,
    type PgCatalogRow,
    parsePgCatalog,
} from "../../../src/providers/targets/postgresCatalog";
import { type CatalogSnapshot, sortColumnGrants } from "../../../src/providers/targets/types";
import { POSTGRES_ADMIN_URL, requireService, uniqueName } from "../../support/services";
import { pgq, urlWith, withPg } from "../../support/grants/fixtures";

const COLUMN_LOOKUP = /FROM r, LATERAL \(SELECT attname, attacl[\s\S]*?\nUNION ALL/;

/** The read as it was before the candidate filter: every column ACL of the schema's relations. */
const FULL_SCAN_QUERY = PG_CATALOG_QUERY.replace(
    COLUMN_LOOKUP,
    `FROM r JOIN pg_catalog.pg_attribute att ON att.attrelid = r.oid
WHERE att.attacl IS NOT NULL AND att.attnum > 0 AND NOT att.attisdropped
UNION ALL`,
);

const database = uniqueName("tg_colcat");
const grantee = uniqueName("tg_colg");
const owner = uniqueName("tg_colo");
const grantor = uniqueName("tg_colb");
const bystander = uniqueName("tg_colx");
const url = urlWith(POSTGRES_ADMIN_URL, database);
const SCHEMA = "s";

async function snapshots(
    role: string,
): Promise<{ filtered: CatalogSnapshot; full: CatalogSnapshot }> {
    return withPg(url, async (c) => {
        const read = async (query: string) =>
            parsePgCatalog((await c.query<PgCatalogRow>(query, [SCHEMA, role])).rows);
        return {
            filtered: inColumnOrder(await read(PG_CATALOG_QUERY)),
            full: inColumnOrder(await read(FULL_SCAN_QUERY)),
        };
    });
}

/** `snapshot` with its column grants sorted (neither query orders its rows). */
function inColumnOrder(snapshot: CatalogSnapshot): CatalogSnapshot {
    return { ...snapshot, columns: sortColumnGrants(snapshot.columns ?? []) };
}

const columnsOf = (snapshot: CatalogSnapshot) =>
    (snapshot.columns ?? [])
        .map((c) => `${c.table}.${c.column}:${c.privilege}:${c.grantor}:${c.grantable}`)
        .sort();

describe("TargetGrants PostgreSQL catalog read: column ACL candidates", () => {
    before(async () => {
        await requireService("PostgreSQL", POSTGRES_ADMIN_URL);
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`CREATE DATABASE ${pgq(database)}`);
            for (const role of [grantee, owner, grantor, bystander]) {
                await c.query(`CREATE ROLE ${pgq(role)} NOLOGIN`);
            }
        });
        const g = pgq(grantee);
        await withPg(url, async (c) => {
            await c.query(`CREATE SCHEMA ${SCHEMA}`);
            for (const t of [
                "plain",
                "owned",
                "handed",
                "by_grantor",
                "others",
                "revoked",
                "quiet",
            ]) {
                await c.query(`CREATE TABLE ${SCHEMA}.${t} (a int, b int, gone int)`);
                await c.query(`ALTER TABLE ${SCHEMA}.${t} OWNER TO ${pgq(owner)}`);
            }
            await c.query(`CREATE VIEW ${SCHEMA}.v AS SELECT a, b FROM ${SCHEMA}.plain`);
            await c.query(`ALTER VIEW ${SCHEMA}.v OWNER TO ${pgq(owner)}`);
            await c.query(`GRANT SELECT (a), UPDATE (b) ON ${SCHEMA}.plain TO ${g}`);
            await c.query(`GRANT SELECT (b) ON ${SCHEMA}.v TO ${g}`);
            await c.query(`GRANT INSERT (b) ON ${SCHEMA}.plain TO ${g} WITH GRANT OPTION`);
            // A dropped column keeps its ACL in pg_attribute; neither read reports it.
            await c.query(`GRANT INSERT (gone) ON ${SCHEMA}.plain TO ${g}`);
            await c.query(`ALTER TABLE ${SCHEMA}.plain DROP COLUMN gone`);
            // The grantee owns it and holds a column ACL entry of its own: no dependency entry.
            await c.query(`ALTER TABLE ${SCHEMA}.owned OWNER TO ${g}`);
            await c.query(`GRANT SELECT (a) ON ${SCHEMA}.owned TO ${g}`);
            await c.query(`GRANT SELECT (b) ON ${SCHEMA}.owned TO ${pgq(bystander)}`);
            // Granted while another role owned it, then handed to the grantee: the new owner's
            // dependency entries are dropped, its ACL entries stay.
            await c.query(`GRANT SELECT (a, b) ON ${SCHEMA}.handed TO ${g}`);
            await c.query(`ALTER TABLE ${SCHEMA}.handed OWNER TO ${g}`);
            // A non-owner grantor.
            await c.query(
                `GRANT SELECT ON ${SCHEMA}.by_grantor TO ${pgq(grantor)} WITH GRANT OPTION`,
            );
            await c.query(`GRANT USAGE ON SCHEMA ${SCHEMA} TO ${pgq(grantor)}`);
            await c.query(`SET ROLE ${pgq(grantor)}`);
            await c.query(`GRANT SELECT (a) ON ${SCHEMA}.by_grantor TO ${g}`);
            await c.query("RESET ROLE");
            await c.query(`GRANT SELECT (a) ON ${SCHEMA}.others TO ${pgq(bystander)}`);
            await c.query(`GRANT UPDATE (a) ON ${SCHEMA}.revoked TO ${g}`);
            await c.query(`REVOKE UPDATE (a) ON ${SCHEMA}.revoked FROM ${g}`);
            // The bootstrap superuser is pinned: PostgreSQL keeps no dependency entry for it.
            await c.query(`GRANT SELECT (b) ON ${SCHEMA}.quiet TO ${pgq("postgres")}`);
        });
    });

    after(async () => {
        await withPg(POSTGRES_ADMIN_URL, async (c) => {
            await c.query(`DROP DATABASE IF EXISTS ${pgq(database)} WITH (FORCE)`);
            for (const role of [grantee, owner, grantor, bystander]) {
                await c.query(`DROP ROLE IF EXISTS ${pgq(role)}`);
            }
        });
    });

    it("replaces the full column scan", () => {
        assert.notEqual(
            FULL_SCAN_QUERY,
            PG_CATALOG_QUERY,
            "the column lookup was found and replaced",
        );
    });

    it("reads the same snapshot as the full scan for a grantee with column grants on owned and other tables", async () => {
        const { filtered, full } = await snapshots(grantee);
        assert.deepEqual(filtered, full);
        assert.deepEqual(columnsOf(filtered), [
            `by_grantor.a:SELECT:${grantor}:false`,
            `handed.a:SELECT:${grantee}:false`,
            `handed.b:SELECT:${grantee}:false`,
            `owned.a:SELECT:${grantee}:false`,
            `plain.a:SELECT:${owner}:false`,
            `plain.b:INSERT:${owner}:true`,
            `plain.b:UPDATE:${owner}:false`,
            `v.b:SELECT:${owner}:false`,
        ]);
    });

    it("reads the same snapshot as the full scan for the bootstrap superuser, the owner and a bystander", async () => {
        for (const role of ["postgres", owner, bystander]) {
            const { filtered, full } = await snapshots(role);
            assert.deepEqual(filtered, full, role);
        }
        assert.deepEqual(columnsOf((await snapshots("postgres")).filtered), [
            `quiet.b:SELECT:${owner}:false`,
        ]);
        assert.deepEqual(columnsOf((await snapshots(bystander)).filtered), [
            `others.a:SELECT:${owner}:false`,
            `owned.b:SELECT:${grantee}:false`,
        ]);
    });

    it("reads the same snapshot as the full scan for a grantee that does not exist", async () => {
        const { filtered, full } = await snapshots(uniqueName("tg_nobody"));
        assert.deepEqual(filtered, full);
        assert.equal(filtered.granteeExists, false);
    });
});
