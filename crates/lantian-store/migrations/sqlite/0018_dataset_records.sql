-- Migration 18: the records of dataset modules (issue 13 items 1–2, `lantian_store::records`). One table
-- for every dataset whose records a module defines itself: (dataset, city, key) → the record's fields as
-- JSON. city_id 0 is a province-wide record (no city has id 0). The key is the module's, its parts
-- joined by U+001F so that keys order as the tuples of their parts. The table belongs to the data
-- area `tasks` (work items), raised by the three triggers below.
--
-- The inspections of migration 16 move here, as the inspections module now writes them: key
-- date, department, target, finding; body {date, department, target_kind, target, finding, measure,
-- mode, deadline, status} (dates as YYYY-MM-DD from the day numbers, day 1 = 0001-01-01). Then the
-- table `inspection` and its triggers go.

CREATE TABLE dataset_record (
    dataset TEXT NOT NULL,
    city_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (dataset, city_id, key)
) WITHOUT ROWID;

CREATE TRIGGER dv_dataset_record_insert AFTER INSERT ON dataset_record BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_dataset_record_update AFTER UPDATE ON dataset_record BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_dataset_record_delete AFTER DELETE ON dataset_record BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;

INSERT INTO dataset_record (dataset, city_id, key, body)
SELECT 'inspections',
       city_id,
       date(julianday('0001-01-01') + date - 1) || char(31) || department || char(31) || target || char(31) || finding,
       json_object('date', date(julianday('0001-01-01') + date - 1), 'department', department,
                   'target_kind', target_kind, 'target', target, 'finding', finding, 'measure', measure,
                   'mode', mode, 'deadline', date(julianday('0001-01-01') + deadline - 1), 'status', status)
FROM inspection;

DROP TABLE inspection;
