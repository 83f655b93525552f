-- PostgreSQL least-privilege roles for OpenAPS Data Commons.
--
-- HOW IT IS APPLIED
--   `openaps-server migrate --roles` runs the migrations, then this file, in
--   one transaction, as the user in OPENAPS_DATABASE_URL. That user must own
--   the database and have CREATEROLE (or be a superuser). Run it again after
--   every upgrade: it is idempotent and authoritative (it first revokes every
--   table privilege of the group roles, then grants what is listed here).
--   By hand: psql -v ON_ERROR_STOP=1 -1 -f sql/postgres/roles.sql DBNAME
--
-- THE ROLES (NOLOGIN groups; give each server process a LOGIN user that is a
-- member of the groups it needs, e.g.
--   CREATE ROLE openaps_web_1 LOGIN PASSWORD '...' IN ROLE openaps_web;)
--   openaps_owner   owns every table; members run migrations (DDL).
--   openaps_web     participant site: participants and sessions, erasure
--                   (SELECT + DELETE on research and derived tables).
--   openaps_ingest  Nightscout → Open Humans: participants' tokens and its
--                   own state; no research tables at all.
--   openaps_etl     Open Humans → research tables: loads research, derived
--                   and demographics tables; reads participants' tokens.
--   openaps_api     researcher API: reads research data, never changes it,
--                   never sees participants' tokens; owns its auth tables.
--   openaps_viewer  BI tools (Metabase): reads research data only; never a
--                   token column, never an auth, session or audit table.
--
-- ADDING A TABLE (later migrations): add ONE row per new table to the INSERT
-- in section 3, naming what each role may do. Applying fails with a message
-- naming any table in schema public that has no row, so none is forgotten.
-- Cells: NULL (nothing), or a shorthand
--   read  = SELECT                       append = SELECT, INSERT
--   erase = SELECT, DELETE               write  = SELECT, INSERT, UPDATE, DELETE
--   load  = write + TRUNCATE
-- or literal GRANT privileges, e.g. 'SELECT (id, member_id)' for columns.
-- INSERT also grants the table's serial/identity sequences. Rows for tables
-- that do not exist (yet) are skipped. tests/integration/foundation/tst_roles.cpp
-- proves the limits; extend it when a role gets a new job.

-- 1. The group roles (cluster-wide; created once, concurrent runs tolerated).
DO $$
DECLARE
    r TEXT;
BEGIN
    FOREACH r IN ARRAY ARRAY['openaps_owner', 'openaps_web', 'openaps_ingest', 'openaps_etl',
                             'openaps_api', 'openaps_viewer'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another run created it meanwhile
            END;
        END IF;
    END LOOP;
END $$;

-- 2. Database, schema and ownership. Tables are created by whoever runs the
-- migrations; hand them to openaps_owner so any member can run the next ones
-- (a new owner needs CREATE on the schema first).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO openaps_owner;
GRANT USAGE ON SCHEMA public TO openaps_web, openaps_ingest, openaps_etl, openaps_api, openaps_viewer;

DO $$
DECLARE
    o RECORD;
BEGIN
    IF NOT pg_has_role(current_user, 'openaps_owner', 'MEMBER') THEN
        EXECUTE format('GRANT openaps_owner TO %I', current_user);
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO openaps_owner, openaps_web, '
                   'openaps_ingest, openaps_etl, openaps_api, openaps_viewer', current_database());
    FOR o IN
        SELECT c.relname, c.relkind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND pg_get_userbyid(c.relowner) <> 'openaps_owner'
          -- serial and identity sequences follow their table
          AND NOT EXISTS (SELECT FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER %s public.%I OWNER TO openaps_owner',
                       CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                      WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                       o.relname);
    END LOOP;
END $$;

REVOKE ALL ON ALL TABLES IN SCHEMA public
    FROM openaps_web, openaps_ingest, openaps_etl, openaps_api, openaps_viewer;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public
    FROM openaps_web, openaps_ingest, openaps_etl, openaps_api, openaps_viewer;

-- 3. What each role may do, one row per table.
DROP TABLE IF EXISTS pg_temp.openaps_grants;
CREATE TEMP TABLE openaps_grants (
    table_name TEXT PRIMARY KEY,
    web TEXT,
    ingest TEXT,
    etl TEXT,
    api TEXT,
    viewer TEXT
);

INSERT INTO pg_temp.openaps_grants (table_name, web, ingest, etl, api, viewer) VALUES
    -- foundation (0001): every process checks the schema version at start-up
    ('schema_migrations', 'read', 'read', 'read', 'read', NULL),
    -- 0070: rewrites `migrate` made with the keys; checked at start-up too
    ('data_rewrites', 'read', 'read', 'read', 'read', NULL),
    -- 0110: every change of research data bumps it (the ETL, erasure on the
    -- site); the API's cohort views follow it
    ('research_generation', 'SELECT, UPDATE', NULL, 'SELECT, UPDATE', 'read', NULL),
    -- tokens: web stores them, ingest and ETL refresh them (OH rotates refresh tokens);
    -- with the master token (0090) ingest and ETL add the project's other members
    -- researchers and BI tools never see a member id (research rows carry pseudonyms)
    ('participants', 'write', 'SELECT, INSERT, UPDATE', 'SELECT, INSERT, UPDATE', NULL, NULL),
    ('source_entities', 'read', NULL, 'read', 'read', 'read'),
    ('entries', 'erase', NULL, 'load', 'read', 'read'),
    ('treatments', 'erase', NULL, 'load', 'read', 'read'),
    ('device_status', 'erase', NULL, 'load', 'read', 'read'),
    ('device_status_metrics', 'erase', NULL, 'load', 'read', 'read'),
    ('profile', 'erase', NULL, 'load', 'read', 'read'),
    ('member_demographics', 'erase', NULL, 'load', 'read', 'read'),

    -- participant site (0010); the audit log is append-only for the site
    ('site_sessions', 'write', NULL, NULL, NULL, NULL),
    ('site_rate_limits', 'write', NULL, NULL, 'write', NULL),  -- api: its POST limits too
    ('site_audit', 'append', NULL, NULL, NULL, NULL),
    ('site_webhook_deliveries', 'write', NULL, NULL, NULL, NULL),  -- 0060: replayed webhooks
    ('participant_status', 'read', 'write', NULL, NULL, NULL),
    ('participant_type_status', 'read', 'write', NULL, NULL, NULL),

    -- ingest (0020): cursors and backoff; the site erases them with the participant
    ('ingest_cursors', 'erase', 'write', NULL, NULL, NULL),
    ('ingest_participants', 'erase', 'write', NULL, NULL, NULL),

    -- scheduled jobs and ETL (0030-0032); derived tables are erased by the site too
    ('job_leases', 'erase', 'write', 'write', NULL, NULL),
    ('etl_files', 'erase', NULL, 'write', NULL, NULL),
    ('etl_participants', 'erase', NULL, 'write', NULL, NULL),
    ('analytics_glucose_time_of_day', 'erase', NULL, 'load', 'read', 'read'),
    ('analytics_loop_type_by_day', 'erase', NULL, 'load', 'read', 'read'),
    ('analytics_device_groups', 'erase', NULL, 'load', 'read', 'read'),
    ('analytics_demographics', 'erase', NULL, 'load', 'read', 'read'),
    -- derived datasets (0100): the ETL computes them, researchers download them
    ('participant_summary', 'erase', NULL, 'load', 'read', 'read'),
    ('derived_pending', 'erase', NULL, 'write', NULL, NULL),
    ('data_quality', 'erase', NULL, 'load', 'read', 'read'),  -- 0101
    ('derived_file_days', 'erase', NULL, 'write', NULL, NULL),
    -- 0140; the API's glucose_by_time_of_day reads their bins for a window
    ('derived_days', 'erase', NULL, 'write', 'read', NULL),
    ('derived_months', 'erase', NULL, 'write', 'read', NULL),
    ('derived_month_sums', 'erase', NULL, 'write', NULL, NULL),  -- 0190

    -- researcher API accounts (0040): the api role alone; auth tables, so no viewer
    ('researchers', NULL, NULL, NULL, 'write', NULL),
    ('researcher_codes', NULL, NULL, NULL, 'write', NULL),
    ('researcher_limits', NULL, NULL, NULL, 'write', NULL),  -- 0061: per-account limits
    ('api_tokens', NULL, NULL, NULL, 'write', NULL),

    -- researcher API downloads (0041): the API appends and lists them; no
    -- participant data, but an audit table, so not for the viewer
    ('download_audit', NULL, NULL, NULL, 'append', NULL),
    -- releases (0130): the API's release jobs; pseudonyms only
    ('releases', NULL, NULL, NULL, 'write', NULL),

    -- participant self-service (0055): the site alone keeps the consent history
    ('consent_history', 'write', NULL, NULL, NULL, NULL),

    -- legacy migration (0080): the owner runs `migrate-legacy`; the site erases
    -- a member's stamp with the member
    ('legacy_migration', NULL, NULL, NULL, NULL, NULL),
    ('legacy_migration_counts', NULL, NULL, NULL, NULL, NULL),
    ('legacy_member_consent', 'erase', NULL, NULL, NULL, NULL),

    -- tombstones of erased members (0050): the site writes them (erasure) and
    -- lifts them (a member confirming again); every writer of participant data
    -- reads them; keyed hashes, yet nothing researchers need
    ('participant_tombstones', 'write', 'read', 'read', NULL, NULL),

    -- the master token's state (0090): the jobs record it, /healthz and
    -- /metrics (web and api roles) read it
    ('oh_master_token_status', 'read', 'write', 'write', 'read', NULL);

-- 4. Apply the rows above.
DO $$
DECLARE
    g RECORD;
    r RECORD;
    privileges TEXT;
    sequence_name TEXT;
    missing TEXT;
BEGIN
    SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO missing
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
      AND c.relname NOT IN (SELECT table_name FROM pg_temp.openaps_grants);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'sql/postgres/roles.sql has no row for the table(s) %: add one per table to section 3', missing;
    END IF;

    FOR g IN SELECT * FROM pg_temp.openaps_grants ORDER BY table_name LOOP
        IF to_regclass(format('public.%I', g.table_name)) IS NULL THEN
            RAISE NOTICE 'roles.sql: table % does not exist, skipped', g.table_name;
            CONTINUE;
        END IF;
        FOR r IN
            SELECT * FROM (VALUES ('openaps_web', g.web), ('openaps_ingest', g.ingest),
                                  ('openaps_etl', g.etl), ('openaps_api', g.api),
                                  ('openaps_viewer', g.viewer)) AS v (role_name, spec)
            WHERE spec IS NOT NULL AND spec <> ''
        LOOP
            privileges := CASE r.spec
                WHEN 'read' THEN 'SELECT'
                WHEN 'append' THEN 'SELECT, INSERT'
                WHEN 'erase' THEN 'SELECT, DELETE'
                WHEN 'write' THEN 'SELECT, INSERT, UPDATE, DELETE'
                WHEN 'load' THEN 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'
                ELSE r.spec END;
            EXECUTE format('GRANT %s ON TABLE public.%I TO %I', privileges, g.table_name, r.role_name);
            IF privileges ~* '\mINSERT\M' THEN
                FOR sequence_name IN
                    SELECT pg_get_serial_sequence(format('public.%I', g.table_name), a.attname)
                    FROM pg_attribute a
                    WHERE a.attrelid = format('public.%I', g.table_name)::regclass
                      AND a.attnum > 0 AND NOT a.attisdropped
                LOOP
                    IF sequence_name IS NOT NULL THEN
                        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', sequence_name, r.role_name);
                    END IF;
                END LOOP;
            END IF;
        END LOOP;
    END LOOP;
END $$;

DROP TABLE pg_temp.openaps_grants;
