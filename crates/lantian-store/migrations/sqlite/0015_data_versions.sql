-- Migration 15: a version per data area instead of one content_version (issue 13 item 4). The web
-- server keys each cached answer by the versions of the areas it read, so an upload of targets no
-- longer invalidates the hourly AQI answers, nor an import of CEMS hours the rankings. Each area's
-- version is raised in the same transaction as any change to its tables: by the triggers below, and
-- for the hourly blocks (area `hourly`) by `import_wide` once per file that changes blocks, as
-- migration 12 did for content_version. The areas and their tables are `lantian_store::DataArea`;
-- caches (daily_cache), import bookkeeping (import_file) and the schema's own tables have none.

CREATE TABLE data_version (
    area TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;
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

-- content_version and its 54 triggers (the 57 of migrations 8 and 10, less the 3 of day_block dropped
-- by migration 12).
DROP TRIGGER cv_city_insert;
DROP TRIGGER cv_city_update;
DROP TRIGGER cv_city_delete;
DROP TRIGGER cv_station_insert;
DROP TRIGGER cv_station_update;
DROP TRIGGER cv_station_delete;
DROP TRIGGER cv_city_daily_insert;
DROP TRIGGER cv_city_daily_update;
DROP TRIGGER cv_city_daily_delete;
DROP TRIGGER cv_dust_event_insert;
DROP TRIGGER cv_dust_event_update;
DROP TRIGGER cv_dust_event_delete;
DROP TRIGGER cv_city_target_insert;
DROP TRIGGER cv_city_target_update;
DROP TRIGGER cv_city_target_delete;
DROP TRIGGER cv_adjustment_insert;
DROP TRIGGER cv_adjustment_update;
DROP TRIGGER cv_adjustment_delete;
DROP TRIGGER cv_national_rank_insert;
DROP TRIGGER cv_national_rank_update;
DROP TRIGGER cv_national_rank_delete;
DROP TRIGGER cv_task_insert;
DROP TRIGGER cv_task_update;
DROP TRIGGER cv_task_delete;
DROP TRIGGER cv_task_report_insert;
DROP TRIGGER cv_task_report_update;
DROP TRIGGER cv_task_report_delete;
DROP TRIGGER cv_forecast_insert;
DROP TRIGGER cv_forecast_update;
DROP TRIGGER cv_forecast_delete;
DROP TRIGGER cv_enterprise_insert;
DROP TRIGGER cv_enterprise_update;
DROP TRIGGER cv_enterprise_delete;
DROP TRIGGER cv_plant_measure_insert;
DROP TRIGGER cv_plant_measure_update;
DROP TRIGGER cv_plant_measure_delete;
DROP TRIGGER cv_emission_inventory_insert;
DROP TRIGGER cv_emission_inventory_update;
DROP TRIGGER cv_emission_inventory_delete;
DROP TRIGGER cv_city_measure_insert;
DROP TRIGGER cv_city_measure_update;
DROP TRIGGER cv_city_measure_delete;
DROP TRIGGER cv_power_use_insert;
DROP TRIGGER cv_power_use_update;
DROP TRIGGER cv_power_use_delete;
DROP TRIGGER cv_cems_hourly_insert;
DROP TRIGGER cv_cems_hourly_update;
DROP TRIGGER cv_cems_hourly_delete;
DROP TRIGGER cv_pairing_visit_insert;
DROP TRIGGER cv_pairing_visit_update;
DROP TRIGGER cv_pairing_visit_delete;
DROP TRIGGER cv_alert_event_insert;
DROP TRIGGER cv_alert_event_update;
DROP TRIGGER cv_alert_event_delete;
DELETE FROM meta WHERE key = 'content_version';

-- places
CREATE TRIGGER dv_city_insert AFTER INSERT ON city BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'places';
END;
CREATE TRIGGER dv_city_update AFTER UPDATE ON city BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'places';
END;
CREATE TRIGGER dv_city_delete AFTER DELETE ON city BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'places';
END;
CREATE TRIGGER dv_station_insert AFTER INSERT ON station BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'places';
END;
CREATE TRIGGER dv_station_update AFTER UPDATE ON station BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'places';
END;
CREATE TRIGGER dv_station_delete AFTER DELETE ON station BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'places';
END;

-- daily
CREATE TRIGGER dv_city_daily_insert AFTER INSERT ON city_daily BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'daily';
END;
CREATE TRIGGER dv_city_daily_update AFTER UPDATE ON city_daily BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'daily';
END;
CREATE TRIGGER dv_city_daily_delete AFTER DELETE ON city_daily BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'daily';
END;

-- assessment
CREATE TRIGGER dv_dust_event_insert AFTER INSERT ON dust_event BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_dust_event_update AFTER UPDATE ON dust_event BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_dust_event_delete AFTER DELETE ON dust_event BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_city_target_insert AFTER INSERT ON city_target BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_city_target_update AFTER UPDATE ON city_target BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_city_target_delete AFTER DELETE ON city_target BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_adjustment_insert AFTER INSERT ON adjustment BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_adjustment_update AFTER UPDATE ON adjustment BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_adjustment_delete AFTER DELETE ON adjustment BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_national_rank_insert AFTER INSERT ON national_rank BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_national_rank_update AFTER UPDATE ON national_rank BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;
CREATE TRIGGER dv_national_rank_delete AFTER DELETE ON national_rank BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'assessment';
END;

-- tasks
CREATE TRIGGER dv_task_insert AFTER INSERT ON task BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_task_update AFTER UPDATE ON task BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_task_delete AFTER DELETE ON task BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_task_report_insert AFTER INSERT ON task_report BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_task_report_update AFTER UPDATE ON task_report BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_task_report_delete AFTER DELETE ON task_report BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;

-- alerts
CREATE TRIGGER dv_forecast_insert AFTER INSERT ON forecast BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'alerts';
END;
CREATE TRIGGER dv_forecast_update AFTER UPDATE ON forecast BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'alerts';
END;
CREATE TRIGGER dv_forecast_delete AFTER DELETE ON forecast BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'alerts';
END;
CREATE TRIGGER dv_alert_event_insert AFTER INSERT ON alert_event BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'alerts';
END;
CREATE TRIGGER dv_alert_event_update AFTER UPDATE ON alert_event BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'alerts';
END;
CREATE TRIGGER dv_alert_event_delete AFTER DELETE ON alert_event BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'alerts';
END;

-- response
CREATE TRIGGER dv_enterprise_insert AFTER INSERT ON enterprise BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_enterprise_update AFTER UPDATE ON enterprise BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_enterprise_delete AFTER DELETE ON enterprise BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_plant_measure_insert AFTER INSERT ON plant_measure BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_plant_measure_update AFTER UPDATE ON plant_measure BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_plant_measure_delete AFTER DELETE ON plant_measure BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_emission_inventory_insert AFTER INSERT ON emission_inventory BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_emission_inventory_update AFTER UPDATE ON emission_inventory BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_emission_inventory_delete AFTER DELETE ON emission_inventory BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_city_measure_insert AFTER INSERT ON city_measure BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_city_measure_update AFTER UPDATE ON city_measure BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_city_measure_delete AFTER DELETE ON city_measure BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_power_use_insert AFTER INSERT ON power_use BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_power_use_update AFTER UPDATE ON power_use BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_power_use_delete AFTER DELETE ON power_use BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_cems_hourly_insert AFTER INSERT ON cems_hourly BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_cems_hourly_update AFTER UPDATE ON cems_hourly BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_cems_hourly_delete AFTER DELETE ON cems_hourly BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_pairing_visit_insert AFTER INSERT ON pairing_visit BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_pairing_visit_update AFTER UPDATE ON pairing_visit BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;
CREATE TRIGGER dv_pairing_visit_delete AFTER DELETE ON pairing_visit BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'response';
END;

-- accounts
CREATE TRIGGER dv_account_insert AFTER INSERT ON account BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_account_update AFTER UPDATE ON account BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_account_delete AFTER DELETE ON account BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_api_token_insert AFTER INSERT ON api_token BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_api_token_update AFTER UPDATE ON api_token BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_api_token_delete AFTER DELETE ON api_token BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_audit_log_insert AFTER INSERT ON audit_log BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_audit_log_update AFTER UPDATE ON audit_log BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_audit_log_delete AFTER DELETE ON audit_log BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_proposal_insert AFTER INSERT ON proposal BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_proposal_update AFTER UPDATE ON proposal BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;
CREATE TRIGGER dv_proposal_delete AFTER DELETE ON proposal BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'accounts';
END;

-- published
CREATE TRIGGER dv_published_result_insert AFTER INSERT ON published_result BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'published';
END;
CREATE TRIGGER dv_published_result_update AFTER UPDATE ON published_result BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'published';
END;
CREATE TRIGGER dv_published_result_delete AFTER DELETE ON published_result BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'published';
END;
