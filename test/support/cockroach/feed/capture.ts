/**
 * Change capture in the backing PostgreSQL database: a private schema with a change log, and a
 * deferred (commit-time) row trigger on every captured table that records the key, the row
 * before and the row after, already encoded like CockroachDB's JSON changefeed format.
 *
 * The trigger is a DEFERRABLE INITIALLY DEFERRED constraint trigger so it runs while the
 * transaction commits: the `commit_wall` it records (clock_timestamp) is then within
 * microseconds of the commit, which is what the stamper turns into the change's HLC.
 *
 * Capture is installed once per database and never removed: a paused changefeed must still see
 * the changes made while it was paused when it resumes, and a changefeed created with an older
 * `cursor` must see the changes made since that cursor. An event trigger attaches capture to
 * every table created after installation, so call {@link installChangeCapture} when the backing
 * database is created to capture tables from their first row.
 */
import type { ClientBase } from "pg";

/** The private schema holding the change log (not a CockroachDB-visible schema). */
export const CAPTURE_SCHEMA = "crdb_feed_capture";
const TRIGGER_NAME = "crdb_feed_capture";
/** Advisory-lock key serializing installation (and, separately, stamping). */
export const INSTALL_LOCK_KEY = 7_305_112_001;
export const STAMP_LOCK_KEY = 7_305_112_002;

const S = CAPTURE_SCHEMA;

const INSTALL_SQL = `
CREATE SCHEMA IF NOT EXISTS ${S};
CREATE TABLE IF NOT EXISTS ${S}.changes (
    id bigserial PRIMARY KEY,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    commit_wall bigint NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    key jsonb NOT NULL,
    before jsonb,
    after jsonb,
    stamp_run bigint,
    hlc_wall bigint,
    hlc_logical integer
);
CREATE INDEX IF NOT EXISTS changes_unstamped ON ${S}.changes (id) WHERE stamp_run IS NULL;
CREATE INDEX IF NOT EXISTS changes_by_run ON ${S}.changes (stamp_run);
CREATE INDEX IF NOT EXISTS changes_by_key ON ${S}.changes (schema_name, table_name, key);
CREATE TABLE IF NOT EXISTS ${S}.clock (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    run bigint NOT NULL,
    closed_wall bigint NOT NULL,
    closed_logical integer NOT NULL
);
INSERT INTO ${S}.clock (run, closed_wall, closed_logical) VALUES (0, 0, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS ${S}.key_clock (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    key jsonb NOT NULL,
    hlc_wall bigint NOT NULL,
    hlc_logical integer NOT NULL,
    PRIMARY KEY (schema_name, table_name, key)
);

-- CockroachDB's JSON encoding (tree.AsJSON) differs from to_jsonb only for TIMESTAMPTZ, which
-- CockroachDB renders as RFC 3339 in UTC ("2024-01-02T03:04:05.123456Z").
CREATE OR REPLACE FUNCTION ${S}.encode_row(rel oid, r jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(jsonb_object_agg(e.key,
        CASE
            WHEN jsonb_typeof(e.value) = 'null' THEN e.value
            WHEN a.atttypid = 'timestamptz'::regtype THEN to_jsonb(
                (to_jsonb((e.value #>> '{}')::timestamptz AT TIME ZONE 'UTC') #>> '{}') || 'Z')
            ELSE e.value
        END), '{}'::jsonb)
    FROM jsonb_each(r) AS e
    JOIN pg_attribute a ON a.attrelid = rel AND a.attname = e.key
        AND a.attnum > 0 AND NOT a.attisdropped
$fn$;

-- The primary-key values in primary-key column order (CockroachDB's JSON key array).
CREATE OR REPLACE FUNCTION ${S}.row_key(rel oid, r jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce((
        SELECT jsonb_agg(r -> a.attname ORDER BY k.ord)
        FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = rel AND i.indisprimary
    ), '[]'::jsonb)
$fn$;

CREATE OR REPLACE FUNCTION ${S}.capture() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    old_row jsonb;
    new_row jsonb;
    old_key jsonb;
    new_key jsonb;
    wall bigint := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_row := ${S}.encode_row(TG_RELID, to_jsonb(OLD));
        old_key := ${S}.row_key(TG_RELID, old_row);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := ${S}.encode_row(TG_RELID, to_jsonb(NEW));
        new_key := ${S}.row_key(TG_RELID, new_row);
    END IF;
    IF TG_OP = 'UPDATE' AND old_key IS DISTINCT FROM new_key THEN
        -- A primary-key change is a delete of the old key and an insert of the new one.
        INSERT INTO ${S}.changes (commit_wall, schema_name, table_name, key, before, after)
        VALUES (wall, TG_TABLE_SCHEMA, TG_TABLE_NAME, old_key, old_row, NULL),
               (wall, TG_TABLE_SCHEMA, TG_TABLE_NAME, new_key, NULL, new_row);
    ELSE
        INSERT INTO ${S}.changes (commit_wall, schema_name, table_name, key, before, after)
        VALUES (wall, TG_TABLE_SCHEMA, TG_TABLE_NAME, coalesce(new_key, old_key), old_row, new_row);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION ${S}.attach(rel oid) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    c record;
BEGIN
    SELECT n.nspname, cl.relkind, cl.relpersistence INTO c
    FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE cl.oid = rel;
    IF NOT FOUND OR c.relkind NOT IN ('r', 'p') OR c.relpersistence = 't'
        OR c.nspname IN ('${S}', 'pg_catalog', 'information_schema') OR c.nspname LIKE 'pg\\_%' THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = rel AND tgname = '${TRIGGER_NAME}') THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE CONSTRAINT TRIGGER ${TRIGGER_NAME} AFTER INSERT OR UPDATE OR DELETE ON %s '
        'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${S}.capture()', rel::regclass);
END
$fn$;

CREATE OR REPLACE FUNCTION ${S}.on_create_table() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    obj record;
BEGIN
    FOR obj IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE object_type = 'table' LOOP
        PERFORM ${S}.attach(obj.objid);
    END LOOP;
END
$fn$;

SELECT ${S}.attach(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('${S}', 'pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_%';
`;

const EVENT_TRIGGER_SQL = `
DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = '${TRIGGER_NAME}_tables') THEN
        CREATE EVENT TRIGGER ${TRIGGER_NAME}_tables ON ddl_command_end
            WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
            EXECUTE FUNCTION ${S}.on_create_table();
    END IF;
END
$do$;
`;

const INSUFFICIENT_PRIVILEGE = "42501";

/**
 * Installs (idempotently) the change log, the capture trigger on every existing user table and
 * the event trigger that captures tables created later. Safe to call concurrently.
 * @param client a connection to the backing database; needs superuser for the event trigger
 *   (without it, only the tables existing at each call are captured).
 */
export async function installChangeCapture(client: ClientBase): Promise<void> {
    await inTransaction(client, async () => {
        await client.query("SELECT pg_advisory_xact_lock($1)", [INSTALL_LOCK_KEY]);
        await client.query(INSTALL_SQL);
    });
    try {
        await inTransaction(client, async () => {
            await client.query("SELECT pg_advisory_xact_lock($1)", [INSTALL_LOCK_KEY]);
            await client.query(EVENT_TRIGGER_SQL);
        });
    } catch (err) {
        if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
    }
}

/** Runs `work` in a transaction on `client`, rolling back on error. */
export async function inTransaction<T>(
    client: ClientBase,
    work: () => Promise<T>,
    begin = "BEGIN",
): Promise<T> {
    await client.query(begin);
    try {
        const result = await work();
        await client.query("COMMIT");
        return result;
    } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
