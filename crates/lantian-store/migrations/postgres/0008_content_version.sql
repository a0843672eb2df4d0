-- Migration 8 (PostgreSQL): content_version — raised by every change to the data a number can depend on.
-- SQLite raises it with a row trigger per table and event; here one statement-level trigger per table and
-- event, with the statement's rows as a transition table (`changed`): a statement that changes no row
-- raises nothing, a statement of many rows raises it once.

INSERT INTO meta (key, value) VALUES ('content_version', '0') ON CONFLICT (key) DO NOTHING;
CREATE FUNCTION lantian_bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'content_version';
    END IF;
    RETURN NULL;
END
$$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['city', 'station', 'day_block', 'city_daily', 'dust_event', 'city_target',
                             'adjustment', 'national_rank', 'task', 'task_report'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_content_version()', 'cv_' || t || '_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_content_version()', 'cv_' || t || '_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_content_version()', 'cv_' || t || '_delete', t);
    END LOOP;
END
$$;
