//! Schema migrations, applied in order; `schema_version` in `meta` records the last one applied.

/// Each entry is one migration; never edit a released one, append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: cities, stations, hourly station/city data, daily city values, imported files.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE city (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        short_name TEXT,
        code INTEGER UNIQUE,
        province TEXT NOT NULL DEFAULT '',
        UNIQUE (name_key, province)
    );
    CREATE TABLE station (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT,
        city_id INTEGER REFERENCES city(id),
        city_label TEXT,
        lon REAL,
        lat REAL,
        is_control INTEGER NOT NULL DEFAULT 0,
        is_stopped INTEGER NOT NULL DEFAULT 0,
        listed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX station_city ON station(city_id);
    -- Hourly data in blocks: one row per kind (0 = station columns of china_sites files, 1 = city
    -- columns of china_cities files), label date and chunk of 64 ids (id / 64). A block holds the
    -- label days (15 CNEMC series x 24 end-labelled hours) of the ids of its chunk (codec.rs). Keyed by
    -- date first: a day's import appends a few rows, and every query reads by date.
    CREATE TABLE day_block (
        kind INTEGER NOT NULL,
        date INTEGER NOT NULL,
        chunk INTEGER NOT NULL,
        entries INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (kind, date, chunk)
    ) WITHOUT ROWID;
    -- Imported daily city values (concentrations in thousandths of a unit).
    CREATE TABLE city_daily (
        city_id INTEGER NOT NULL,
        date INTEGER NOT NULL,
        source TEXT NOT NULL,
        aqi INTEGER,
        so2 INTEGER, no2 INTEGER, co INTEGER, pm10 INTEGER, pm2_5 INTEGER,
        o3_mda8 INTEGER, o3_max_1h INTEGER,
        PRIMARY KEY (city_id, date, source)
    ) WITHOUT ROWID;
    CREATE TABLE import_file (
        sha256 TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        first_imported_at TEXT NOT NULL
    );
    "#,
    // 2: dust-affected city periods (扣沙) and annual city targets.
    r#"
    CREATE TABLE dust_event (
        city_id INTEGER NOT NULL,
        start_date INTEGER NOT NULL,
        end_date INTEGER NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (city_id, start_date, end_date)
    ) WITHOUT ROWID;
    CREATE TABLE city_target (
        city_id INTEGER NOT NULL,
        year INTEGER NOT NULL,
        pm2_5 INTEGER,
        good_day_ratio_tenths INTEGER,
        heavy_days INTEGER,
        source TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (city_id, year)
    ) WITHOUT ROWID;
    "#,
    // 3: cached station daily evaluations per natural day and chunk of 64 stations (codec::daily).
    // Import deletes the entries a changed label day affects (that day and the day before); a change of
    // the daily rules (meta `daily_rules`) clears the table. Never read without that invariant.
    r#"
    CREATE TABLE daily_cache (
        date INTEGER NOT NULL,
        chunk INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (date, chunk)
    ) WITHOUT ROWID;
    "#,
    // 4: recorded bonus/penalty items of cities (加减分).
    r#"
    CREATE TABLE adjustment (
        city_id INTEGER NOT NULL,
        date INTEGER NOT NULL,
        item TEXT NOT NULL,
        evidence TEXT NOT NULL,
        approver TEXT NOT NULL,
        PRIMARY KEY (city_id, date, item, evidence)
    ) WITHOUT ROWID;
    "#,
    // 5: published results (points, funds, triggers) with the scheme and the inputs they used.
    r#"
    CREATE TABLE published_result (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        scheme_id TEXT NOT NULL,
        scheme_version TEXT NOT NULL,
        scheme_text TEXT NOT NULL,
        inputs_json TEXT NOT NULL,
        results_json TEXT NOT NULL,
        published_at TEXT NOT NULL
    );
    CREATE INDEX published_result_kind ON published_result(kind, key);
    "#,
    // 6: composite-index ranks among the 168 national key cities (input from national bulletins).
    r#"
    CREATE TABLE national_rank (
        city_id INTEGER NOT NULL,
        period TEXT NOT NULL,
        rank INTEGER NOT NULL,
        PRIMARY KEY (city_id, period)
    ) WITHOUT ROWID;
    "#,
    // 7: target tasks of cities and their progress reports (decimals kept as exact text).
    r#"
    CREATE TABLE task (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        city_id INTEGER NOT NULL,
        department TEXT NOT NULL,
        description TEXT NOT NULL,
        unit TEXT NOT NULL,
        kind TEXT NOT NULL,
        baseline TEXT NOT NULL,
        target TEXT NOT NULL,
        start_date INTEGER NOT NULL,
        deadline INTEGER NOT NULL
    );
    CREATE TABLE task_report (
        task_id INTEGER NOT NULL,
        date INTEGER NOT NULL,
        value TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (task_id, date)
    ) WITHOUT ROWID;
    "#,
    // 8: content_version — bumped by every change to the data a number can depend on (not by caches,
    // import bookkeeping or published results); readers key response caches by it.
    r#"
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
    "#,
    // 9: accounts, API tokens (stored as SHA-256 of the token) and the audit log of every write.
    r#"
    CREATE TABLE account (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        city_id INTEGER,
        department TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE api_token (
        token_sha256 TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        remote TEXT NOT NULL
    );
    "#,
    // 10: heavy-pollution emergency response (emergency.md): forecast issuances (every one kept),
    // the alert log, the key-emitter registry with its one-plant-one-policy measures, city emission
    // inventories and non-industrial measures, electricity use, CEMS hours and pairing visits.
    // Amounts are integer thousandths of the file's unit (t → kg, kg → g, kWh → Wh).
    r#"
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
    "#,
    // 11: the content hash of imported files is BLAKE3 from now on (SHA-256 took a tenth of a bulk
    // import's CPU); rows written before keep their SHA-256, labelled as such.
    r#"
    ALTER TABLE import_file RENAME COLUMN sha256 TO content_hash;
    ALTER TABLE import_file ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'sha256';
    "#,
    // 12: hourly blocks raise `content_version` once per imported file, from `import_wide` in the
    // file's transaction, instead of a trigger per block row (a year's import fired 5,840 of them, each
    // with a statement journal). `import_wide` is the only writer of `day_block`.
    r#"
    DROP TRIGGER cv_day_block_insert;
    DROP TRIGGER cv_day_block_update;
    DROP TRIGGER cv_day_block_delete;
    "#,
    // 13: the O3 column of aqistudy daily files is the daily maximum 1-hour value, not the MDA8
    // (`lantian_ingest::citydaily` gives the evidence); rows imported before were stored as o3_mda8.
    // Move them, so that a re-import of the same files changes nothing. The city_daily triggers raise
    // content_version (cached answers are recomputed).
    r#"
    UPDATE city_daily SET o3_max_1h = o3_mda8, o3_mda8 = NULL
        WHERE source = 'aqistudy-daily' AND o3_mda8 IS NOT NULL AND o3_max_1h IS NULL;
    "#,
    // 14: who may read and write what (issue 12 §1–4). API tokens get scopes (`upload`, `read`,
    // `approve`), an expiry (Unix seconds) and a revocation time; tokens issued before keep the one
    // use they had (`upload`) and expire 90 days after the upgrade. Accounts get a credential epoch
    // (raised when the account is disabled: its sessions end and re-enabling does not revive them),
    // the datasets the province grants a viewer, and a city for municipal department accounts (the
    // column exists). Bonus/penalty items and dust periods record the account that approved them;
    // a city's own are proposals (`proposal`) until the province approves them — a pending proposal
    // is in no table a number is computed from. Rows stored before keep NULL (imported by the
    // province before approvals were recorded).
    r#"
    ALTER TABLE api_token ADD COLUMN scopes TEXT NOT NULL DEFAULT 'upload';
    ALTER TABLE api_token ADD COLUMN expires_at INTEGER;
    ALTER TABLE api_token ADD COLUMN revoked_at TEXT;
    UPDATE api_token SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) + 90 * 86400;
    ALTER TABLE account ADD COLUMN credential_epoch INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE account ADD COLUMN grants TEXT NOT NULL DEFAULT '';
    ALTER TABLE adjustment ADD COLUMN approved_by TEXT;
    ALTER TABLE adjustment ADD COLUMN approved_at TEXT;
    ALTER TABLE dust_event ADD COLUMN approved_by TEXT;
    ALTER TABLE dust_event ADD COLUMN approved_at TEXT;
    CREATE TABLE proposal (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        city_id INTEGER NOT NULL,
        record TEXT NOT NULL,
        summary TEXT NOT NULL,
        file TEXT NOT NULL,
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        decided_by TEXT,
        decided_at TEXT,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX proposal_pending ON proposal (kind, record) WHERE status = 'pending';
    CREATE INDEX proposal_city ON proposal (city_id, status);
    "#,
    // 15 (0016 when merged after the numbered data-versions migration 0015): inspections (督查检查, issue 13: a dataset added as one module, `lantian_service::datasets::
    // inspections`, with `inspections.rs` here): one row per finding, keyed by city, date, department,
    // target and finding; the measure, deadline, mode and status change as the rectification moves on.
    // No number is computed from it: no content_version triggers.
    r#"
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
    "#,
];
