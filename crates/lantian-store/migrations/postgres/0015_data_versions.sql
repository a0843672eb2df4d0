-- Migration 15 (PostgreSQL): a version per data area instead of one content_version (issue 13 item 4), as
-- ../sqlite/0015_data_versions.sql. Each area's version is raised in the same transaction as any change to
-- its tables: by one statement-level trigger per table and event (a statement that changes no row raises
-- nothing), and for the hourly blocks (area `hourly`) by the import once per file that changes blocks.
-- The areas and their tables are `lantian_store::DataArea`; caches (daily_cache), import bookkeeping
-- (import_file) and the schema's own tables have none.

CREATE TABLE data_version (
    area text COLLATE "C" PRIMARY KEY,
    version bigint NOT NULL
);
INSERT INTO data_version (area, version) VALUES
    ('places', 0),
    ('hourly', 0),
    ('daily', 0),
    ('assessment', 0),
    ('tasks', 0),
    ('alerts', 0),
    ('response', 0),
    ('accounts', 0),
    ('published', 0);

-- content_version and its triggers (those of migrations 8 and 10, less day_block's dropped by 12).
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['city', 'station', 'city_daily', 'dust_event', 'city_target', 'adjustment',
                             'national_rank', 'task', 'task_report', 'forecast', 'enterprise', 'plant_measure',
                             'emission_inventory', 'city_measure', 'power_use', 'cems_hourly', 'pairing_visit',
                             'alert_event'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', 'cv_' || t || '_insert', t);
        EXECUTE format('DROP TRIGGER %I ON %I', 'cv_' || t || '_update', t);
        EXECUTE format('DROP TRIGGER %I ON %I', 'cv_' || t || '_delete', t);
    END LOOP;
END
$$;
DROP FUNCTION lantian_bump_content_version();
DELETE FROM meta WHERE key = 'content_version';

-- Raises the version of the area named by the trigger's argument when the statement changed a row.
CREATE FUNCTION lantian_bump_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE data_version SET version = version + 1 WHERE area = TG_ARGV[0];
    END IF;
    RETURN NULL;
END
$$;
DO $$
DECLARE
    p text[];
    pairs text[] := ARRAY[
        ['places', 'city'], ['places', 'station'],
        ['daily', 'city_daily'],
        ['assessment', 'dust_event'], ['assessment', 'city_target'], ['assessment', 'adjustment'],
        ['assessment', 'national_rank'],
        ['tasks', 'task'], ['tasks', 'task_report'],
        ['alerts', 'forecast'], ['alerts', 'alert_event'],
        ['response', 'enterprise'], ['response', 'plant_measure'], ['response', 'emission_inventory'],
        ['response', 'city_measure'], ['response', 'power_use'], ['response', 'cems_hourly'],
        ['response', 'pairing_visit'],
        ['accounts', 'account'], ['accounts', 'api_token'], ['accounts', 'audit_log'], ['accounts', 'proposal'],
        ['published', 'published_result']];
BEGIN
    FOREACH p SLICE 1 IN ARRAY pairs LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_area(%L)', 'dv_' || p[2] || '_insert', p[2], p[1]);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_area(%L)', 'dv_' || p[2] || '_update', p[2], p[1]);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_area(%L)', 'dv_' || p[2] || '_delete', p[2], p[1]);
    END LOOP;
END
$$;
