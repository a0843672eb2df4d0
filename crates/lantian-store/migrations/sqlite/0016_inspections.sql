-- Migration 16: inspections (督查检查, issue 13: a dataset added as one module,
-- `lantian_service::datasets::inspections`, with its store in `lantian_store::inspections`). One row
-- per finding, keyed by city, date, department, target and finding; the measure, deadline, mode and
-- status change as the rectification moves on. Dates are day numbers (days from 0001-01-01 CE, day 1),
-- as in the other tables. The table belongs to the data area `tasks` (work items: the cities' tasks,
-- and now the findings they must rectify), raised by the three triggers below (migration 15).

CREATE TABLE inspection (
    id INTEGER PRIMARY KEY,
    city_id INTEGER NOT NULL REFERENCES city(id),
    date INTEGER NOT NULL,
    department TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('enterprise', 'site')),
    target TEXT NOT NULL,
    finding TEXT NOT NULL,
    measure TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    status TEXT NOT NULL,
    UNIQUE (city_id, date, department, target, finding)
);
CREATE INDEX inspection_city_date ON inspection (city_id, date);

CREATE TRIGGER dv_inspection_insert AFTER INSERT ON inspection BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_inspection_update AFTER UPDATE ON inspection BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_inspection_delete AFTER DELETE ON inspection BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
