-- Migration 8: content_version — bumped by every change to the data a number can depend on (not by caches,
-- import bookkeeping or published results); readers key response caches by it.

INSERT OR IGNORE INTO meta (key, value) VALUES ('content_version', '0');
CREATE TRIGGER cv_city_insert AFTER INSERT ON city BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_update AFTER UPDATE ON city BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_delete AFTER DELETE ON city BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_station_insert AFTER INSERT ON station BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_station_update AFTER UPDATE ON station BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_station_delete AFTER DELETE ON station BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_day_block_insert AFTER INSERT ON day_block BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_day_block_update AFTER UPDATE ON day_block BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_day_block_delete AFTER DELETE ON day_block BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_daily_insert AFTER INSERT ON city_daily BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_daily_update AFTER UPDATE ON city_daily BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_daily_delete AFTER DELETE ON city_daily BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_dust_event_insert AFTER INSERT ON dust_event BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_dust_event_update AFTER UPDATE ON dust_event BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_dust_event_delete AFTER DELETE ON dust_event BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_target_insert AFTER INSERT ON city_target BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_target_update AFTER UPDATE ON city_target BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_target_delete AFTER DELETE ON city_target BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_adjustment_insert AFTER INSERT ON adjustment BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_adjustment_update AFTER UPDATE ON adjustment BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_adjustment_delete AFTER DELETE ON adjustment BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_national_rank_insert AFTER INSERT ON national_rank BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_national_rank_update AFTER UPDATE ON national_rank BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_national_rank_delete AFTER DELETE ON national_rank BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_task_insert AFTER INSERT ON task BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_task_update AFTER UPDATE ON task BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_task_delete AFTER DELETE ON task BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_task_report_insert AFTER INSERT ON task_report BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_task_report_update AFTER UPDATE ON task_report BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_task_report_delete AFTER DELETE ON task_report BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
