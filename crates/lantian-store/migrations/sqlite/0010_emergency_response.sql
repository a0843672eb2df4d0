-- Migration 10: heavy-pollution emergency response (emergency.md): forecast issuances (every one kept),
-- the alert log, the key-emitter registry with its one-plant-one-policy measures, city emission
-- inventories and non-industrial measures, electricity use, CEMS hours and pairing visits.
-- Amounts are integer thousandths of the file's unit (t → kg, kg → g, kWh → Wh).

CREATE TABLE forecast (
    city_id INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    date INTEGER NOT NULL,
    aqi INTEGER NOT NULL,
    aqi_low INTEGER,
    aqi_high INTEGER,
    primary_pollutant TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (city_id, issued_at, date)
);
CREATE TABLE alert_event (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    level_from TEXT,
    level_to TEXT,
    start_date INTEGER,
    end_date INTEGER,
    rule_set TEXT NOT NULL,
    evidence TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX alert_event_scope ON alert_event (scope, at);
CREATE TABLE enterprise (
    credit_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city_id INTEGER NOT NULL,
    county TEXT NOT NULL,
    industry TEXT NOT NULL,
    grade TEXT NOT NULL,
    grade_date INTEGER,
    grade_authority TEXT NOT NULL,
    green_benchmark INTEGER NOT NULL,
    guarantee_reason TEXT NOT NULL,
    lines TEXT NOT NULL,
    so2_kg INTEGER NOT NULL,
    nox_kg INTEGER NOT NULL,
    pm_kg INTEGER NOT NULL,
    vocs_kg INTEGER NOT NULL
);
CREATE INDEX enterprise_city ON enterprise (city_id);
CREATE TABLE plant_measure (
    credit_code TEXT NOT NULL,
    level TEXT NOT NULL,
    line TEXT NOT NULL,
    action TEXT NOT NULL,
    param INTEGER,
    process TEXT NOT NULL,
    so2_g INTEGER NOT NULL,
    nox_g INTEGER NOT NULL,
    pm_g INTEGER NOT NULL,
    vocs_g INTEGER NOT NULL,
    plan_version TEXT NOT NULL,
    PRIMARY KEY (credit_code, level, line)
);
CREATE TABLE emission_inventory (
    city_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    so2_kg INTEGER NOT NULL,
    nox_kg INTEGER NOT NULL,
    pm_kg INTEGER NOT NULL,
    vocs_kg INTEGER NOT NULL,
    basis TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (city_id, year)
);
CREATE TABLE city_measure (
    city_id INTEGER NOT NULL,
    level TEXT NOT NULL,
    measure TEXT NOT NULL,
    so2_g INTEGER NOT NULL,
    nox_g INTEGER NOT NULL,
    pm_g INTEGER NOT NULL,
    vocs_g INTEGER NOT NULL,
    PRIMARY KEY (city_id, level, measure)
);
CREATE TABLE power_use (
    credit_code TEXT NOT NULL,
    start TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    wh INTEGER NOT NULL,
    PRIMARY KEY (credit_code, start, minutes)
);
CREATE TABLE cems_hourly (
    credit_code TEXT NOT NULL,
    point TEXT NOT NULL,
    time TEXT NOT NULL,
    so2_g INTEGER,
    nox_g INTEGER,
    pm_g INTEGER,
    PRIMARY KEY (credit_code, point, time)
);
CREATE TABLE pairing_visit (
    id INTEGER PRIMARY KEY,
    department TEXT NOT NULL,
    city_id INTEGER NOT NULL,
    date_from INTEGER NOT NULL,
    date_to INTEGER NOT NULL,
    on_site INTEGER NOT NULL,
    leader_name TEXT NOT NULL,
    leader_rank TEXT NOT NULL,
    issues_found TEXT NOT NULL,
    UNIQUE (department, city_id, date_from, date_to, leader_name)
);
CREATE TRIGGER cv_forecast_insert AFTER INSERT ON forecast BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_forecast_update AFTER UPDATE ON forecast BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_forecast_delete AFTER DELETE ON forecast BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_enterprise_insert AFTER INSERT ON enterprise BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_enterprise_update AFTER UPDATE ON enterprise BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_enterprise_delete AFTER DELETE ON enterprise BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_plant_measure_insert AFTER INSERT ON plant_measure BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_plant_measure_update AFTER UPDATE ON plant_measure BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_plant_measure_delete AFTER DELETE ON plant_measure BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_emission_inventory_insert AFTER INSERT ON emission_inventory BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_emission_inventory_update AFTER UPDATE ON emission_inventory BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_emission_inventory_delete AFTER DELETE ON emission_inventory BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_measure_insert AFTER INSERT ON city_measure BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_measure_update AFTER UPDATE ON city_measure BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_city_measure_delete AFTER DELETE ON city_measure BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_power_use_insert AFTER INSERT ON power_use BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_power_use_update AFTER UPDATE ON power_use BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_power_use_delete AFTER DELETE ON power_use BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_cems_hourly_insert AFTER INSERT ON cems_hourly BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_cems_hourly_update AFTER UPDATE ON cems_hourly BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_cems_hourly_delete AFTER DELETE ON cems_hourly BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_pairing_visit_insert AFTER INSERT ON pairing_visit BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_pairing_visit_update AFTER UPDATE ON pairing_visit BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_pairing_visit_delete AFTER DELETE ON pairing_visit BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_alert_event_insert AFTER INSERT ON alert_event BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_alert_event_update AFTER UPDATE ON alert_event BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
CREATE TRIGGER cv_alert_event_delete AFTER DELETE ON alert_event BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'content_version';
END;
