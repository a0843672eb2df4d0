-- Migration 1: cities, stations, hourly station/city data, daily city values, imported files.

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
