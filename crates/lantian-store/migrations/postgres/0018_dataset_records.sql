-- Migration 18 (PostgreSQL): the records of dataset modules, as ../sqlite/0018_dataset_records.sql:
-- (dataset, city, key) → the record's fields as JSON text; city_id 0 is a province-wide record. Text
-- ordered by bytes (`COLLATE "C"`), as SQLite compares. The table belongs to the data area `tasks`,
-- raised by one statement-level trigger per event (migration 15's `lantian_bump_area`). The
-- inspections of migration 16 move here as the inspections module writes them; then the table
-- `inspection` goes.

CREATE TABLE dataset_record (
    dataset text COLLATE "C" NOT NULL,
    city_id bigint NOT NULL,
    key text COLLATE "C" NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (dataset, city_id, key)
);

CREATE TRIGGER dv_dataset_record_insert AFTER INSERT ON dataset_record REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_area('tasks');
CREATE TRIGGER dv_dataset_record_update AFTER UPDATE ON dataset_record REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_area('tasks');
CREATE TRIGGER dv_dataset_record_delete AFTER DELETE ON dataset_record REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION lantian_bump_area('tasks');

INSERT INTO dataset_record (dataset, city_id, key, body)
SELECT 'inspections',
       city_id,
       to_char(date, 'YYYY-MM-DD') || chr(31) || department || chr(31) || target || chr(31) || finding,
       json_build_object('date', to_char(date, 'YYYY-MM-DD'), 'department', department,
                         'target_kind', target_kind, 'target', target, 'finding', finding, 'measure', measure,
                         'mode', mode, 'deadline', to_char(deadline, 'YYYY-MM-DD'), 'status', status)::text
FROM inspection;

DROP TABLE inspection;
